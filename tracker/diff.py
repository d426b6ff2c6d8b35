"""Clause-level diff between two versions of a policy.

A version is an ordered list of clauses (anything with ``.text`` and ``.section``). The diff is
built in four passes, each simple enough to explain to a reader of the change log:

1. exact alignment: the clauses difflib aligns as a common subsequence of the two lists of
   texts (longest common runs first) are ``unchanged``; they are the anchors;
2. identical texts left over on both sides are ``moved``;
3. remaining clauses are paired by word similarity, best pairs first, into ``modified``
   (with a word-level redline, and ``moved`` set when the pair left its gap between anchors);
4. whatever is still unpaired is ``added`` or ``removed``.

Only texts that are exactly equal count as unchanged or moved: a one-word edit such as
"We do not sell" -> "We do sell" is always ``modified``, however similar the two texts are.
Everything here is a pure function of its input, so a whole history can be re-diffed.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import chain
from typing import Iterable, Protocol, Sequence

# Minimum word similarity for an old and a new clause to be shown as one modified clause
# rather than a removal plus an addition. Tuned on the shared corpus's real revisions
# (consecutive reference texts of its 15 pages, markup stripped, one clause per paragraph):
# all 26 pairs scoring 0.45-0.50 were the same clause reworded; from 0.40 to 0.45 about one
# pair in nine joined two different clauses (two processors that share "provides more
# information on how it processes data"), and below 0.40 such wrong pairs are common.
_PAIR_THRESHOLD = 0.45

# A token is a word or a single punctuation mark, followed by the whitespace after it.
_TOKEN = re.compile(r"(\w+|[^\w\s])(\s*)")
_COSMETIC = re.compile(r"[\W_]+")

# A text's words numbered by occurrence (see _occurrences).
_Bag = frozenset[tuple[str, int]]


class _Clause(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def section(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class WordOp:
    """One run of a word-level redline; ``text`` keeps its words' spacing exactly."""

    op: str  # "equal" | "insert" | "delete"
    text: str


@dataclass(frozen=True)
class ClauseChange:
    """What happened to one old clause, one new clause, or an old/new pair."""

    kind: str  # "unchanged" | "moved" | "modified" | "added" | "removed"
    old_index: int | None
    new_index: int | None
    old_text: str | None
    new_text: str | None
    old_section: tuple[str, ...] | None
    new_section: tuple[str, ...] | None
    similarity: float  # 1.0 unchanged/moved, word similarity for modified, 0.0 added/removed
    ops: tuple[WordOp, ...] = ()  # word-level redline, only for modified
    moved: bool = False  # modified clause that also left its place among the unchanged ones


def diff_clauses(old: Sequence[_Clause], new: Sequence[_Clause]) -> list[ClauseChange]:
    """Align two clause sequences; every clause of either side appears in exactly one change.

    The result is in reading order: by new position, with each removed clause right after
    the new-side counterpart of the clause that preceded it in the old version.
    """
    old_texts = [clause.text for clause in old]
    new_texts = [clause.text for clause in new]

    matcher = SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    anchors = [
        (block.a + k, block.b + k)
        for block in matcher.get_matching_blocks()
        for k in range(block.size)
    ]
    old_rest = _without(range(len(old)), (i for i, _ in anchors))
    new_rest = _without(range(len(new)), (j for _, j in anchors))

    moves = _pair_identical(old_rest, new_rest, old_texts, new_texts)
    old_rest = _without(old_rest, (i for i, _ in moves))
    new_rest = _without(new_rest, (j for _, j in moves))

    edits = _pair_similar(old_rest, new_rest, old, new)
    old_rest = _without(old_rest, (i for i, _, _ in edits))
    new_rest = _without(new_rest, (j for _, j, _ in edits))

    anchor_old = [i for i, _ in anchors]
    anchor_new = [j for _, j in anchors]
    changes = [_kept("unchanged", old[i], new[j], i, j) for i, j in anchors]
    changes += [_kept("moved", old[i], new[j], i, j) for i, j in moves]
    changes += [
        ClauseChange(
            "modified", i, j, old[i].text, new[j].text, old[i].section, new[j].section,
            similarity=score,
            ops=word_diff(old[i].text, new[j].text),
            moved=_out_of_place(i, j, anchor_old, anchor_new, len(new)),
        )
        for i, j, score in edits
    ]
    changes += [
        ClauseChange("added", None, j, None, new[j].text, None, new[j].section, 0.0)
        for j in new_rest
    ]
    changes += [
        ClauseChange("removed", i, None, old[i].text, None, old[i].section, None, 0.0)
        for i in old_rest
    ]
    return _reading_order(changes)


