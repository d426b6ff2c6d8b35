"""Junk inside a page: spam injected into a hacked page, and markup shown as text.

Spam (`drop_spam`): hacked pages carry an unrelated block of casino, pharmacy or loan text,
usually appended after the content or put before it. A run of blocks at either end of the
page that speaks the vocabulary of such spam (several of its terms) and none of a privacy
policy's (personal data, information, cookies, consent…) is dropped and recorded; a policy of
a gambling site speaks of its users' data in the same blocks, so it stays.

Markup shown as text (`markup_share`): a page that shows its HTML source (escaped tags)
instead of rendering it holds the policy's words, but the capture shows markup: its rendered
twin is the version. (Another page served at the policy's URL is told by the document's
history: tracker.versions.otherpage.)
"""

from __future__ import annotations

import re

from tracker.normalize._blocks import Block
from tracker.normalize.scope import Dropped
from tracker.normalize.text import word_count
from tracker.writing import TAG_TEXT

_SPAM_TERMS = re.compile(
    r"\b(?:casinos?|gambling|betting|bookmakers?|sportsbooks?|jackpots?|roulette|poker|slot machines?"
    r"|payouts?|free spins|deposit bonus(?:es)?|viagra|cialis|levitra|online pharmacy|payday loans?"
    r"|replica watches|essay writing service|escorts?)\b", re.I)
_POLICY_TERMS = re.compile(
    r"\b(?:personal|data|information|privacy|cookies?|consent|process(?:es|ed|ing)?|collect(?:s|ed|ion)?"
    r"|controller|rights?)\b", re.I)
_SPAM_BLOCK_TERMS = 3  # a block of spam, not a clause naming a game once
_SPAM_HEADING_WORDS = 12  # a short block with one such term heads the spam run


def drop_spam(blocks: tuple[Block, ...]) -> tuple[tuple[Block, ...], tuple[Dropped, ...]]:
    """The blocks without the spam runs at either end, and the runs dropped."""
    kinds: dict[int, str | None] = {}  # only the ends are read: a page's middle is never spam
    lead = range(0, _run(kinds, blocks, range(len(blocks))))
    if lead.stop == len(blocks):
        return blocks, ()  # nothing but such blocks: the junk checks judge the page
    tail = range(len(blocks) - _run(kinds, blocks, range(len(blocks) - 1, -1, -1)), len(blocks))
    drop = [run for run in (lead, tail) if any(kinds[i] == "block" for i in run)]
    kept = tuple(b for i, b in enumerate(blocks) if not any(i in run for run in drop))
    return kept, tuple(Dropped(blocks[run[0]].text[:80], "injected spam", len(run),
                               sum(word_count(blocks[i].text) for i in run)) for run in drop)


def _run(kinds: dict[int, str | None], blocks: tuple[Block, ...], order: range) -> int:
    """Length of the run of spam blocks at the start of `order` (their kinds noted in `kinds`)."""
    n = 0
    for i in order:
        kinds[i] = _spam_kind(blocks[i].text)
        if not kinds[i]:
            break
        n += 1
    return n


def _spam_kind(text: str) -> str | None:
    """"block" for a block of spam, "heading" for a short line naming spam, else None."""
    if _POLICY_TERMS.search(text):
        return None
    terms = len(_SPAM_TERMS.findall(text))
    if terms >= _SPAM_BLOCK_TERMS:
        return "block"
    if terms and word_count(text) <= _SPAM_HEADING_WORDS:
        return "heading"
    return None


def markup_share(texts: list[str]) -> tuple[int, float]:
    """Tags shown as text in `texts`: their number, and their share of all words and tags."""
    marked = [t for t in texts if "<" in t or "&" in t]  # a tag or entity starts with one of them
    tags = sum(len(TAG_TEXT.findall(t)) for t in marked)
    if not tags:
        return 0, 0.0  # most pages: no words to count
    total = tags + sum(word_count(TAG_TEXT.sub(" ", t) if "<" in t or "&" in t else t) for t in texts)
    return tags, tags / total
