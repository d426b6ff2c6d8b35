"""The clauses still unpaired after the other passes, read as the runs of text they form
between two unchanged clauses, as a line diff refined by a word diff reads them.

Runs last in tracker.diff._align, on the clauses left added or removed; a pure function of its
input like the rest of the diff.

In each gap between two anchors (unchanged clauses), the words (tracker.diff.words.tokens)
of the old clauses left there, in order, are diffed against those of the new clauses left
there (SequenceMatcher, autojunk off; the words found on one side only are left out first, as
they cannot match: a page shown in another language leaves few). An old and a new clause are
linked when the diff matches enough of their words (see ``MIN_LINKED``), boilerplate runs
aside (a stock phrase two processors share says nothing). The diff's matches keep their
order, so the links never cross: ``_pieces`` cuts them into the
pieces a change can be, one old and one new clause (``modified``), one old clause and a run of
consecutive new ones (``split``) or the reverse (``merged``), keeping as many matched words
inside pieces as it can. A clause with no link stays added or removed. So the words the runs
share are not reported as changed, as in the line diff, and a reader still sees clauses.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from functools import lru_cache
from itertools import compress
from operator import and_

from cydifflib import SequenceMatcher

from tracker.diff._rewrites import boilerplate_positions, names_and_numbers
from tracker.diff.words import tokens
from tracker.writing import CJK_CHARS

# An old and a new clause are linked when the words the diff matches between them, boilerplate
# aside, are at least MIN_LINKED and LINKED_SHARE of the shorter clause's words, or at least
# two and CONTAINED_SHARE of them. Tuned on the shared corpus: links with a smaller share
# joined unrelated clauses through the words any two sentences share ("the", "does not", the
# company's name), and such a pair would carry flags (a negation "removed") that no clause lost.
MIN_LINKED = 5
LINKED_SHARE = 0.2
CONTAINED_SHARE = 0.5

Piece = tuple[tuple[int, ...], tuple[int, ...]]
_CJK = re.compile(f"[{CJK_CHARS}]")


def pair_runs(
    old_texts: list[str], new_texts: list[str], old_rest: list[int], new_rest: list[int],
    anchor_old: list[int], anchor_new: list[int], boilerplate: frozenset[str],
) -> list[Piece]:
    """The pieces (old indexes, new indexes) the unpaired clauses ``*_rest`` form, gap by gap."""
    olds: defaultdict[int, list[int]] = defaultdict(list)
    news: defaultdict[int, list[int]] = defaultdict(list)
    for i in old_rest:
        olds[bisect_left(anchor_old, i)].append(i)
    for j in new_rest:
        news[bisect_left(anchor_new, j)].append(j)
    pieces = []
    for gap, old_gap in olds.items():
        if gap in news:
            links = _links(old_texts, new_texts, old_gap, news[gap], boilerplate)
            pieces += _pieces(links)
    return pieces


def _links(
    old_texts: list[str], new_texts: list[str], olds: list[int], news: list[int],
    boilerplate: frozenset[str],
) -> list[tuple[int, int, int]]:
    """(old, new, matched words) of the linked clauses of one gap, in order."""
    matched, telling = matches(old_texts, new_texts, olds, news, boilerplate)
    links = []
    for (i, j), count in sorted(matched.items()):
        shorter = min(len(tokens(old_texts[i])), len(tokens(new_texts[j])))
        kept = telling[i, j]
        if (kept >= MIN_LINKED and kept >= LINKED_SHARE * shorter) or (kept >= 2 and kept >= CONTAINED_SHARE * shorter):
            links.append((i, j, count))
    return links


def matches(
    old_texts: list[str], new_texts: list[str], olds: list[int], news: list[int],
    boilerplate: frozenset[str], lone_characters: bool = True, names: bool = True,
) -> tuple[Counter[tuple[int, int]], Counter[tuple[int, int]]]:
    """The words a diff of the runs ``olds`` and ``news`` matches between each old and new
    clause, and those of them outside boilerplate runs (and, unless ``lone_characters``, outside
    a match of one Chinese or Japanese character alone, which any two such texts share; unless
    ``names``, outside names and numbers); tracker.diff._groups reads them too."""
    old_words, old_owner, old_plain = _run(old_texts, olds, boilerplate, names)
    new_words, new_owner, new_plain = _run(new_texts, news, boilerplate, names)
    both = set(old_words) & set(new_words)
    old_words, old_owner, old_plain = _only(both, old_words, old_owner, old_plain)
    new_words, new_owner, new_plain = _only(both, new_words, new_owner, new_plain)
    matched: list[tuple[int, int]] = []  # (old clause, new clause) of each matched word
    telling: list[tuple[int, int]] = []  # ... of those outside boilerplate
    for a, b, size in SequenceMatcher(None, old_words, new_words, autojunk=False).get_matching_blocks():
        pairs = list(zip(old_owner[a:a + size], new_owner[b:b + size]))
        matched += pairs
        if not (size == 1 and not lone_characters and _CJK.fullmatch(old_words[a])):
            telling += compress(pairs, map(and_, old_plain[a:a + size], new_plain[b:b + size]))
    return Counter(matched), Counter(telling)


def _run(texts: list[str], indexes: list[int], boilerplate: frozenset[str],
         names: bool) -> tuple[list[str], list[int], list[bool]]:
    """The words of the clauses, in order; the clause of each; whether it is outside boilerplate
    (and, unless ``names``, not a name or a number)."""
    found: list[str] = []
    owner: list[int] = []
    plain: list[bool] = []
    for k in indexes:
        words = tokens(texts[k])
        found += words
        owner += [k] * len(words)
        plain += outside_boilerplate(texts[k], boilerplate) if names else substantial(texts[k], boilerplate)
    return found, owner, plain


@lru_cache(maxsize=16384)
def outside_boilerplate(text: str, boilerplate: frozenset[str]) -> tuple[bool, ...]:
    """Whether each word of the text (``tokens``) lies outside its boilerplate runs; cached,
    as the runs and the stretches (tracker.diff._groups) read a clause several times."""
    outside = [True] * len(tokens(text))
    for p in boilerplate_positions(text, boilerplate):
        outside[p] = False
    return tuple(outside)


@lru_cache(maxsize=4096)
def substantial(text: str, boilerplate: frozenset[str]) -> tuple[bool, ...]:
    """Whether each word of the text lies outside its boilerplate runs and is not one of its
    names or numbers (tracker.diff._rewrites.names_and_numbers)."""
    aside = names_and_numbers(text)
    return tuple(outside and word not in aside
                 for outside, word in zip(outside_boilerplate(text, boilerplate), tokens(text)))


def _only(wanted: set[str], words: list[str], owner: list[int], plain: list[bool]) -> tuple[list[str], list[int], list[bool]]:
    """The words of a run found in ``wanted``, with their clauses and marks."""
    kept = list(map(wanted.__contains__, words))
    return list(compress(words, kept)), list(compress(owner, kept)), list(compress(plain, kept))


def _pieces(links: list[tuple[int, int, int]]) -> list[Piece]:
    """The pieces that keep the most matched words, cut from links that never cross.

    ``best[e]`` is the most words kept using links up to the e-th; a piece is a stretch of
    consecutive links sharing their old clause (a split, its new clauses consecutive) or their
    new clause (a merge), and the piece before it must end at a link sharing no clause with
    its first one: as the links never cross, no link before that one does either.
    """
    best = [0] * (len(links) + 1)
    choice: list[tuple[int, int] | None] = [None] * (len(links) + 1)  # (start, end) of the last piece
    for end in range(1, len(links) + 1):
        best[end], choice[end] = best[end - 1], None
        for side in (0, 1):
            weight = 0
            for start in range(end - 1, -1, -1):
                if links[start][side] != links[end - 1][side]:
                    break
                other = 1 - side
                if start < end - 1 and links[start + 1][other] != links[start][other] + 1:
                    break  # the other side's clauses must be consecutive
                weight += links[start][2]
                before = _apart(links, start)
                if best[before] + weight > best[end]:
                    best[end], choice[end] = best[before] + weight, (start, end)
    pieces = []
    end = len(links)
    while end > 0:
        picked = choice[end]
        if picked is None:
            end -= 1
            continue
        start, stop = picked
        group = links[start:stop]
        pieces.append((tuple(sorted({i for i, _, _ in group})), tuple(sorted({j for _, j, _ in group}))))
        end = _apart(links, start)
    return pieces[::-1]


def _apart(links: list[tuple[int, int, int]], start: int) -> int:
    """How many links share no clause with ``links[start]`` (as the links never cross, they
    are the first ones): those a piece starting there leaves to the pieces before it."""
    before = start
    while before > 0 and (links[before - 1][0] == links[start][0] or links[before - 1][1] == links[start][1]):
        before -= 1
    return before