def word_diff(old: str, new: str) -> tuple[WordOp, ...]:
    """Word-level ops turning ``old`` into ``new``.

    Words and punctuation are compared without their trailing whitespace, so "data." at the
    end of a clause still matches "data. " before an appended sentence; a whitespace
    difference inside matched text becomes its own small delete/insert so that the ops of
    each side join back into that side's exact string.
    """
    old_lead, old_tokens = _tokens(old)
    new_lead, new_tokens = _tokens(new)
    pieces = _same_or_replaced(old_lead, new_lead)
    matcher = SequenceMatcher(
        None, [w for w, _ in old_tokens], [w for w, _ in new_tokens], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for (word, old_space), (_, new_space) in zip(old_tokens[i1:i2], new_tokens[j1:j2]):
                pieces.append(("equal", word))
                pieces += _same_or_replaced(old_space, new_space)
        else:
            pieces.append(("delete", "".join(w + s for w, s in old_tokens[i1:i2])))
            pieces.append(("insert", "".join(w + s for w, s in new_tokens[j1:j2])))
    return _merge(pieces)


def redline(ops: Sequence[WordOp]) -> str:
    """Inline rendering: ``[-deleted-]{+inserted+}``, like ``git diff --word-diff``.

    As in git, whitespace ending a changed run is printed after the markers ("We do [-not-]
    sell"), which reads better than "[-not -]sell"; the ops themselves stay exact.
    """
    out: list[str] = []
    k = 0
    while k < len(ops):
        if ops[k].op == "equal":
            out.append(ops[k].text)
            k += 1
            continue
        group = [ops[k]]
        if ops[k].op == "delete" and k + 1 < len(ops) and ops[k + 1].op == "insert":
            group.append(ops[k + 1])
        k += len(group)
        trailing = _common_trailing_space([op.text for op in group])
        bodies = [op.text[: len(op.text) - len(trailing)] for op in group]
        if not all(bodies):
            bodies, trailing = [op.text for op in group], ""
        for op, body in zip(group, bodies):
            out.append(f"[-{body}-]" if op.op == "delete" else f"{{+{body}+}}")
        out.append(trailing)
    return "".join(out)


def similarity(old: str, new: str) -> float:
    """Share of words (and punctuation marks) two texts have in common, in order, 0..1."""
    return SequenceMatcher(None, _words(old), _words(new), autojunk=False).ratio()


def is_cosmetic(old: str, new: str) -> bool:
    """Only case, punctuation or whitespace differ: such an edit is not a material change."""
    return _COSMETIC.sub("", old).casefold() == _COSMETIC.sub("", new).casefold()


def summarize(changes: Iterable[ClauseChange]) -> dict[str, int]:
    """Count changes per kind; every kind is present so callers can index without checks."""
    counts = dict.fromkeys(("unchanged", "moved", "modified", "added", "removed"), 0)
    for change in changes:
        counts[change.kind] += 1
    return counts


def _kept(kind: str, old: _Clause, new: _Clause, i: int, j: int) -> ClauseChange:
    return ClauseChange(kind, i, j, old.text, new.text, old.section, new.section, 1.0)


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


def _pair_similar(
    old_rest: list[int], new_rest: list[int], old: Sequence[_Clause], new: Sequence[_Clause]
) -> list[tuple[int, int, float]]:
    """Pair clauses by word similarity, best first, one-to-one, at or above the threshold.

    Ties go to a pair in the same section, then to the pair whose positions are closest.
    SequenceMatcher is slow, so it only runs on pairs that pass two cheap upper bounds of its
    ratio: sharing one of their rarer words (``_candidates``) and sharing enough words at all.
    Neither bound ever rejects a pair that would reach the threshold.
    """
    old_words = {i: _words(old[i].text) for i in old_rest}
    new_words = {j: _words(new[j].text) for j in new_rest}
    old_bags = {i: _occurrences(words) for i, words in old_words.items()}
    new_bags = {j: _occurrences(words) for j, words in new_words.items()}
    scored = []
    for j, candidates in _candidates(old_bags, new_bags).items():
        for i in sorted(candidates):
            shared = len(old_bags[i] & new_bags[j])
            if 2.0 * shared / (len(old_words[i]) + len(new_words[j])) < _PAIR_THRESHOLD:
                continue
            score = SequenceMatcher(None, old_words[i], new_words[j], autojunk=False).ratio()
            if score >= _PAIR_THRESHOLD:
                scored.append((score, i, j))
    scored.sort(
        key=lambda s: (-s[0], old[s[1]].section != new[s[2]].section, abs(s[1] - s[2]), s[1], s[2])
    )
    pairs = []
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for score, i, j in scored:
        if i not in taken_old and j not in taken_new:
            taken_old.add(i)
            taken_new.add(j)
            pairs.append((i, j, score))
    return pairs


def _occurrences(words: list[str]) -> _Bag:
    """The words numbered by occurrence, ("the", 0), ("the", 1), ...

    Two texts' shared word count (repeats included) is then the size of a set intersection,
    an upper bound of SequenceMatcher's matches that Python computes at C speed.
    """
    return frozenset((word, k) for word, count in Counter(words).items() for k in range(count))


def _candidates(old_bags: dict[int, _Bag], new_bags: dict[int, _Bag]) -> dict[int, set[int]]:
    """For each new clause, the old clauses that share one of its rarer words.

    Prefix filtering from set-similarity joins: sort every clause's word occurrences rarest
    first. A pair can only reach the threshold if it shares ``_min_overlap`` occurrences, and
    then the two clauses' rarest ``len - _min_overlap + 1`` occurrences must meet, so only
    those are indexed and probed. Common words ("the", "we") therefore never make every
    clause a candidate of every other. Any fixed order gives the same guarantee, so the
    arbitrary order among equally rare occurrences cannot change the result.
    """
    frequency = Counter(chain.from_iterable((*old_bags.values(), *new_bags.values())))
    rank = {e: r for r, e in enumerate(sorted(frequency, key=frequency.__getitem__))}

    def prefix(bag: _Bag) -> list[tuple[str, int]]:
        return sorted(bag, key=rank.__getitem__)[: len(bag) - _min_overlap(len(bag)) + 1]

    index: defaultdict[tuple[str, int], list[int]] = defaultdict(list)
    for i, bag in old_bags.items():
        for e in prefix(bag):
            index[e].append(i)
    return {j: {i for e in prefix(bag) for i in index.get(e, ())} for j, bag in new_bags.items()}


def _min_overlap(n: int) -> int:
    """Fewest shared words a clause of ``n`` words needs with any partner to reach the threshold.

    similarity = 2*shared / (n + m) and shared <= m give shared >= t*n / (2 - t); the small
    epsilon keeps float rounding from ever asking for one word too many.
    """
    return math.ceil(_PAIR_THRESHOLD * n / (2 - _PAIR_THRESHOLD) - 1e-9)


def _out_of_place(
    i: int, j: int, anchor_old: list[int], anchor_new: list[int], new_len: int
) -> bool:
    """True when new position ``j`` lies outside the gap between the anchors around old ``i``."""
    k = bisect_left(anchor_old, i)
    before = anchor_new[k - 1] if k > 0 else -1
    after = anchor_new[k] if k < len(anchor_new) else new_len
    return not before < j < after


def _reading_order(changes: list[ClauseChange]) -> list[ClauseChange]:
    """Sort by new position; a removed clause follows the survivor that preceded it in old."""
    follows: dict[int, int] = {}  # removed old index -> new index it is shown after (-1: start)
    last_new = -1
    with_old = [c for c in changes if c.old_index is not None]
    for change in sorted(with_old, key=lambda c: c.old_index):
        if change.new_index is None:
            follows[change.old_index] = last_new
        else:
            last_new = change.new_index

    def position(change: ClauseChange) -> tuple[int, int, int]:
        if change.new_index is not None:
            return (change.new_index, 0, 0)
        return (follows[change.old_index], 1, change.old_index)

    return sorted(changes, key=position)


def _tokens(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Split into leading whitespace and (word or punctuation mark, whitespace after it) pairs."""
    body = text.lstrip()
    return text[: len(text) - len(body)], _TOKEN.findall(body)


def _words(text: str) -> list[str]:
    return [word for word, _ in _TOKEN.findall(text)]


def _same_or_replaced(old: str, new: str) -> list[tuple[str, str]]:
    return [("equal", old)] if old == new else [("delete", old), ("insert", new)]


def _merge(pieces: list[tuple[str, str]]) -> tuple[WordOp, ...]:
    """Join pieces into runs: equal text together, each changed stretch as delete then insert."""
    ops: list[WordOp] = []
    runs = {"equal": "", "delete": "", "insert": ""}

    def flush(kinds: tuple[str, ...]) -> None:
        for kind in kinds:
            if runs[kind]:
                ops.append(WordOp(kind, runs[kind]))
                runs[kind] = ""

    for op, text in pieces:
        if not text:
            continue
        flush(("delete", "insert") if op == "equal" else ("equal",))
        runs[op] += text
    flush(("equal", "delete", "insert"))
    return tuple(ops)


def _common_trailing_space(texts: list[str]) -> str:
    spaces = [text[len(text.rstrip()):] for text in texts]
    return spaces[0] if len(set(spaces)) == 1 else ""
