"""Rewritten stretches: the changes of a gap between unchanged clauses joined where a word diff
of the gap reads them as one stretch of rewritten text.

Runs last in tracker.diff._align, on the pairings the other passes made (modified, split,
merged, the pieces of tracker.diff._runs) and the clauses still unpaired; a pure function of
its input like the rest of the diff.

A piece's word diff cannot match words across pieces: when a run of clauses is rewritten as
another (sentences moved between clauses, a section re-cut, the page in another language), a
reader of the clause-level changes would see as changed the words a line diff refined by a
word diff keeps. So in each gap between two anchors, the pairings that keep their order (the
longest such run: a pairing that crossed another, and a clause paired outside the gap, are
left alone) and the unpaired clauses are word-diffed as runs of text (tracker.diff._runs.matches),
window by window: two consecutive pairings and the unpaired clauses between them. The diffs'
links (an old and a new clause sharing matched words) and the pairings, in order, make atoms:
the smallest stretches of consecutive clauses no link leaves. An atom is joined to the next
while the stretch keeps fewer than ``MIN_GAIN`` words outside boilerplate, unless either is a
pairing alone. A stretch made so becomes one change (modified, split, merged or ``rewritten``:
several old clauses as several new ones, by its shape) when its own word diff keeps at least
``MIN_GAIN`` more words, boilerplate aside, than the pairings inside it keep apart (each read
by its own diff) and, where both runs are in one language, each clause it takes (and each
pairing, when it joins several) shares at least ``SHARE`` of its words with the other side,
and still does without names and numbers: a heading renamed in place is not joined to the new
section after it through its number, nor two processors through a stock phrase (a lone clause
between two of its side that share is a line dropped from or put into the middle of the text
rewritten, and needs no share). Table rows are not re-cut: a stretch holding rows on both sides holds
one on each. In Chinese or Japanese a word is two characters as often as one, so
``MIN_GAIN`` doubles, and a character matched alone (的, 你) is not kept.
In runs of different languages (`tracker.writing.other_languages`: the page shown in another
language, told by each run's function words) the words a diff keeps are names, numbers
and loan words wherever they fall, and no share can tell which clause became which: the
stretches are the changes, and a gap whose two sides are in different languages (its clauses
lying together on each side; a side whose words tell no language is in its version's) is one
stretch, its pairings in any order taken into it, and a pairing from one such gap to another
undone.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from tracker.diff._runs import matches
from tracker.diff.words import tokens
from tracker.writing import CELL_SEPARATOR, CJK_CHARS, language_of, other_languages

# Tuned on the shared corpus's real revisions (bench/change_eval.py): a stretch must keep two
# more words than its pairings, and where both runs are in one language each clause it takes
# must share 15 % of its words (at 20 % the splits of a Chinese clause into two, a sentence
# moved with its neighbour, were lost; at 10 % a heading joined the section after it).
MIN_GAIN = 2
SHARE = 0.15

Piece = tuple[tuple[int, ...], tuple[int, ...]]
_CJK = re.compile(f"[{CJK_CHARS}]")


@dataclass
class _Atom:
    """Consecutive clauses that the gap's links and pairings tie together (inclusive spans)."""

    lo_old: int
    lo_new: int
    hi_old: int
    hi_new: int
    pairings: list[int] = field(default_factory=list)
    links: bool = False  # holds a link outside its pairings


def regroup(
    old_texts: list[str], new_texts: list[str], anchor_old: list[int], anchor_new: list[int],
    pairings: list[Piece], old_free: list[int], new_free: list[int], boilerplate: frozenset[str],
) -> tuple[list[Piece], set[Piece]]:
    """The stretches made, and the pairings they take the place of."""
    by_gap: defaultdict[int, tuple[list[Piece], list[int], list[int]]] = defaultdict(lambda: ([], [], []))
    across: list[tuple[Piece, int, int]] = []  # a pairing whose sides lie in two gaps, and the gaps
    for piece in pairings:
        gap = bisect_left(anchor_old, piece[0][0])
        other = bisect_left(anchor_new, piece[1][0])
        if gap == other:
            by_gap[gap][0].append(piece)
        else:
            across.append((piece, gap, other))
    for i in old_free:
        by_gap[bisect_left(anchor_old, i)][1].append(i)
    for j in new_free:
        by_gap[bisect_left(anchor_new, j)][2].append(j)
    made: list[Piece] = []
    taken: set[Piece] = set()
    for gap, whole in _translated_gaps(old_texts, new_texts, by_gap, across, taken).items():
        made.append(whole)
        taken.update(by_gap.pop(gap)[0])
    for gap_pairings, olds, news in by_gap.values():
        in_order = _in_order(gap_pairings)
        if (in_order or (olds and news)) and len(in_order) + len(olds) + len(news) > 1:
            stretches, replaced = _Gap(old_texts, new_texts, in_order, olds, news, boilerplate).regroup()
            made += stretches
            taken.update(replaced)
    return made, taken


