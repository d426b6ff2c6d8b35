"""Split and merge detection: one clause that became a run of consecutive clauses, or back.

Runs after the similarity pairing of tracker.diff._align, on the clauses it left unpaired or paired
as modified; a pure function of its input like the rest of the diff.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import chain

from cydifflib import SequenceMatcher

from tracker.diff._rewrites import MIN_KEPT
from tracker.diff.words import bag, words

# A split or merge needs the joined run to match the single clause at least this well.
SPLIT_THRESHOLD = 0.6
# ... and every clause of the run to have at least this share of its words in the other side,
SPLIT_CONTAINMENT = 0.7
# ... or this share when it also keeps a distinctive run of the single clause's words (an
# edited piece: tracker.diff._rewrites).
EDITED_CONTAINMENT = 0.5
# A removed clause is tried as a split at new clauses starting with its first words.
SEED_WORDS = 3


def find_splits(
    one_texts: list[str], many_texts: list[str], one_rest: list[int], many_rest: list[int],
    pairs: list[tuple[int, int, float]], kept: dict[tuple[int, int], int],
) -> list[tuple[int, tuple[int, ...], float]]:
    """Clauses on the "one" side whose text is a run of consecutive clauses on the "many" side.

    Called with old/new for splits and new/old for merges; ``kept[one, many]``: the words of
    the pair inside distinctive runs they share (tracker.diff._rewrites.kept_words). A clause
    paired as modified grows its partner into a run; an unpaired one starts from a free clause
    beginning with its first words, or keeping ``MIN_KEPT`` of its words. A run grows by a free
    neighbour that has at least ``SPLIT_CONTAINMENT`` of its words in the single clause (an
    edited piece that keeps a distinctive run of it: ``EDITED_CONTAINMENT``), while that raises
    the similarity of the joined text; it counts when it reaches ``SPLIT_THRESHOLD`` and beats
    the plain pairing.
    """
    partner = {o: (m, score) for o, m, score in pairs}
    free = set(many_rest) - {m for _, m, _ in pairs}
    by_start: defaultdict[tuple[str, ...] | None, list[int]] = defaultdict(list)
    for m in sorted(free):
        by_start[_start(many_texts[m])].append(m)
    keeping: defaultdict[int, set[int]] = defaultdict(set)  # the clauses keeping a run of each
    for one, m in kept:
        keeping[one].add(m)
    found = []
    for o in one_rest:
        if o in partner:
            seeds: list[tuple[int, float | None]] = [(partner[o][0], partner[o][1])]
            floor = partner[o][1]
        else:
            starts = by_start.get(_start(one_texts[o]), [])
            keeps = [m for m in sorted(keeping[o]) if kept[o, m] >= MIN_KEPT and m not in starts]
            seeds = [(m, None) for m in (*starts, *keeps) if m in free]
            floor = 0.0
        if not any(m - 1 in free or m + 1 in free for m, _ in seeds):
            continue
        best: tuple[tuple[int, ...], float] | None = None
        for seed, score in seeds:
            run, score = _grow(one_texts[o], seed, score, free, many_texts, keeping[o])
            if len(run) > 1 and score >= max(SPLIT_THRESHOLD, floor) and (best is None or score > best[1]):
                best = (run, score)
        if best is not None:
            found.append((o, best[0], best[1]))
            free -= set(best[0])
    return found


def _grow(one: str, seed: int, score: float | None, free: set[int],
          many_texts: list[str], keeping: set[int]) -> tuple[tuple[int, ...], float]:
    """The run of consecutive clauses around ``seed`` whose joined words best match ``one``.

    A neighbour is only scored when the cheap bound (its shared words added to the run's)
    could beat the current score, and when enough of its own words are in ``one``.
    (Words and bags come from tracker.diff.words' caches: each text is tokenized once.)
    """
    target, target_bag = words(one), bag(one)
    run: tuple[int, ...] = (seed,)
    shared = len(bag(many_texts[seed]) & target_bag)
    length = len(words(many_texts[seed]))
    if not target and not length:  # two texts without a word (never a normalised clause)
        return run, 0.0
    if score is None:  # an unpaired seed: its bound will do, the run must beat it anyway
        if shared < _containment(seed, keeping) * length:
            return run, 0.0
        score = 2.0 * shared / (len(target) + length)
    while True:
        scored = []
        for k, candidate in ((run[-1] + 1, (*run, run[-1] + 1)), (run[0] - 1, (run[0] - 1, *run))):
            if k not in free:
                continue
            common = len(bag(many_texts[k]) & target_bag)
            size = len(words(many_texts[k]))
            bound = 2.0 * min(shared + common, len(target)) / (len(target) + length + size)
            if size and common >= _containment(k, keeping) * size and bound > score:
                scored.append((_ratio(target, candidate, many_texts), candidate, common, size))
        if not scored:
            return run, score
        best_score, best_run, common, size = max(scored, key=lambda s: s[0])
        if best_score <= score:
            return run, score
        run, score, shared, length = best_run, best_score, shared + common, length + size


def _containment(piece: int, keeping: set[int]) -> float:
    return EDITED_CONTAINMENT if piece in keeping else SPLIT_CONTAINMENT


def _ratio(target: tuple[str, ...], run: tuple[int, ...], many_texts: list[str]) -> float:
    joined = list(chain.from_iterable(words(many_texts[k]) for k in run))
    return SequenceMatcher(None, target, joined, autojunk=False).ratio()


def _start(text: str) -> tuple[str, ...] | None:
    first = [w.casefold() for w in words(text)[:SEED_WORDS]]
    return tuple(first) if len(first) == SEED_WORDS else None
