"""A policy rendered twice on one page: a responsive layout's desktop and mobile copies, a
modal beside the page, a print copy. Styles hide one of them from a reader, not from the
archive, so every clause would appear twice. When long runs of blocks that appear again
later in the page make up a large share of it, they are that text twice: the later copies
are dropped and recorded, and each clause is kept once. Policies repeat text of their own
too (a contact line, a box of the data shared with two kinds of partners), a small share;
on a page that shows the policy twice, each copy repeats it, and the copy kept keeps it.
A repeat let be so, inside the text kept, has that text read again as a page of its own, as
the page showing it once is read: a long text it repeats itself at a large share of its
words (an overview atop each of its tabbed sections) goes there too.

The copies are compared as the text they read, not block by block: one template may split
the text into other blocks than the other (a paragraph of lines joined by <br> beside one
paragraph per line), one may number the headings the other does not or lack a short line
the other has (a later copy's own line is kept, in its place in the earlier copy), and a third
copy may follow the second. A page that is nothing but one text twice is that text twice however
short it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import add

from tracker.normalize._blocks import Block
from tracker.normalize.scope import Dropped
from tracker.normalize.text import without_number, word_count

MIN_BLOCKS = 5  # a run this long and
MIN_WORDS = 150  # this many words is a copy of text, not a phrase the policy repeats;
MIN_SHARE = 0.25  # copies holding this share of the page's words are the page twice
WHOLE_SHARE = 0.8  # a text and its copy holding this share of the words are the page, twice
_POSITIONS = 8  # earlier places of one text followed (a text repeated more often is boilerplate)
_KEY_CHARS = 40  # the text from a block's start that finds its earlier places
_STEP = 64  # characters compared at first, doubled while they agree
_LINE_WORDS = 12  # a block this short is a line one copy may lack ("Last updated: May 5, 2025")


@dataclass(frozen=True)
class _Copy:
    """Blocks [start, stop) reading as blocks [earlier, earlier_stop) do."""

    start: int
    stop: int
    earlier: int
    earlier_stop: int


def drop_repeats(blocks: tuple[Block, ...]) -> tuple[tuple[Block, ...], tuple[Dropped, ...]]:
    """The blocks without the later copy of each long repeated run, and what was dropped."""
    text = _Text([b.text for b in blocks])
    if text.repeated() < MIN_SHARE * len(text.joined) / 2:  # most pages: far too little text repeats
        return blocks, ()
    counts = [word_count(b.text) for b in blocks]
    total = sum(counts)
    drop: set[int] = set()
    kept_regions: list[range] = []  # the earlier side of each copy dropped: the text kept in its stead
    moved: dict[int, list[int]] = {}  # an earlier copy's block -> the later copy's lines to put before it
    dropped = []
    inside = False  # a copy let be inside a text kept: that text is read again once the page is done
    copies = text.copies()
    chains = _chained(copies, blocks)
    for copy in sorted([*copies, *chains], key=lambda c: c.start - c.stop):
        later, earlier = range(copy.start, copy.stop), range(copy.earlier, copy.earlier_stop)
        if any(i in drop for i in later) or any(i in drop for i in earlier):
            continue
        if any(_within(later, region) and _within(earlier, region) for region in kept_regions):
            inside = True
            continue  # a repeat inside a text kept is the policy's own, which its copy repeats too
        kept = chains.get(copy, {})
        words = sum(counts[i] for i in later if i not in kept)
        long = max(len(later), len(earlier)) >= MIN_BLOCKS and words >= MIN_WORDS
        if long or words + sum(counts[i] for i in earlier) >= WHOLE_SHARE * total:
            drop.update(later)
            kept_regions.append(earlier)
            for i, before in kept.items():
                moved.setdefault(before, []).append(i)
            dropped.append(Dropped(blocks[copy.start].text, "the same text again in the page", len(later) - len(kept),
                                   words))
    if not drop or sum(d.words for d in dropped) < MIN_SHARE * total:
        return blocks, ()
    kept_blocks: list[Block] = []
    for i, block in enumerate(blocks):
        kept_blocks.extend(blocks[k] for k in moved.get(i, ()))
        if i not in drop:
            kept_blocks.append(block)
    if not inside:
        return tuple(kept_blocks), tuple(dropped)
    again, more = drop_repeats(tuple(kept_blocks))  # the text kept, read as the page showing it once
    return again, (*dropped, *more)


def _chained(copies: list[_Copy], blocks: tuple[Block, ...]) -> dict[_Copy, dict[int, int]]:
    """Copies that follow each other on both sides but for one block, joined into one: a
    heading one side numbers and the other does not ("2. Sharing" against "Sharing": one
    template numbers its titles), or a short line one copy has and the other lacks (a
    mobile copy without the "Last updated" line under the title, before or after the
    desktop copy). A later copy's line the earlier lacks is the text's too, and its change
    (a new date) a version: each chain comes with its own such lines, each with the earlier
    copy's block it goes before, to be kept there when that chain is dropped. Only its own:
    a line found between two short copies inside a longer one (two table rows of a policy,
    one listing an item more) is that copy's text, read in it, not a line it lacks."""
    following = {(c.start, c.earlier): c for c in copies}
    links = {}
    lines = {}  # a copy -> the later copy's line after it, and the earlier copy's block that line goes before
    for copy in copies:
        after = following.get((copy.stop + 1, copy.earlier_stop + 1))
        if after is None or not _same_heading(blocks, copy.stop, copy.earlier_stop):
            after = following.get((copy.stop, copy.earlier_stop + 1))
            if after is not None and word_count(blocks[copy.earlier_stop].text) > _LINE_WORDS:
                after = None
        if after is None and (after := following.get((copy.stop + 1, copy.earlier_stop))) is not None:
            if word_count(blocks[copy.stop].text) > _LINE_WORDS:
                after = None
            else:
                lines[copy] = (copy.stop, copy.earlier_stop)
        if after is not None:
            links[copy] = after
    continued = set(links.values())
    chains = {}
    for copy in copies:
        if copy in continued:
            continue
        last, own = copy, {}
        while (after := links.get(last)) is not None:
            if last in lines:
                line, before = lines[last]
                own[line] = before
            last = after
        if last is not copy and last.earlier_stop <= copy.start:  # the two copies still apart
            chains[_Copy(copy.start, last.stop, copy.earlier, last.earlier_stop)] = own
    return chains


