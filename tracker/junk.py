"""Junk in or instead of the policy: spam injected into a hacked page, and another page
served at the policy's URL.

Spam (`drop_spam`): hacked pages carry an unrelated block of casino, pharmacy or loan text,
usually appended after the content or put before it. A run of blocks at either end of the
page that speaks the vocabulary of such spam (several of its terms) and none of a privacy
policy's (personal data, information, cookies, consent…) is dropped and recorded; a policy of
a gambling site speaks of its users' data in the same blocks, so it stays.

Another page (`other_page`) is what only the document's history reveals. Sites serve a summary page, a landing page or a hacked page at the policy's address for a
while. Such a capture is a page of its own, not a new version: it is far smaller than the
last version, shares almost none of its clauses, and is not titled as a privacy policy
while the history's versions were. All three must hold, so a rewritten policy that keeps
its title, or one that keeps a tenth of its clauses, is a version as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from tracker.blocks import Block
from tracker.scope import Dropped, names_privacy_policy
from tracker.textnorm import count_words

_SPAM_TERMS = re.compile(
    r"\b(?:casinos?|gambling|betting|bookmakers?|sportsbooks?|jackpots?|roulette|poker|slot machines?"
    r"|payouts?|free spins|deposit bonus(?:es)?|viagra|cialis|levitra|online pharmacy|payday loans?"
    r"|replica watches|essay writing service|escorts?)\b", re.I)
_POLICY_TERMS = re.compile(
    r"\b(?:personal|data|information|privacy|cookies?|consent|process(?:es|ed|ing)?|collect(?:s|ed|ion)?"
    r"|controller|rights?)\b", re.I)
_SPAM_BLOCK_TERMS = 3  # a block of spam, not a clause naming a game once
_SPAM_HEADING_WORDS = 12  # a short block with one such term heads the spam run

_SMALLER = 3  # the capture has under a third of the last version's words
_SHARED = 0.1  # and under a tenth of its clauses are clauses of the last version


def drop_spam(blocks: tuple[Block, ...]) -> tuple[tuple[Block, ...], tuple[Dropped, ...]]:
    """The blocks without the spam runs at either end, and the runs dropped."""
    kinds = [_spam_kind(b.text) for b in blocks]
    lead = range(0, _run(kinds))
    tail = range(len(blocks) - _run(kinds[::-1]), len(blocks))
    if lead.stop > tail.start:
        return blocks, ()  # nothing but such blocks: the junk checks judge the page
    drop = [run for run in (lead, tail) if any(kinds[i] == "block" for i in run)]
    kept = tuple(b for i, b in enumerate(blocks) if not any(i in run for run in drop))
    return kept, tuple(Dropped(blocks[run[0]].text[:80], "injected spam", len(run),
                               sum(count_words(blocks[i].text) for i in run)) for run in drop)


def _run(kinds: list[str | None]) -> int:
    """Length of the run of spam blocks at the start of `kinds`."""
    n = 0
    while n < len(kinds) and kinds[n]:
        n += 1
    return n


def _spam_kind(text: str) -> str | None:
    """"block" for a block of spam, "heading" for a short line naming spam, else None."""
    if _POLICY_TERMS.search(text):
        return None
    terms = len(_SPAM_TERMS.findall(text))
    if terms >= _SPAM_BLOCK_TERMS:
        return "block"
    if terms and count_words(text) <= _SPAM_HEADING_WORDS:
        return "heading"
    return None


def other_page(blocks: Sequence[Block], latest_words: int, latest_clauses: Callable[[], Sequence]) -> str | None:
    """Why this capture is another page than the policy, or None. `latest_clauses` reads the
    last version's clauses (each with .kind and .text), only when the sizes call for it."""
    words = sum(count_words(b.text) for b in blocks)
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
