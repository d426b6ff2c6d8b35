"""Clause-level diff between two versions of a policy.

A version is an ordered list of clauses (anything with ``.text`` and ``.section``). The diff is
built in eight passes, each simple enough to explain to a reader of the change log:

1. exact alignment: the clauses difflib aligns as a common subsequence of the two lists of
   texts (longest common runs first) are ``unchanged``; they are the anchors;
2. identical texts left over on both sides are ``moved``; date stamps that differ only in
   their date, and table rows that kept their first cell in the same gap between anchors
   (tracker.diff._rewrites.pair_rows), are ``modified``;
3. remaining clauses are paired by word similarity, best pairs first (a pair in the same
   section and in the same gap between anchors gets a bonus), into ``modified`` (with a
   word-level redline, and ``moved`` set when the pair left its gap between anchors);
4. clauses left that keep a substantial distinctive run of each other's words, or that took
   each other's place between the same neighbours, are ``modified`` too (tracker.diff._rewrites:
   a sentence appended, half of a clause cut, a clause reworded at length);
5. an old clause whose text is better matched by a run of consecutive new clauses than by
   its partner alone is ``split`` into them, even when the pieces were edited; a run of old
   clauses joined into one new clause is ``merged`` (tracker.diff._splits);
6. the clauses still unpaired in each gap between anchors are read as two runs of text and
   word-diffed, as a line diff refined by a word diff reads them; clauses that diff links by
   enough shared words become ``modified``, ``split`` or ``merged`` (tracker.diff._runs), so
   the words the runs share are not reported as changed;
7. in each gap, the pairings that keep their order and the clauses still unpaired are word-diffed
   as two runs again; a stretch of them that this diff reads as one rewritten text, keeping
   clearly more words than its pieces apart, becomes one change: ``rewritten`` when several old
   clauses became several new ones, else modified, split or merged (tracker.diff._groups);
8. whatever is still unpaired is ``added`` or ``removed``.

Only texts that are exactly equal count as unchanged or moved: a one-word edit such as
"We do not sell" -> "We do sell" is always ``modified``, however similar the two texts are.
Each change then gets its flags (tracker.diff.flags), categories (tracker.diff.categories)
and whether it is cosmetic (``is_cosmetic``; all of them are when both versions read the same
words, only rendered differently: tracker.diff.rendering). Everything here is a pure function
of its input, so a whole history can be re-diffed.
"""

from __future__ import annotations

import gc
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction
from heapq import heapify, heappop, heappush
from itertools import chain
from math import floor
from typing import Protocol

from cydifflib import Match, SequenceMatcher

from tracker.diff import _rewrites, _runs
from tracker.diff import categories as _categories
from tracker.diff import flags as _flags
from tracker.diff import words as _words
from tracker.diff._groups import regroup
from tracker.diff._rewrites import find_rewrites, pair_rows
from tracker.diff._runs import pair_runs
from tracker.diff._splits import find_splits
from tracker.diff.categories import clause_categories, combined
from tracker.diff.cosmetic import is_cosmetic, is_stamp, stamp_key
from tracker.diff.flags import change_flags
from tracker.diff.rendering import same_reading
from tracker.diff.words import Bag, WordOp, bag, word_blocks, word_diff, words
from tracker.writing import language_of


class Kind(StrEnum):
    """What happened to a clause; stored in clause_change.kind (values never change)."""

    UNCHANGED = "unchanged"
    MOVED = "moved"
    MODIFIED = "modified"
    SPLIT = "split"
    MERGED = "merged"
    REWRITTEN = "rewritten"
    ADDED = "added"
    REMOVED = "removed"


KINDS = tuple(k.value for k in Kind)

