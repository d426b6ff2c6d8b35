"""A policy rendered twice on one page: a responsive layout's desktop and mobile copies, a
modal beside the page, a print copy. Styles hide one of them from a reader, not from the
archive, so every clause would appear twice. When long runs of blocks that appear again
later in the page make up a large share of it, they are that text twice: the later copies
are dropped and recorded, and each clause is kept once. Policies repeat text of their own
too (a contact line, a box of the data shared with two kinds of partners), a small share.
"""

from __future__ import annotations

from tracker.normalize._blocks import Block
from tracker.normalize.scope import Dropped
from tracker.normalize.text import word_count

MIN_BLOCKS = 5  # a run this long and
MIN_WORDS = 150  # this many words is a copy of text, not a phrase the policy repeats;
MIN_SHARE = 0.25  # copies holding this share of the page's words are the page twice
_POSITIONS = 8  # earlier places of one text followed (a text repeated more often is boilerplate)


def drop_repeats(blocks: tuple[Block, ...]) -> tuple[tuple[Block, ...], tuple[Dropped, ...]]:
    """The blocks without the later copy of each long repeated run, and what was dropped."""
    runs = _runs([b.text for b in blocks])
    if not runs:
        return blocks, ()
    drop: set[int] = set()
    dropped = []
    for start, length, offset in sorted(runs, key=lambda r: -r[1]):
        copy = range(start, start + length)
        if any(i in drop or i - offset in drop for i in copy):
            continue
        words = sum(word_count(blocks[i].text) for i in copy)
        if words >= MIN_WORDS:
            drop.update(copy)
            dropped.append(Dropped(blocks[start].text, "the same text again in the page", length, words))
    total = sum(word_count(b.text) for b in blocks)
    if not drop or sum(d.words for d in dropped) < MIN_SHARE * total:
        return blocks, ()
    return tuple(b for i, b in enumerate(blocks) if i not in drop), tuple(dropped)


def _runs(texts: list[str]) -> list[tuple[int, int, int]]:
    """(start, length, offset) of each maximal run of at least MIN_BLOCKS texts equal to the
    run `offset` places before it, the two copies not overlapping."""
    seen: dict[str, list[int]] = {}
    open_runs: dict[int, tuple[int, int]] = {}  # offset -> (start, last index) of a run going on
    found = []
    for i, text in enumerate(texts):
        current = {}
        for earlier in seen.get(text, ()):
            offset = i - earlier
            start, last = open_runs.get(offset, (i, i - 1))
            current[offset] = (start if last == i - 1 else i, i)
        for offset, (start, last) in open_runs.items():
            if offset not in current:
                found.append((start, last - start + 1, offset))
        open_runs = current
        places = seen.setdefault(text, [])
        places.append(i)
        del places[:-_POSITIONS]
    found.extend((start, last - start + 1, offset) for offset, (start, last) in open_runs.items())
    return [(start, length, offset) for start, length, offset in found if length >= MIN_BLOCKS and offset >= length]
