"""Rewritten clauses: an old and a new clause that similarity alone did not pair, though the new
one keeps a substantial run of the old one's words (a sentence appended, half of the text cut,
the middle reworded at length), or took the old one's place and kept a good share of its words.

Runs after the similarity pairing of tracker.diff._align, on the clauses it left; a pure
function of its input like the rest of the diff.

The evidence is the *distinctive* runs two clauses share: runs of ``RUN`` consecutive words
(punctuation aside, case ignored; ``CJK_RUN`` characters of Chinese or Japanese text, one word
each) that both clauses contain, unless the run is boilerplate: a run that ``BOILERPLATE``
clauses of one version contain ("provides more information on how it processes data" after
each of ten processors) says nothing about which of them a clause became. The kept words of a
pair are the words of the old clause inside such runs. Two rules pair what is left:

- ``pair_rewritten``: the kept words are at least ``MIN_KEPT`` and a large share of the
  shorter clause (``CONTAINED``), or, for two clauses in the same gap between unchanged
  clauses, a smaller one (``NEARBY``);
- ``pair_in_place``: where the same number of old and new clauses lie between the same two
  neighbours (unchanged or paired clauses) on both sides, the k-th old one and the k-th new
  one are paired when their words, boilerplate aside, are at least ``IN_PLACE`` similar, and
  still are without their names and numbers: a company's name and a period recur in clauses about anything, so a
  clause rewritten keeping only them kept nothing of substance.

"We do not sell" -> "We do sell" never reaches these rules: similarity pairs it first. Table
rows are paired before similarity, by ``pair_rows``: two rows in the same gap between unchanged
clauses that start with the same first cell (what the row is about: "Location | ..."), no other
row there starting with it, are the same row with its other cells edited.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress, repeat

from cydifflib import SequenceMatcher

from tracker.diff.words import tokens
from tracker.writing import CELL_SEPARATOR, CJK_CHARS

RUN = 3
CJK_RUN = 6
BOILERPLATE = 3  # a run found in this many distinct clauses of one version near the clauses left
NEAR = 12  # clauses before and after each clause left where boilerplate is looked for
MIN_KEPT = 5
CONTAINED = 0.5
NEARBY = 0.2
IN_PLACE = 0.25

_CJK = re.compile(f"[{CJK_CHARS}]")
# A word inside a sentence (after a space not after a mark that ends a sentence or starts a
# new one, "Payments: Card", or a table cell, "Data | Source"), opening quotes and brackets aside.
_INSIDE = re.compile(r"(?<![.!?:;|。！？])\s+[(\"“'‘]*([^\W\d_]\w*)")


@dataclass(frozen=True)
class Evidence:
    """What the clauses left to pair share: ``kept[i, j]``, the kept words of each old and new
    clause that share a distinctive run; ``boilerplate``, the runs that say nothing."""

    kept: dict[tuple[int, int], int]
    boilerplate: frozenset[str]


@lru_cache(maxsize=16384)
def runs(text: str) -> tuple[str, ...]:
    """The runs of the text, in order (one per starting word), each as one string (a token
    never holds a space); cached like words()."""
    found = tokens(text)
    cjk = not text.isascii() and _CJK.search(text)  # isascii() costs nothing: most texts are not scanned
    size = CJK_RUN if cjk and len(_CJK.findall(text)) * 2 > len(found) else RUN
    return tuple(map(" ".join, zip(*(found[k:] for k in range(size)))))


def find_rewrites(
    old_texts: list[str], new_texts: list[str], old_rest: list[int], new_rest: list[int],
    edits: list[tuple[int, int, float]], regions: tuple[dict[int, int], dict[int, int]],
    unchanged: Iterable[tuple[int, int]],
) -> tuple[Evidence, list[tuple[int, int]]]:
    """The evidence among the clauses left to pair (``*_rest``) after the similarity pairs
    ``edits`` (for the split search and the runs too), and the pairs of rewritten clauses
    among them."""
    old_left = set(old_rest) - {i for i, _, _ in edits}
    new_left = set(new_rest) - {j for _, j, _ in edits}
    found = evidence(old_texts, new_texts, old_rest, new_rest, old_left, new_left)
    rewritten = pair_rewritten(old_texts, new_texts, regions, {
        (i, j): count for (i, j), count in found.kept.items() if i in old_left and j in new_left})
    old_left.difference_update(i for i, _ in rewritten)
    new_left.difference_update(j for _, j in rewritten)
    fixed = chain(unchanged, ((i, j) for i, j, _ in edits), rewritten)
    in_place = pair_in_place(old_texts, new_texts, fixed, old_left, new_left, found.boilerplate)
    return found, rewritten + in_place


def evidence(
    old_texts: list[str], new_texts: list[str], old_rest: list[int], new_rest: list[int],
    old_left: set[int], new_left: set[int],
) -> Evidence:
    """The evidence among the clauses left to pair (``*_rest``), for the pairs of which at
    least one clause is still unpaired (``*_left``: a clause paired by similarity may be
    split, but needs no other partner)."""
    if not old_rest or not new_rest or not (old_left or new_left):
        return Evidence({}, frozenset())
    old_runs = set().union(*(runs(old_texts[i]) for i in old_rest))
    new_runs = set().union(*(runs(new_texts[j]) for j in new_rest))
    every = old_runs | new_runs
    boilerplate = _frequent(old_texts, old_rest, every) | _frequent(new_texts, new_rest, every)
    shared = (old_runs & new_runs) - boilerplate
    where: defaultdict[str, list[int]] = defaultdict(list)
    for j in new_rest:
        for run in shared.intersection(runs(new_texts[j])):
            where[run].append(j)
    covered: defaultdict[tuple[int, int], set[int]] = defaultdict(set)
    for i in old_rest:
        found = runs(old_texts[i])
        if shared.isdisjoint(found):
            continue
        left = i in old_left
        size = found[0].count(" ") + 1  # every run of a text has its size
        for k in compress(range(len(found)), map(shared.__contains__, found)):  # where a shared run starts
            for j in where[found[k]]:
                if left or j in new_left:
                    covered[i, j].update(range(k, k + size))
    return Evidence({pair: len(positions) for pair, positions in covered.items()}, frozenset(boilerplate))


def pair_rewritten(
    old_texts: list[str], new_texts: list[str], regions: tuple[dict[int, int], dict[int, int]],
    kept: dict[tuple[int, int], int],
) -> list[tuple[int, int]]:
    """Pairs of rewritten clauses among ``kept``'s, one-to-one, the best kept share first."""
    old_region, new_region = regions
    scored = []
    for (i, j), count in kept.items():
        shorter = min(len(tokens(old_texts[i])), len(tokens(new_texts[j])))
        share = count / shorter
        nearby = old_region[i] == new_region[j]
        if count >= MIN_KEPT and (share >= CONTAINED or (nearby and share >= NEARBY)):
            scored.append((-share, -count, abs(i - j), i, j))
    scored.sort()
    pairs = []
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for *_, i, j in scored:
        if i not in taken_old and j not in taken_new:
            taken_old.add(i)
            taken_new.add(j)
            pairs.append((i, j))
    return pairs