# Minimum word similarity for an old and a new clause to be paired as one modified clause on
# similarity alone (below it, only a distinctive run of kept words or the same place between
# the same neighbours pairs them: tracker.diff._rewrites). Tuned on the shared corpus's real revisions
# (consecutive reference texts of its 15 pages, markup stripped, one clause per paragraph):
# all 26 pairs scoring 0.45-0.50 were the same clause reworded; from 0.40 to 0.45 about one
# pair in nine joined two different clauses (two processors that share "provides more
# information on how it processes data"), and below 0.40 such wrong pairs are common.
PAIR_THRESHOLD = 0.45
# Ranking bonus of a candidate pair in the same section / the same gap between anchors, so
# that of two similar candidates the one nearby wins (the threshold applies without it).
_SECTION_BONUS = 0.1
_REGION_BONUS = 0.05
# PAIR_THRESHOLD as a fraction (9/20), rounded down to hundredths, for the candidate search's
# integer arithmetic: every pair that reaches the threshold passes it.
_THRESHOLD = Fraction(floor(PAIR_THRESHOLD * 100), 100)


class _Clause(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def section(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class ClauseEdit:
    """What happened to one old clause, one new clause, or a group of them.

    A split has one old clause and several new ones, a merge the reverse, a rewrite several on
    both sides (consecutive on each): ``old_indexes`` / ``new_indexes`` list them all,
    ``old_index``/``new_index`` is the first, and the texts of a side with several clauses are
    joined with a line break (the redline then shows where the paragraphs were split or joined).
    """

    kind: Kind
    old_index: int | None
    new_index: int | None
    old_text: str | None
    new_text: str | None
    old_section: tuple[str, ...] | None
    new_section: tuple[str, ...] | None
    similarity: float  # 1.0 unchanged/moved, word similarity of the texts, 0.0 added/removed
    ops: tuple[WordOp, ...] = ()  # word-level redline, for modified, split, merged and rewritten
    moved: bool = False  # modified clause that also left its place among the unchanged ones
    old_indexes: tuple[int, ...] = ()  # every old clause of a split, merge or rewrite
    new_indexes: tuple[int, ...] = ()  # every new clause of a split, merge or rewrite
    flags: tuple[str, ...] = ()  # see tracker.diff.flags
    categories: tuple[str, ...] = ()  # see tracker.diff.categories; none for unchanged
    cosmetic: bool = False  # moved, or only case/punctuation/space/date stamp/numbering


def diff_clauses(old: Sequence[_Clause], new: Sequence[_Clause]) -> list[ClauseEdit]:
    """Align two clause sequences; every clause of either side appears in exactly one change.

    The result is in reading order: by new position, with each removed clause right after
    the new-side counterpart of the clause that preceded it in the old version.
    """
    with _collector_paused():
        return _diff(old, new)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, and resume it as it was. A pair's diff makes
    hundreds of thousands of small tuples, sets and strings, none of them in a reference
    cycle (reference counting frees them all): the collector's passes over them find
    nothing, and cost a few per cent of a large pair's time (the larger the process's heap,
    the more)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _diff(old: Sequence[_Clause], new: Sequence[_Clause]) -> list[ClauseEdit]:
    old_texts = [clause.text for clause in old]
    new_texts = [clause.text for clause in new]

    matcher = SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    matching = matcher.get_matching_blocks()
    anchor_old = [block.a + k for block in matching for k in range(block.size)]
    anchor_new = [block.b + k for block in matching for k in range(block.size)]
    old_rest = _without(range(len(old)), anchor_old)
    new_rest = _without(range(len(new)), anchor_new)

    moves = _pair_identical(old_rest, new_rest, old_texts, new_texts)
    old_rest = _without(old_rest, (i for i, _ in moves))
    new_rest = _without(new_rest, (j for _, j in moves))

    blocks: dict[tuple[int, int], list[Match]] = {}  # of the pairs measured, for the redlines
    stamps = _pair_stamps(old_rest, new_rest, old_texts, new_texts, blocks)
    old_rest = _without(old_rest, (i for i, _, _ in stamps))
    new_rest = _without(new_rest, (j for _, j, _ in stamps))

    regions = (_regions(old_rest, anchor_old), _regions(new_rest, anchor_new))
    rows = [(i, j, _measured(old_texts[i], new_texts[j], blocks, (i, j)))
            for i, j in pair_rows(old_texts, new_texts, regions, set(old_rest), set(new_rest))]
    old_rest = _without(old_rest, (i for i, _, _ in rows))
    new_rest = _without(new_rest, (j for _, j, _ in rows))
    edits = stamps + rows + _pair_similar(old_rest, new_rest, old, new, regions, blocks)
    found, rewritten = find_rewrites(old_texts, new_texts, old_rest, new_rest, edits, regions, zip(anchor_old, anchor_new))
    kept = found.kept
    edits += [(i, j, _measured(old_texts[i], new_texts[j], blocks, (i, j))) for i, j in rewritten]
    splits = find_splits(old_texts, new_texts, old_rest, new_rest, edits, kept)
    split_old = {i for i, _, _ in splits}
    split_new = set(chain.from_iterable(run for _, run, _ in splits))
    edits = [(i, j, s) for i, j, s in edits if i not in split_old and j not in split_new]
    merges = find_splits(
        new_texts, old_texts, _without(new_rest, split_new), _without(old_rest, split_old),
        [(j, i, s) for i, j, s in edits], {(j, i): count for (i, j), count in kept.items()},
    )
    merge_new = {j for j, _, _ in merges}
    merge_old = set(chain.from_iterable(run for _, run, _ in merges))
    edits = [(i, j, s) for i, j, s in edits if j not in merge_new and i not in merge_old]
    groups: list[tuple[tuple[int, ...], tuple[int, ...], float, Kind]] = [((i,), run, s, Kind.SPLIT) for i, run, s in splits]
    groups += [(run, (j,), s, Kind.MERGED) for j, run, s in merges]
    old_rest = _without(old_rest, chain((i for i, _, _ in edits), split_old, merge_old))
    new_rest = _without(new_rest, chain((j for _, j, _ in edits), split_new, merge_new))
    pieces = pair_runs(old_texts, new_texts, old_rest, new_rest, anchor_old, anchor_new, found.boilerplate)
    old_rest = _without(old_rest, chain.from_iterable(olds for olds, _ in pieces))
    new_rest = _without(new_rest, chain.from_iterable(news for _, news in pieces))
    pairings = [((i,), (j,)) for i, j, _ in edits] + [(olds, news) for olds, news, _, _ in groups] + pieces
    made, taken = regroup(old_texts, new_texts, anchor_old, anchor_new, pairings, old_rest, new_rest, found.boilerplate)
    edits = [(i, j, s) for i, j, s in edits if ((i,), (j,)) not in taken]
    groups = [group for group in groups if group[:2] not in taken]
    for olds, news in [piece for piece in pieces if piece not in taken] + made:
        if len(olds) == len(news) == 1:
            edits.append((olds[0], news[0], _measured(old_texts[olds[0]], new_texts[news[0]], blocks, (olds[0], news[0]))))
        else:
            kind = Kind.SPLIT if len(olds) == 1 else Kind.MERGED if len(news) == 1 else Kind.REWRITTEN
            groups.append((olds, news, -1.0, kind))
    old_rest = _without(old_rest, chain.from_iterable(olds for olds, _ in made))
    new_rest = _without(new_rest, chain.from_iterable(news for _, news in made))

    def out_of_place(i: int, j: int) -> bool:
        return _out_of_place(i, j, anchor_old, anchor_new, len(new))

    changes = [_kept(Kind.UNCHANGED, old[i], new[j], i, j) for i, j in zip(anchor_old, anchor_new)]
    changes += [_edit(Kind.MOVED, old, new, (i,), (j,), 1.0) for i, j in moves]
    changes += [
        _edit(Kind.MODIFIED, old, new, (i,), (j,), score, word_diff(old[i].text, new[j].text, blocks.get((i, j))),
              out_of_place(i, j))
        for i, j, score in edits
    ]
    for olds, news, score, kind in groups:
        old_text = "\n".join(old_texts[i] for i in olds)
        new_text = "\n".join(new_texts[j] for j in news)
        found_blocks: dict[tuple[int, int], list[Match]] = {}
        if score < 0:  # made by the runs or the stretches: their words compared as the runs compare them
            matched = found_blocks[0, 0] = word_blocks(old_text, new_text)
            total = len(words(old_text)) + len(words(new_text))
            score = 2.0 * sum(block.size for block in matched) / total if total else 1.0
        ops = word_diff(old_text, new_text, found_blocks.get((0, 0)), case_aside=bool(found_blocks))
        changes.append(_edit(kind, old, new, olds, news, score, ops, out_of_place(olds[0], news[0]), (old_text, new_text)))
    changes += [_edit(Kind.ADDED, old, new, (), (j,), 0.0) for j in new_rest]
    changes += [_edit(Kind.REMOVED, old, new, (i,), (), 0.0) for i in old_rest]
    changes = _reading_order(changes)
    if any(c.kind != "unchanged" and not c.cosmetic for c in changes) and same_reading(
            (old_texts[i] for i in _without(range(len(old)), anchor_old)),
            (new_texts[j] for j in _without(range(len(new)), anchor_new))):
        changes = [c if c.kind == "unchanged" else replace(c, cosmetic=True) for c in changes]  # re-rendered
    return changes


def clear_caches() -> None:
    """Forget every per-text result (tokens, flags, categories), to time a pair as if its
    texts had never been seen; results never depend on the caches."""
    _words.clear_caches()
    _flags.clear_caches()
    _categories.clear_caches()
    _rewrites.runs.cache_clear()
    _runs.outside_boilerplate.cache_clear()
    _runs.substantial.cache_clear()
    _rewrites.names_and_numbers.cache_clear()
    language_of.cache_clear()


def summarize(changes: Iterable[ClauseEdit]) -> dict[str, int]:
    """Count changes per kind, and material vs cosmetic ones (unchanged clauses are neither);
    every key is present so callers can index without checks."""
    counts = dict.fromkeys((*KINDS, "material", "cosmetic"), 0)
    for change in changes:
        counts[change.kind] += 1
        if change.kind != "unchanged":
            counts["cosmetic" if change.cosmetic else "material"] += 1
    return counts


def _kept(kind: Kind, old: _Clause, new: _Clause, i: int, j: int) -> ClauseEdit:
    return ClauseEdit(kind, i, j, old.text, new.text, old.section, new.section, 1.0)


def _without(indexes: Iterable[int], paired: Iterable[int]) -> list[int]:
    taken = set(paired)
    return [k for k in indexes if k not in taken]


def _pair_identical(
    old_rest: list[int], new_rest: list[int], old_texts: list[str], new_texts: list[str]
) -> list[tuple[int, int]]:
    """Pair equal texts one-to-one; a repeated text is paired in order of appearance."""
    waiting: defaultdict[str, deque[int]] = defaultdict(deque)
    for j in new_rest:
        waiting[new_texts[j]].append(j)
    pairs = []
    for i in old_rest:
        queue = waiting.get(old_texts[i])
        if queue:
            pairs.append((i, queue.popleft()))
    return pairs


def _pair_stamps(
    old_rest: list[int], new_rest: list[int], old_texts: list[str], new_texts: list[str],
    blocks: dict[tuple[int, int], list[Match]],
) -> list[tuple[int, int, float]]:
    """Pair date stamps that differ only in their date ("Last updated: March 3, 2021" ->
    "Last updated: 2022-01-15"), however different the two dates look, in order; their
    matching blocks go into ``blocks``."""
    waiting: defaultdict[str, deque[int]] = defaultdict(deque)
    for j in new_rest:
        if is_stamp(new_texts[j]):
            waiting[stamp_key(new_texts[j])].append(j)
    pairs = []
    for i in old_rest:
        queue = waiting.get(stamp_key(old_texts[i])) if is_stamp(old_texts[i]) else None
        if queue:
            j = queue.popleft()
            pairs.append((i, j, _measured(old_texts[i], new_texts[j], blocks, (i, j))))
    return pairs


def _pair_similar(
    old_rest: list[int], new_rest: list[int], old: Sequence[_Clause], new: Sequence[_Clause],
    regions: tuple[dict[int, int], dict[int, int]], blocks: dict[tuple[int, int], list[Match]],
) -> list[tuple[int, int, float]]:
    """Pair clauses by word similarity, best first, one-to-one, at or above the threshold.

    The matching blocks of each pair kept are put in ``blocks``: the redline reuses them.

    The ranking adds a bonus to a pair in the same section and to one in the same gap between
    anchors; ties then go to the pair whose positions are closest. SequenceMatcher is slow, so
    it runs lazily: the pairs ``_candidates`` keeps wait in a heap ranked by a cheap upper
    bound of their ratio, and a pair is scored only when it comes to the top with both of its
    clauses still free; scored, it goes back with its real rank, and is taken when it comes to
    the top again. As no bound is below the ratio, the pairs taken are those ranking every
    scored pair would take.
    """
    old_words = {i: words(old[i].text) for i in old_rest}
    new_words = {j: words(new[j].text) for j in new_rest}
    old_region, new_region = regions
    sections = {j: tuple(new[j].section) for j in new_rest}

    def bonus(i: int, j: int) -> float:
        return (_SECTION_BONUS * (tuple(old[i].section) == sections[j])
                + _REGION_BONUS * (old_region[i] == new_region[j]))

    waiting: list[tuple[float, int, int, int, float | None]] = [
        (-(bound + bonus(i, j)), abs(i - j), i, j, None)
        for j, candidates in _candidates(
            {i: bag(old[i].text) for i in old_rest}, {j: bag(new[j].text) for j in new_rest}
        ).items()
        for i, bound in candidates
    ]
    heapify(waiting)
    matchers: dict[int, SequenceMatcher] = {}
    scored: dict[tuple[int, int], list[Match]] = {}
    pairs = []
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    while waiting:
        rank, distance, i, j, score = heappop(waiting)
        if i in taken_old or j in taken_new:
            continue
        if score is not None:
            taken_old.add(i)
            taken_new.add(j)
            pairs.append((i, j, score))
            blocks[i, j] = scored[i, j]
            continue
        matcher = matchers.get(j)
        if matcher is None:  # SequenceMatcher indexes its second sequence once
            matcher = matchers[j] = SequenceMatcher(None, b=new_words[j], autojunk=False)
        matcher.set_seq1(old_words[i])
        score = matcher.ratio()
        if score >= PAIR_THRESHOLD:
            scored[i, j] = matcher.get_matching_blocks()  # computed by ratio()
            heappush(waiting, (-(score + bonus(i, j)), distance, i, j, score))
    return pairs


def _regions(positions: list[int], anchors: list[int]) -> dict[int, int]:
    """For each of the positions left to pair, the gap between anchors it lies in (the number
    of anchors before it)."""
    return {k: bisect_left(anchors, k) for k in positions}


def _candidates(old_bags: dict[int, Bag], new_bags: dict[int, Bag]) -> dict[int, list[tuple[int, float]]]:
    """For each new clause, the old clauses that may reach the threshold with it, with the
    bound of their ratio.

    A pair's ratio is at most 2*shared / (n + m), ``shared`` being the word occurrences the
    two bags have in common. The old clauses are lanes of ``width`` bits in integers: each
    word occurrence found on both sides has an integer with a 1 in the lane of every old
    clause holding it, and a new clause adds up the integers of its occurrences, so that
    each lane counts what its old clause shares with the new one, in one sum at C speed.
    Each lane then holds 2*D*shared - N*(n + m) plus a bias of half a lane (N/D: the
    threshold rounded down to hundredths), so its top bit is set where the bound may reach
    the threshold, and only the clauses whose bit is set are read one by one.
    """
    both = set().union(*old_bags.values()) & set().union(*new_bags.values())
    olds = [(i, len(bag)) for i, bag in old_bags.items() if bag]
    found: dict[int, list[tuple[int, float]]] = {j: [] for j in new_bags}
    if not olds or not new_bags:
        return found
    n, d = _THRESHOLD.numerator, _THRESHOLD.denominator
    longest = max(size for _, size in olds) + max(map(len, new_bags.values()))
    width = max(n * longest, 2 * d * longest).bit_length() + 1  # no lane ever spills into the next
    half = 1 << (width - 1)
    ones = ((1 << (width * len(olds))) - 1) // ((1 << width) - 1)  # a 1 in every lane
    tops = ones << (width - 1)
    bias = sum((half - n * size) << (width * k) for k, (_, size) in enumerate(olds))
    masks: defaultdict[str, int] = defaultdict(int)
    for k, (i, _) in enumerate(olds):
        lane = 1 << (width * k)
        for occurrence in both.intersection(old_bags[i]):
            masks[occurrence] |= lane
    for j, new_bag in new_bags.items():
        m = len(new_bag)
        counts = sum(map(masks.__getitem__, both.intersection(new_bag)))
        passing = (2 * d * counts + bias - n * m * ones) & tops
        hits = found[j]
        while passing:
            low = passing & -passing
            passing ^= low
            k = low.bit_length() // width - 1
            i, size = olds[k]
            bound = 2.0 * (counts >> (width * k) & (2 * half - 1)) / (size + m)
            if bound >= PAIR_THRESHOLD:
                hits.append((i, bound))
        hits.sort()
    return found


def _out_of_place(
    i: int, j: int, anchor_old: list[int], anchor_new: list[int], new_len: int
) -> bool:
    """True when new position ``j`` lies outside the gap between the anchors around old ``i``."""
    k = bisect_left(anchor_old, i)
    before = anchor_new[k - 1] if k > 0 else -1
    after = anchor_new[k] if k < len(anchor_new) else new_len
    return not before < j < after


def _reading_order(changes: list[ClauseEdit]) -> list[ClauseEdit]:
    """Sort by new position; a removed clause follows the survivor that preceded it in old."""
    by_old: dict[int, ClauseEdit] = {}  # every old clause is in exactly one change
    for change in changes:
        if change.old_index is not None:
            for i in change.old_indexes or (change.old_index,):
                by_old[i] = change
    follows: dict[int, int] = {}  # removed old index -> new index it is shown after (-1: start)
    last_new = -1
    for i in sorted(by_old):
        new_index = by_old[i].new_index
        if new_index is None:
            follows[i] = last_new
        else:
            last_new = new_index
    span = max(by_old, default=0) + 1

    def position(change: ClauseEdit) -> int:
        """(new position, 0, 0) for a clause on the new side, (the new position it follows,
        1, old position) for a removed one, as one integer: a page of 200,000 clauses sorts
        without 200,000 tuples."""
        if change.new_index is not None:
            return change.new_index * 2 * span
        old_index = change.old_index
        assert old_index is not None  # every change has a side
        return follows[old_index] * 2 * span + span + old_index

    return sorted(changes, key=position)


def _edit(
    kind: Kind, old: Sequence[_Clause], new: Sequence[_Clause], olds: tuple[int, ...], news: tuple[int, ...],
    score: float, ops: tuple[WordOp, ...] = (), moved: bool = False, texts: tuple[str, str] | None = None,
) -> ClauseEdit:
    """The change of clauses ``olds`` into ``news``, with its flags, categories and cosmetic
    mark; ``texts``: the two sides' texts when a side has several clauses (joined)."""
    old_text, new_text = texts or (old[olds[0]].text if olds else None, new[news[0]].text if news else None)
    cosmetic = kind == Kind.MOVED or (
        kind in (Kind.MODIFIED, Kind.SPLIT, Kind.MERGED, Kind.REWRITTEN) and is_cosmetic(old_text or "", new_text or "")
    )
    many = len(olds) > 1 or len(news) > 1
    return ClauseEdit(
        kind, olds[0] if olds else None, news[0] if news else None, old_text, new_text,
        old[olds[0]].section if olds else None, new[news[0]].section if news else None,
        similarity=score, ops=ops, moved=moved,
        old_indexes=olds if many else (), new_indexes=news if many else (),
        flags=change_flags(old_text, new_text),
        categories=combined(clause_categories(text) for text in
                            chain((old[i].text for i in olds), (new[j].text for j in news))),
        cosmetic=cosmetic,
    )


def _measured(old: str, new: str, blocks: dict[tuple[int, int], list[Match]], key: tuple[int, int]) -> float:
    """The similarity of two texts (words.similarity), keeping the matching blocks under
    ``key`` for the redline, which would compute them again."""
    old_words, new_words = words(old), words(new)
    found = blocks[key] = SequenceMatcher(None, old_words, new_words, autojunk=False).get_matching_blocks()
    total = len(old_words) + len(new_words)
    return 2.0 * sum(block.size for block in found) / total if total else 1.0
