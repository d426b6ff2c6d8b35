"""Flips: a part of the page that one capture lacks (or alone shows) and the next capture has
as before. A collapsible section rendered in one capture and not the next, a regional notice
served to one crawl only: the policy did not change twice. A capture that differs from the
latest version by one run of consecutive clauses, missing or added, while the next capture
agrees with the latest version about that run, is a capture of that version; so is one that
differs by a few such runs (up to `MAX_RUNS`: a template variant leaving out a banner at the
top and a tool row at the bottom at once) when the next capture agrees about every one (`derive` looks
one capture ahead, or two when the next one lacks or shows the same run: a flip lasting two
captures). A missing run may come back with a small edit of its own: the edit is a version,
the capture without the run is not. Without a next capture to tell (the newest capture of a
history), it is a version.

A flip at the first capture of a history cannot be told: a first capture lacking a run that
every later capture shows reads exactly as a policy that added that run after its first
capture, and there is no version before it to agree with.

Runs are found in words, not in clause texts: the captures around a flip may flow the same
words into other clauses (a re-flow: `diff.same_words`), and the next capture may flip
another part of the page (a second flip) or hold a real edit elsewhere. What the next capture
must show is the latest version's words where the run is, beside a few words either side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from cydifflib import SequenceMatcher

from tracker.diff.words import Match, matching_blocks, words
from tracker.writing import CELL_SEPARATOR

_TITLE_CHARS = 60
MAX_RUNS = 3  # runs one capture may lack or show at once (a banner, a tool row, a notice)
_CONTEXT = 8  # words either side of the run that the next capture must show as the latest version does
_EDITED = 0.8  # a missing run back with an edit reads this much as before (difflib's ratio of its words)
_START, _END = "\x02", "\x03"  # the text's ends, so that a run at an end keeps its place
_JOINT = "\x01"
_CELL_JOINT = CELL_SEPARATOR.strip()
_Side = tuple[list[str], list[int], Sequence[str]]  # a text's words, each clause's first word, its clauses


@dataclass(frozen=True)
class Run:
    """One run of consecutive clauses one capture lacks or alone shows, with the latest
    version's words either side of its place."""

    note: str  # "'Cookies' and 3 more clauses missing"
    missing: bool
    words: tuple[str, ...]  # the run's
    before: tuple[str, ...]
    after: tuple[str, ...]

    def kept_in(self, texts: Sequence[str], edited: bool = True) -> bool:
        """Whether a capture of these clause texts agrees with the latest version about the
        run: it shows the missing run beside the words before or after it (or, between them,
        the run with a small edit), or it shows the words before the added run's place followed
        by those after it, nothing between (a run shown there again, even rewritten, is the
        policy's: the capture that added it is a version). `edited`: whether a missing run
        may be back with a small edit."""
        tokens = [_START, *_text_words(tuple(texts))[0], _END]
        found = _joined(tokens)

        def has(*parts: tuple[str, ...]) -> bool:
            return _joined([w for part in parts for w in part]) in found

        if self.missing:
            return (has(self.before, self.words) or has(self.words, self.after)
                    or edited and self._back_edited(tokens, found))
        return has(self.before, self.after)

    def _back_edited(self, tokens: list[str], found: str) -> bool:
        """The missing run at its place between the words before and after it, edited: most
        of its words in order, and not much more."""
        at = found.find(_joined(list(self.before)))
        if at < 0:
            return False
        start = found.count(_JOINT, 0, at) + len(self.before)
        after = found.find(_joined(list(self.after)), at + len(_joined(list(self.before))) - 1)
        if after < 0:
            return False
        between = tokens[start:found.count(_JOINT, 0, after)]
        if not between or len(between) > 2 * len(self.words):
            return False
        return SequenceMatcher(None, self.words, between, autojunk=False).ratio() >= _EDITED


def runs_apart(old: Sequence[str], new: Sequence[str]) -> tuple[Run, ...] | None:
    """How `new` differs from `old` when it is by a few runs of consecutive clauses, each
    missing or added (never one in place of another), the words around them aside however
    they are split into clauses: a page whose template left out, or showed, a banner at the
    top and a tool row at the bottom in the same capture. None otherwise."""
    old_side, new_side = (*_text_words(tuple(old)), old), (*_text_words(tuple(new)), new)
    run = _one_run(old_side, new_side)
    if run is not None:
        return (run,)
    old_words, new_words = old_side[0], new_side[0]
    runs: list[Run] = []
    i = j = 0
    for a, b, size in [*_matching_blocks(old_side, new_side), Match(len(old_words), len(new_words), 0)]:
        if a > i and b > j:
            return None  # words replaced: an edit
        if a > i or b > j:
            if len(runs) == MAX_RUNS:
                return None
            found = _run(old_words, old_side if a > i else new_side, i, j if b > j else i, (a - i) or (b - j), a > i)
            if found is None:
                return None
            runs.append(found)
        i, j = a + size, b + size
    return tuple(runs) or None