def _translated_gaps(old_texts: list[str], new_texts: list[str],
                     by_gap: defaultdict[int, tuple[list[Piece], list[int], list[int]]],
                     across: list[tuple[Piece, int, int]], taken: set[Piece]) -> dict[int, Piece]:
    """The gaps read whole as translated (`_translated`), each as its stretch. A pairing from a
    gap to another, both translated, is undone (put in ``taken``), its clauses read with each
    gap's: across languages it rests on a name, like the pairings inside a gap, and it would
    otherwise cut both gaps in two. Pairings are undone only while both their gaps stay whole."""
    undone = {(piece, gap, other) for piece, gap, other in across}
    pages = _Languages(old_texts), _Languages(new_texts)
    while True:
        wholes: dict[int, Piece] = {}
        for gap in {*by_gap, *(g for _, g, _ in undone), *(g for _, _, g in undone)}:
            gap_pairings, olds, news = by_gap[gap]
            olds = [*olds, *(i for piece, g, _ in undone if g == gap for i in piece[0])]
            news = [*news, *(j for piece, _, g in undone if g == gap for j in piece[1])]
            whole = _translated(old_texts, new_texts, gap_pairings, olds, news, pages)
            if whole is not None:
                wholes[gap] = whole
        kept = {item for item in undone if item[1] not in wholes or item[2] not in wholes}
        if not kept:
            taken.update(piece for piece, _, _ in undone)
            return wholes
        undone -= kept


def _translated(old_texts: list[str], new_texts: list[str], pairings: list[Piece], free_old: list[int],
                free_new: list[int], pages: tuple[_Languages, _Languages]) -> Piece | None:
    """The whole gap as one stretch, its pairings in any order, when its two sides are in
    different languages and its clauses lie together on each side (no clause paired in
    another gap among them): across languages
    no clause-by-clause reading tells which clause became which (a pairing there rests on the
    names and numbers two clauses share), so the gap is read as one text rewritten, as a line
    diff refined by a word diff reads it, its names, numbers and loan words kept in order. A side
    too short or too plain to tell its language (a list of names and data types) is taken to be
    in its version's language (``pages``)."""
    olds = sorted([*free_old, *(i for o, _ in pairings for i in o)])
    news = sorted([*free_new, *(j for _, n in pairings for j in n)])
    if not olds or not news or olds[-1] - olds[0] + 1 != len(olds) or news[-1] - news[0] + 1 != len(news):
        return None
    if len(olds) + len(news) < 3:
        return None
    before = language_of(" ".join(old_texts[i] for i in olds)) or pages[0].main()
    after = language_of(" ".join(new_texts[j] for j in news)) or pages[1].main()
    return (tuple(olds), tuple(news)) if before is not None and after is not None and before != after else None


class _Languages:
    """A version's language: the one most of its longest clauses (``SAMPLE``) that tell one are
    in (one Chinese character in a language menu makes the whole text "zh" for language_of);
    read once, when a gap first needs it."""

    SAMPLE = 15

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.found: list[str | None] = []

    def main(self) -> str | None:
        if not self.found:
            longest = sorted(self.texts, key=len, reverse=True)[:self.SAMPLE]
            told = Counter(filter(None, map(language_of, longest))).most_common(1)
            self.found.append(told[0][0] if told else None)
        return self.found[0]