def _within(inner: range, outer: range) -> bool:
    return outer.start <= inner.start and inner.stop <= outer.stop


def _same_heading(blocks: tuple[Block, ...], later: int, earlier: int) -> bool:
    return (later < len(blocks) and blocks[later].kind == blocks[earlier].kind == "heading"
            and without_number(blocks[later].text) == without_number(blocks[earlier].text))


class _Text:
    """The blocks' texts read as one text (joined by a space, as a <br> joins lines), with
    where each block starts and ends in it."""

    def __init__(self, texts: list[str]) -> None:
        self.joined = " ".join(texts)
        self.lengths = list(map(len, texts))
        self.starts = [0, *accumulate(map(add, self.lengths[:-1], repeat(1)))] if texts else []

    def repeated(self) -> int:
        """Characters of the blocks whose text, read on, began at an earlier block too."""
        keys = [self.joined[start:start + _KEY_CHARS] for start in self.starts]
        if len(set(keys)) == len(keys):
            return 0  # most pages
        seen: set[str] = set()
        found = 0
        for key, n in zip(keys, self.lengths):
            if key in seen:
                found += n
            seen.add(key)
        return found

    def copies(self) -> list[_Copy]:
        """Each longest run of blocks that reads as a run of blocks before it, the two not
        overlapping, both beginning and ending with a block. A block's earlier places are
        those of its text read on, and those of its own text (a short block whose next one
        differs: a title before a heading one copy numbers)."""
        ends = {start + n: i for i, (start, n) in enumerate(zip(self.starts, self.lengths))}
        places: dict[str, list[int]] = {}
        covered: dict[int, int] = {}  # distance in characters -> last block of a copy found at it
        found = []
        for i, (start, n) in enumerate(zip(self.starts, self.lengths)):
            keys = {self.joined[start:start + _KEY_CHARS], self.joined[start:start + min(n, _KEY_CHARS)]}
            for j in sorted({j for key in keys for j in places.get(key, ())}):
                distance = start - self.starts[j]
                if covered.get(distance, -1) >= i:
                    continue  # a part of a copy found from an earlier block
                copy = self._copy(j, i, ends)
                if copy is not None:
                    covered[distance] = copy.stop - 1
                    found.append(copy)
            for key in keys:
                earlier = places.setdefault(key, [])
                earlier.append(i)
                del earlier[:-_POSITIONS]
        return found

    def _copy(self, j: int, i: int, ends: dict[int, int]) -> _Copy | None:
        """The longest run from block i that reads as the run from block j and ends where a
        block of that run ends (`ends`: the block ending at each place), or None."""
        a, b = self.starts[j], self.starts[i]
        length = self._agreeing(a, b, b - a - 1)
        last = last_earlier = None
        k = i
        while k < len(self.starts) and self.starts[k] + self.lengths[k] - b <= length:
            end = ends.get(a + self.starts[k] + self.lengths[k] - b)
            if end is not None:
                last, last_earlier = k, end
            k += 1
        return None if last is None or last_earlier is None else _Copy(i, last + 1, j, last_earlier + 1)

    def _agreeing(self, a: int, b: int, limit: int) -> int:
        """How many characters from `a` and from `b` agree, at most `limit`."""
        text, n, step = self.joined, 0, _STEP
        while n < limit:
            m = min(step, limit - n)
            if text[a + n:a + n + m] != text[b + n:b + n + m]:
                low, high = 0, m - 1  # the agreeing part of this stretch, found by halves
                while low < high:
                    mid = (low + high + 1) // 2
                    if text[a + n:a + n + mid] == text[b + n:b + n + mid]:
                        low = mid
                    else:
                        high = mid - 1
                return n + low
            n, step = n + m, step * 2
        return limit