def pair_rows(
    old_texts: list[str], new_texts: list[str], regions: tuple[dict[int, int], dict[int, int]],
    old_left: set[int], new_left: set[int],
) -> list[tuple[int, int]]:
    """Table rows that kept their first cell, in the same gap: the first cell names what a row
    is about, and its other cells (a purpose, a period) are what gets rewritten, often into
    words that a row added beside it shares ("30 days", and the cell separators), which
    similarity would take for the row."""
    olds = _rows(old_texts, old_left, regions[0])
    news = _rows(new_texts, new_left, regions[1])
    return sorted((i[0], news[key][0]) for key, i in olds.items() if len(i) == 1 and len(news.get(key, ())) == 1)


def _rows(texts: list[str], left: set[int], region: dict[int, int]) -> defaultdict[tuple[int, str], list[int]]:
    """The table rows left, by their gap and first cell (case aside)."""
    found: defaultdict[tuple[int, str], list[int]] = defaultdict(list)
    for k in left:
        label, separator, _ = texts[k].partition(CELL_SEPARATOR)
        if separator and label.strip():
            found[region[k], label.strip().casefold()].append(k)
    return found


def pair_in_place(
    old_texts: list[str], new_texts: list[str], fixed: Iterable[tuple[int, int]],
    old_left: set[int], new_left: set[int], boilerplate: frozenset[str],
) -> list[tuple[int, int]]:
    """Clauses that took each other's place: ``fixed`` are the pairs already made (unchanged
    ones included); between two of them that keep their order, the clauses left on both
    sides, when as many, are paired in order if similar enough, boilerplate aside, and still
    similar enough without their names and numbers."""
    pairs = []
    last_old = last_new = -1
    for i, j in sorted((*fixed, (len(old_texts), len(new_texts)))):
        if j <= last_new:
            continue  # out of order (moved): not a neighbour of what lies around it
        olds = [k for k in range(last_old + 1, i) if k in old_left]
        news = [k for k in range(last_new + 1, j) if k in new_left]
        if olds and len(olds) == len(news):
            pairs += [(a, b) for a, b in zip(olds, news) if _in_place(old_texts[a], new_texts[b], boilerplate)]
        last_old, last_new = i, j
    return pairs