def _in_order(pairings: list[Piece]) -> list[Piece]:
    """The longest run of the pairings that keeps their order on both sides."""
    pairings = sorted(pairings)
    tails: list[int] = []  # the new index ending the best run of each length
    ends: list[int] = []
    before: list[int | None] = [None] * len(pairings)
    for k, (_, news) in enumerate(pairings):
        n = bisect_left(tails, news[0])
        if n:
            before[k] = ends[n - 1]
        if n == len(tails):
            tails.append(news[0])
            ends.append(k)
        else:
            tails[n], ends[n] = news[0], k
    run = []
    last = ends[-1] if ends else None
    while last is not None:
        run.append(pairings[last])
        last = before[last]
    return run[::-1]


class _Gap:
    """One gap between anchors: its pairings in order and its unpaired clauses."""

    def __init__(self, old_texts: list[str], new_texts: list[str], pairings: list[Piece],
                 free_old: list[int], free_new: list[int], boilerplate: frozenset[str]) -> None:
        self.old_texts, self.new_texts, self.pairings, self.boilerplate = old_texts, new_texts, pairings, boilerplate
        self.olds = sorted([*free_old, *(i for olds, _ in pairings for i in olds)])
        self.news = sorted([*free_new, *(j for _, news in pairings for j in news)])
        self.telling = self._links(free_old, free_new)
        self.links: defaultdict[int, list[int]] = defaultdict(list)  # old clause -> new clauses it links to
        for i, j in self.telling:
            self.links[i].append(j)
        # A word of Chinese or Japanese is two characters (tokens) as often as one.
        words = sum(len(tokens(old_texts[i])) for i in self.olds)
        cjk = sum(_cjk_tokens(old_texts[i]) for i in self.olds if not old_texts[i].isascii())  # ASCII has none
        self.min_gain = MIN_GAIN * (2 if cjk * 2 > words else 1)

    def _links(self, free_old: list[int], free_new: list[int]) -> Counter[tuple[int, int]]:
        """The words outside boilerplate that the gap's diff matches between each old and new
        clause it links (by any word), read window by window: two consecutive pairings and the
        unpaired clauses between them (a diff of the whole gap costs its length squared)."""
        firsts_old = [olds[0] for olds, _ in self.pairings]
        firsts_new = [news[0] for _, news in self.pairings]
        zones_old: defaultdict[int, list[int]] = defaultdict(list)
        zones_new: defaultdict[int, list[int]] = defaultdict(list)
        for i in sorted(free_old):
            zones_old[bisect_left(firsts_old, i)].append(i)
        for j in sorted(free_new):
            zones_new[bisect_left(firsts_new, j)].append(j)
        best: dict[tuple[int, int], tuple[int, int]] = {}  # (matched, telling), the most a window found
        none: Piece = ((), ())
        for k in range(len(self.pairings) + 1):
            before = self.pairings[k - 1] if k else none
            after = self.pairings[k] if k < len(self.pairings) else none
            olds, news = [*before[0], *zones_old[k], *after[0]], [*before[1], *zones_new[k], *after[1]]
            if (k > 0) + (k < len(self.pairings)) + len(zones_old[k]) + len(zones_new[k]) < 2 or not olds or not news:
                continue
            matched, telling = matches(self.old_texts, self.new_texts, olds, news, self.boilerplate,
                                       lone_characters=False)
            for pair, count in matched.items():
                if pair not in best or count > best[pair][0]:
                    best[pair] = count, telling[pair]
        return Counter({pair: kept for pair, (_, kept) in best.items()})

    def regroup(self) -> tuple[list[Piece], list[Piece]]:
        made: list[Piece] = []
        taken: list[Piece] = []
        for stretch in self._stretches():
            olds = tuple(range(stretch[0].lo_old, stretch[-1].hi_old + 1))
            news = tuple(range(stretch[0].lo_new, stretch[-1].hi_new + 1))
            inside = [self.pairings[k] for atom in stretch for k in atom.pairings]
            if inside == [(olds, news)] or not self._whole(olds, news) or self._rows_recut(olds, news):
                continue
            _, telling = matches(self.old_texts, self.new_texts, list(olds), list(news), self.boilerplate,
                                 lone_characters=False)
            if sum(telling.values()) - sum(self._own(o, n) for o, n in inside) < self.min_gain:
                continue
            if self._one_language and not (self._shared(olds, news, inside, telling)
                                           and self._shared(olds, news, inside, self._substantial(olds, news))):
                continue
            made.append((olds, news))
            taken += inside
        return made, taken

    def _rows_recut(self, olds: tuple[int, ...], news: tuple[int, ...]) -> bool:
        """The stretch holds table rows on both sides and several on one: a table's rows are
        edited, added and removed one by one, never re-cut, and a row added beside an edited
        one shares its cells' stock words ("30 days") with it."""
        old_rows = sum(CELL_SEPARATOR in self.old_texts[i] for i in olds)
        new_rows = sum(CELL_SEPARATOR in self.new_texts[j] for j in news)
        return old_rows > 0 and new_rows > 0 and max(old_rows, new_rows) > 1

    @cached_property
    def _one_language(self) -> bool:
        """Both runs are in one language (read only for a stretch that gets this far: most gaps
        have none, and their texts need not be read)."""
        return not other_languages(" ".join(self.old_texts[i] for i in self.olds),
                                   " ".join(self.new_texts[i] for i in self.news))

    def _stretches(self) -> list[list[_Atom]]:
        """The atoms, joined to the next while they keep fewer than MIN_GAIN words."""
        stretches: list[list[_Atom]] = []
        for atom in self._atoms():
            last = stretches[-1] if stretches else None
            if (last is not None and self._whole_between(last[-1], atom) and not _alone(atom)
                    and not all(_alone(a) for a in last)
                    and self._kept(self._span_old(last), self._span_new(last)) < self.min_gain):
                last.append(atom)
            else:
                stretches.append([atom])
        return stretches

    def _atoms(self) -> list[_Atom]:
        owner_old = {i: k for k, (olds, _) in enumerate(self.pairings) for i in olds}
        owner_new = {j: k for k, (_, news) in enumerate(self.pairings) for j in news}
        elements: list[tuple[int, int, int, int, int | None]] = [
            (olds[0], news[0], olds[-1], news[-1], k) for k, (olds, news) in enumerate(self.pairings)]
        elements += [(i, j, i, j, None) for i, j in self.telling
                     if owner_old.get(i) is None or owner_old.get(i) != owner_new.get(j)]
        elements.sort(key=lambda e: e[:4])
        atoms: list[_Atom] = []
        for lo_old, lo_new, hi_old, hi_new, k in elements:
            last = atoms[-1] if atoms else None
            if last is None or (lo_old > last.hi_old and lo_new > last.hi_new):
                last = _Atom(lo_old, lo_new, hi_old, hi_new)
                atoms.append(last)
            else:
                last.lo_old, last.lo_new = min(last.lo_old, lo_old), min(last.lo_new, lo_new)
                last.hi_old, last.hi_new = max(last.hi_old, hi_old), max(last.hi_new, hi_new)
            if k is None:
                last.links = True
            else:
                last.pairings.append(k)
        return atoms

    def _whole(self, olds: tuple[int, ...], news: tuple[int, ...]) -> bool:
        """No clause paired elsewhere lies inside the spans."""
        return _count(self.olds, olds[0], olds[-1]) == len(olds) and _count(self.news, news[0], news[-1]) == len(news)

    def _whole_between(self, before: _Atom, after: _Atom) -> bool:
        return (_count(self.olds, before.hi_old + 1, after.lo_old - 1) == after.lo_old - before.hi_old - 1
                and _count(self.news, before.hi_new + 1, after.lo_new - 1) == after.lo_new - before.hi_new - 1)

    def _span_old(self, stretch: list[_Atom]) -> set[int]:
        return set(range(stretch[0].lo_old, stretch[-1].hi_old + 1))

    def _span_new(self, stretch: list[_Atom]) -> set[int]:
        return set(range(stretch[0].lo_new, stretch[-1].hi_new + 1))

    def _kept(self, olds: set[int], news: set[int]) -> int:
        """The words outside boilerplate the gap's diff matches between ``olds`` and ``news``."""
        return sum(self.telling[i, j] for i in olds for j in self.links.get(i, ()) if j in news)

    def _own(self, olds: tuple[int, ...], news: tuple[int, ...]) -> int:
        """The same, by the pairing's own diff (the gap's may match its words elsewhere)."""
        _, telling = matches(self.old_texts, self.new_texts, list(olds), list(news), self.boilerplate, lone_characters=False)
        return sum(telling.values())

    def _substantial(self, olds: tuple[int, ...], news: tuple[int, ...]) -> Counter[tuple[int, int]]:
        """The words the stretch's own diff matches outside boilerplate, names and numbers: in
        one language, a company's name and a period that two clauses share tell nothing of
        which clause became which."""
        _, telling = matches(self.old_texts, self.new_texts, list(olds), list(news), self.boilerplate,
                             lone_characters=False, names=False)
        return telling

    def _shared(self, olds: tuple[int, ...], news: tuple[int, ...], inside: list[Piece],
                telling: Counter[tuple[int, int]]) -> bool:
        """Each clause the stretch takes (and each pairing, when it joins several) shares SHARE
        of its words with the stretch's other side, by the stretch's own diff (``telling``),
        but a lone clause between two of its side that do: that is a line dropped from or put
        into the middle of the text rewritten ("your phone number" left out of a list become
        a sentence), as a line diff reads it, not a neighbour joined through a stock word. So is
        a run of such clauses each sharing a word: list items whose common words a sentence says
        once ("access your data; correct your data" become "access or correct your data")."""
        if len(inside) > 1 and not all(self._part_shares(set(o), set(n), olds, news, telling) for o, n in inside):
            return False
        paired_old = {i for o, _ in inside for i in o}
        paired_new = {j for _, n in inside for j in n}
        lone_old = {i for i in olds if i not in paired_old and not self._part_shares({i}, set(), olds, news, telling)}
        lone_new = {j for j in news if j not in paired_new and not self._part_shares(set(), {j}, olds, news, telling)}
        touching_old = {i for i in lone_old if _across({i}, set(), olds, news, telling)}
        touching_new = {j for j in lone_new if _across(set(), {j}, olds, news, telling)}
        lone_old -= _lead_ins(self.old_texts, touching_old, olds)
        lone_new -= _lead_ins(self.new_texts, touching_new, news)
        return _between(lone_old, olds, touching_old) and _between(lone_new, news, touching_new)

    def _part_shares(self, part_old: set[int], part_new: set[int], olds: tuple[int, ...], news: tuple[int, ...],
                     telling: Counter[tuple[int, int]]) -> bool:
        across = _across(part_old, part_new, olds, news, telling)
        sizes = [sum(len(tokens(self.old_texts[i])) for i in part_old)] if part_old else []
        sizes += [sum(len(tokens(self.new_texts[j])) for j in part_new)] if part_new else []
        return across >= self.min_gain and across >= SHARE * min(sizes)