def _one_run(old: _Side, new: _Side) -> Run | None:
    """How `new` differs from `old` when it is by one run of consecutive clauses, missing
    or added, the words around it aside however they are split into clauses; else None."""
    old_words, new_words = old[0], new[0]
    shortest = min(len(old_words), len(new_words))
    start = 0
    while start < shortest and old_words[start] == new_words[start]:
        start += 1
    end = 0
    while end < shortest - start and old_words[-1 - end] == new_words[-1 - end]:
        end += 1
    removed, added = len(old_words) - end - start, len(new_words) - end - start
    if removed and added or not (removed or added):
        return None
    return _run(old_words, old if removed else new, start, start, removed or added, bool(removed))


def _matching_blocks(old: _Side, new: _Side) -> list[Match]:
    """The matching blocks of the two sides' words, found clause by clause: the clauses equal
    on both sides first (a few hundred texts, where a diff of thousands of words is slow),
    then the words of what lies between them."""
    old_words, old_starts, old_texts = old
    new_words, new_starts, new_texts = new
    found = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_texts, new_texts, autojunk=False).get_opcodes():
        a, a_stop = _word_at(old_starts, i1, old_words), _word_at(old_starts, i2, old_words)
        b, b_stop = _word_at(new_starts, j1, new_words), _word_at(new_starts, j2, new_words)
        if tag == "equal":
            found.append(Match(a, b, a_stop - a))
        elif tag == "replace":
            found.extend(Match(a + x, b + y, n) for x, y, n in matching_blocks(old_words[a:a_stop], new_words[b:b_stop]))
    return [m for m in found if m.size]


def _word_at(starts: list[int], clause: int, side_words: list[str]) -> int:
    return starts[clause] if clause < len(starts) else len(side_words)


def share(runs: Sequence[Run], texts: Sequence[str]) -> float:
    """The share of the words of `texts` that the runs hold, counted as the runs' are."""
    return sum(len(run.words) for run in runs) / max(1, len(_text_words(tuple(texts))[0]))


def _run(latest_words: list[str], side: _Side, at: int, start: int,
         size: int, missing: bool) -> Run | None:
    """The run of `size` words from `start` of `side` (the latest version's words when
    `missing`, else the capture's), at word `at` of the latest version, when it is whole
    clauses (slid back as `_whole_clauses` does); else None."""
    side_words, starts, texts = side
    clauses = _whole_clauses(side_words, starts, start, start + size)
    if clauses is None:
        return None
    first, last, slid = clauses
    at -= start - slid
    title = texts[first] if len(texts[first]) <= _TITLE_CHARS else texts[first][:_TITLE_CHARS] + "…"
    count = last - first
    more = f" and {count - 1} more clause{'s' if count > 2 else ''}" if count > 1 else ""
    latest = [_START, *latest_words, _END]  # the run's place starts at `at` + 1 here
    return Run(f"{title!r}{more} {'missing' if missing else 'shown'}", missing, tuple(side_words[slid:slid + size]),
               tuple(latest[max(0, at + 1 - _CONTEXT):at + 1]), tuple(latest[at + 1 + (size if missing else 0):][:_CONTEXT]))


def flip_note(runs: Sequence[Run], captures: int = 1,
              placed: str = "(the captures before and after agree); a capture of the version before") -> str:
    """The capture's note: the runs it flips and where it is placed for that (`captures`:
    how many captures from this one on lack or show the runs)."""
    span = "this capture only" if captures == 1 else f"this capture and the next {captures - 1}"
    return f"a flip: {', '.join(run.note for run in runs)} in {span} {placed}"


@lru_cache(maxsize=8)  # the latest version's texts are read for each capture that differs from it
def _text_words(texts: tuple[str, ...]) -> tuple[list[str], list[int]]:
    """The words of the texts as `diff.same_words` compares them (case folded, a table row's
    cell joints left out), and the index of each text's first word."""
    found: list[str] = []
    starts = []
    for text in texts:
        starts.append(len(found))
        found.extend(w.casefold() for w in words(text) if w != _CELL_JOINT)
    return found, starts


def _whole_clauses(side: list[str], starts: list[int], start: int, stop: int) -> tuple[int, int, int] | None:
    """The clauses [first, last) that the run of words [start, stop) of `side` is, slid back
    as far as its words allow (a run that begins with the words following it may be read a
    few words late); None when no place of it begins and ends with a clause."""
    bounds = {at: i for i, at in enumerate(starts)} | {len(side): len(starts)}
    while True:
        first, last = bounds.get(start), bounds.get(stop)
        if first is not None and last is not None and last > first:
            return first, last, start
        if start == 0 or side[start - 1] != side[stop - 1]:
            return None
        start, stop = start - 1, stop - 1


def _joined(tokens: list[str]) -> str:
    return _JOINT + _JOINT.join(tokens) + _JOINT
