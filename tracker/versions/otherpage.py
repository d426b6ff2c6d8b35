"""Another page served at the policy's URL, which only the document's history reveals.

Sites serve a summary page, a landing page or a hacked page at the policy's address for a
while. Such a capture is a page of its own, not a new version: it is far smaller than the
last version, shares almost none of its clauses, and is not titled as a privacy policy
while the history's versions were. All three must hold, so a rewritten policy that keeps
its title, or one that keeps a tenth of its clauses, is a version as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tracker.normalize import Block, word_count
from tracker.normalize.scope import names_privacy_policy

_SMALLER = 3  # the capture has under a third of the last version's words
_SHARED = 0.1  # and under a tenth of its clauses are clauses of the last version


def other_page(blocks: Sequence[Block], latest_words: int, latest_clauses: Callable[[], Sequence]) -> str | None:
    """Why this capture is another page than the policy, or None. `latest_clauses` reads the
    last version's clauses (each with .kind and .text), only when the sizes call for it."""
    words = sum(word_count(b.text) for b in blocks)
    if not blocks or words * _SMALLER >= latest_words or _titled(blocks):
        return None
    latest = latest_clauses()
    if not _titled(latest):
        return None
    texts = {c.text for c in latest}
    shared = sum(b.text in texts for b in blocks) / len(blocks)
    if shared >= _SHARED:
        return None
    return (f"another page at the policy's URL ({words} words against {latest_words}, "
            f"{shared:.0%} of its clauses in the last version, no privacy-policy title)")


def _titled(clauses) -> bool:
    return any(c.kind == "heading" and names_privacy_policy(c.text) for c in clauses)