def _across(part_old: set[int], part_new: set[int], olds: tuple[int, ...], news: tuple[int, ...],
            telling: Counter[tuple[int, int]]) -> int:
    """The words ``telling`` matches between the part and the stretch's clauses outside it."""
    return sum(count for (i, j), count in telling.items()
               if i in olds and j in news and (i in part_old) != (j in part_new))


def _lead_ins(texts: list[str], touching: set[int], side: tuple[int, ...]) -> set[int]:
    """The lone clauses that introduce the clause after them, which the stretch takes ("We do
    not:" before its list), sharing a word with the other side: a lead-in goes with its list,
    however few of its words the sentence the list became keeps (a negation it dropped)."""
    return {k for k in touching if texts[k].rstrip().endswith((":", "：")) and k + 1 in side}


def _between(lone: set[int], side: tuple[int, ...], touching: set[int]) -> bool:
    """Every run of consecutive clauses in ``lone`` lies between two clauses of ``side`` that
    are not, and is one clause or clauses all in ``touching``."""
    for k in lone:
        if not side[0] < k < side[-1]:
            return False
        if (k - 1 in lone or k + 1 in lone) and k not in touching:
            return False
    return True


def _cjk_tokens(text: str) -> int:
    """How many of the text's tokens are one Chinese or Japanese character."""
    return sum(len(w) == 1 and _CJK.match(w) is not None for w in tokens(text))


def _alone(atom: _Atom) -> bool:
    """The atom is one pairing and nothing else."""
    return len(atom.pairings) == 1 and not atom.links


def _count(indexes: list[int], lo: int, hi: int) -> int:
    """How many of the sorted ``indexes`` lie in lo..hi."""
    return bisect_right(indexes, hi) - bisect_left(indexes, lo)
