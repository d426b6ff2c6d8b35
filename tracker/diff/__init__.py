"""The change engine: what changed between two versions of a policy, clause by clause, and
what each change means (pure: no database, no network, nothing of the other stages).

`diff_clauses(old, new)` aligns two clause sequences into `ClauseEdit`s (unchanged, moved,
modified with word ops, split, merged, rewritten, added, removed), each with its flags
(tracker.diff.flags), OPP-115 categories (tracker.diff.categories) and whether it is
cosmetic. `redline` renders word ops (`wrap_lines` wraps Chinese and Japanese ones by columns);
`effective_date` finds the date a policy states.
"""

from tracker.diff._align import (
    KINDS,
    PAIR_THRESHOLD,
    ClauseEdit,
    Kind,
    clear_caches,
    diff_clauses,
    is_cosmetic,
    summarize,
)
from tracker.diff.categories import (
    CATEGORIES,
    Category,
    check_category,
    clause_categories,
)
from tracker.diff.effective_date import find_effective_date
from tracker.diff.exceptions import DiffError, UnknownCategory
from tracker.diff.flags import FLAGS, change_flags
from tracker.diff.redline import redline_html, redline_text, spaceless, wrap_lines
from tracker.diff.rendering import same_words
from tracker.diff.words import WordOp, similarity, word_diff

__all__ = [
    "CATEGORIES", "FLAGS", "KINDS", "PAIR_THRESHOLD", "Category", "ClauseEdit", "DiffError", "Kind", "UnknownCategory",
    "WordOp", "change_flags", "check_category", "clause_categories", "clear_caches", "diff_clauses",
    "find_effective_date", "is_cosmetic", "redline_html", "redline_text", "same_words", "similarity", "spaceless",
    "summarize",
    "word_diff", "wrap_lines",
]