def _in_place(old: str, new: str, boilerplate: frozenset[str]) -> bool:
    """The share of words two texts have in common, in order, outside boilerplate runs, is at
    least IN_PLACE, and still is with the names and numbers of either left out."""
    old_words, new_words = _unshared(old, boilerplate), _unshared(new, boilerplate)
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
    total = len(old_words) + len(new_words)
    if matcher.ratio() < IN_PLACE:
        return False
    kept = [word for a, _, size in matcher.get_matching_blocks() for word in old_words[a:a + size]]
    if not any(map(_may_be_named, kept, repeat(old), repeat(new))):
        return True  # no kept word is a name or a number: leaving them out only raises the share
    aside = names_and_numbers(old) | names_and_numbers(new)
    total -= sum(map(aside.__contains__, old_words)) + sum(map(aside.__contains__, new_words))
    return total > 0 and 2.0 * (len(kept) - sum(map(aside.__contains__, kept))) / total >= IN_PLACE


def _may_be_named(word: str, old: str, new: str) -> bool:
    """The word (case folded) has a digit, or is written with a capital in either text."""
    capital = word.capitalize()
    return not word.isalpha() or (capital != word and (capital in old or capital in new))


def _unshared(text: str, boilerplate: frozenset[str]) -> list[str]:
    """The text's words outside its boilerplate runs."""
    covered = boilerplate_positions(text, boilerplate)
    return [w for k, w in enumerate(tokens(text)) if k not in covered]


@lru_cache(maxsize=16384)
def names_and_numbers(text: str) -> frozenset[str]:
    """The words (case folded) the text writes with a digit, or, when it is written in sentence
    case (a word of more than three letters in lower case inside a sentence), with a capital
    inside a sentence: in a title-case heading ("Your Privacy Choices") a capital names nothing.
    Cached like runs()."""
    numbers = {word for word in tokens(text) if not word.isalpha()}  # a word is letters, digits and _
    inside = _INSIDE.findall(text)
    if any(len(word) > 3 and word.islower() for word in inside):
        numbers.update(word.casefold() for word in inside if word[0].isupper())
    return frozenset(numbers)


def boilerplate_positions(text: str, boilerplate: frozenset[str]) -> set[int]:
    """The positions of the text's words (``tokens``) inside its boilerplate runs."""
    covered: set[int] = set()
    if boilerplate and not boilerplate.isdisjoint(found := runs(text)):  # most texts have none
        size = found[0].count(" ") + 1  # every run of a text has its size
        for k in compress(range(len(found)), map(boilerplate.__contains__, found)):
            covered.update(range(k, k + size))
    return covered


def _frequent(texts: list[str], rest: list[int], wanted: set[str]) -> set[str]:
    """The wanted runs that at least BOILERPLATE of the texts within NEAR clauses of those
    left (``rest``) contain: boilerplate repeats in the list or section it serves, and looking
    only there keeps the cost of a small change small. Copies of one text (its words the
    same, punctuation and case aside) count once, as a page that shows a clause twice has not
    made it boilerplate."""
    near: list[int] = []
    reached = 0
    for k in sorted(rest):  # each window from where the one before it ended
        stop = min(len(texts), k + NEAR + 1)
        near += range(max(reached, k - NEAR), stop)
        reached = stop
    counts = Counter(chain.from_iterable(map(wanted.intersection, {runs(texts[k]) for k in near})))
    return set(compress(counts, map(BOILERPLATE.__le__, counts.values())))  # count >= BOILERPLATE
