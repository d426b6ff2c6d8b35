"""Archived HTML -> the policy's ordered clauses, selector-free (pure: no database, no network).

`normalize(body)` decodes a capture as a browser would (Markdown and text, the datasets'
form, are rendered to HTML first: `_markdown`), drops the site's chrome, keeps the
element holding the policy and walks it into `Block`s; junk captures carry an
`invalid_reason`. `rules` (tracker.normalize.rules) are the optional per-document CSS
selectors for the rare page it gets wrong; a `Target` names the tracked document (and the
id its URL's fragment names), which a legal hub's other documents are told from.
`tracker.normalize.text` holds the text rules shared with the measurements.
"""

from tracker.normalize._blocks import Block
from tracker.normalize._markdown import MARKDOWN, Provenance, content_type_for, read_provenance
from tracker.normalize._navigation import LinkList
from tracker.normalize._navigation import remember as remember_navigation
from tracker.normalize._page import NORMALIZER_VERSION, Page, clear_caches, normalize, sequence_hash
from tracker.normalize.exceptions import NormalizeError, RuleError
from tracker.normalize.rules import (
    PageRule,
    RangeSelector,
    Selector,
    apply_rules,
    parse_selectors,
    selectors_json,
)
from tracker.normalize.scope import PRIVACY_POLICY, Target
from tracker.normalize.text import normalize_text, word_count

__all__ = [
    "MARKDOWN", "NORMALIZER_VERSION", "PRIVACY_POLICY", "Block", "LinkList", "NormalizeError", "Page", "PageRule",
    "Provenance", "RangeSelector", "RuleError", "Selector", "Target", "apply_rules", "clear_caches", "content_type_for", "normalize",
    "normalize_text", "parse_selectors", "read_provenance", "remember_navigation", "selectors_json", "sequence_hash",
    "word_count",
]
