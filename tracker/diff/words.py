"""Word-level comparison of two clause texts: the redline operations and the similarity.

A token is a word or a single punctuation mark; whitespace is kept with the token before
it, so the operations of each side join back into that side's exact text. In scripts written
without spaces (Chinese, Japanese) every character is a token, so an edit of one phrase in a
long sentence is that phrase, not the whole sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, filterfalse

from cydifflib import Match, SequenceMatcher

from tracker.writing import CJK_CHARS, CJK_PUNCTUATION

# A token is a word (or one CJK character) or a single punctuation mark; a piece is a token
# followed by the whitespace after it.
_WORD_PATTERN = f"[{CJK_CHARS}]|[^\\W{CJK_CHARS}]+|[^\\w\\s]"
_PIECE = re.compile(f"(?:{_WORD_PATTERN})\\s*")
# The same pieces in ASCII text (most clauses), a third faster: no CJK class to test at each
# character. re.ASCII's \s lacks the four separator controls that Unicode counts as space.
_ASCII_PIECE = re.compile(r"(?:\w+|[^\w\s\x1c-\x1f])[\s\x1c-\x1f]*", re.ASCII)
# A token a reader does not see as a word of its own when both its neighbours changed.
_STRAY = re.compile(f"[{CJK_CHARS}{CJK_PUNCTUATION}]")
# A word (or one CJK character), punctuation aside; and the punctuation tokens of ASCII text.
_WORD_ONLY = re.compile(f"[{CJK_CHARS}]|[^\\W{CJK_CHARS}]+")
_ASCII_MARKS = frozenset(c for c in map(chr, range(128)) if re.fullmatch(r"[^\w\s]", c))
# A text's words labelled by occurrence (see occurrences).
Bag = frozenset[str]
# The letters whose match under re.IGNORECASE is not their str.lower(): dotted capital I
# (lower() makes it two characters), dotless i and long s (re also takes them for i and s).
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


@dataclass(frozen=True)
class WordOp:
    """One run of a word-level redline; ``text`` keeps its words' spacing exactly."""

    op: str  # "equal" | "insert" | "delete"
    text: str


def word_diff(old: str, new: str, blocks: Sequence[Match] | None = None, case_aside: bool = False) -> tuple[WordOp, ...]:
    """Word-level ops turning ``old`` into ``new``.

    Words and punctuation are compared without their trailing whitespace, so "data." at the
    end of a clause still matches "data. " before an appended sentence; a whitespace
    difference inside matched text becomes its own small delete/insert so that the ops of
    each side join back into that side's exact string. ``blocks``: the matching blocks of
    ``words(old)`` and ``words(new)`` when the caller already has them (the pairing does), or
    of ``folded(old)`` and ``folded(new)`` (``case_aside``).

    Words are matched case aside (a policy that capitalises "Personal Data" keeps the words
    around it), and a word whose case changed is a delete/insert of that word alone, kept
    apart from a replacement next to it by the whitespace both sides share: "[-personal-]
    {+Personal+} [-information-]{+Data+}", not "[-personal information-]{+Personal Data+}",
    so a reader (and `case_only`) tells a case change from a change of words.
    """
    old_lead, old_pieces = _pieces(old)
    new_lead, new_pieces = _pieces(new)
    old_words, new_words = words(old), words(new)  # the pieces' words (see _pieces)
    if blocks is None or not case_aside and _case_apart(blocks, old_words, new_words):
        blocks = SequenceMatcher(None, folded(old), folded(new), autojunk=False).get_matching_blocks()
    pieces = _same_or_replaced(old_lead, new_lead)
    i = j = 0
    # what lies between two blocks is replaced (empty pieces vanish)
    for a, b, size in _without_stray_characters(blocks, old_words, old_pieces):
        pieces.append(("delete", "".join(old_pieces[i:a])))
        pieces.append(("insert", "".join(new_pieces[j:b])))
        i, j = a + size, b + size
        if old_pieces[a:i] == new_pieces[b:j]:  # the matched words, spaced alike on both sides
            pieces.append(("equal", "".join(old_pieces[a:i])))
            continue
        equal = []  # the matched words with their spacing, while both sides space them alike
        for old_word, new_word, old_piece, new_piece in zip(old_words[a:i], new_words[b:j], old_pieces[a:i],
                                                            new_pieces[b:j]):
            if old_piece == new_piece:
                equal.append(old_piece)
                continue
            if old_word == new_word:  # spaced differently
                pieces.append(("equal", "".join(equal) + old_word))
            else:  # the same word in another case: a run of its own (see _case_run)
                pieces.append(("equal", "".join(equal)))
                _case_run(pieces, old_word, new_word)
            old_space, new_space = old_piece[len(old_word):], new_piece[len(new_word):]
            pieces += [("equal", old_space)] if old_space == new_space else [("delete", old_space), ("insert", new_space)]
            equal = []
        pieces.append(("equal", "".join(equal)))
    return _merge(pieces)


def similarity(old: str, new: str) -> float:
    """Share of words (and punctuation marks) two texts have in common, in order, 0..1."""
    return SequenceMatcher(None, words(old), words(new), autojunk=False).ratio()


def occurrences(words: tuple[str, ...]) -> Bag:
    """The words labelled by occurrence: "the", "the 1", "the 2", ...

    Two texts' shared word count (repeats included) is then the size of a set intersection,
    an upper bound of SequenceMatcher's matches that Python computes at C speed. A token never
    contains a space, so no label is ambiguous; strings (unlike tuples) cache their hash.
    """
    counts = Counter(words)
    repeats = (
        f"{word} {k}" for word, count in counts.items() if count > 1 for k in range(1, count)
    )
    return frozenset(chain(counts, repeats))


def _without_stray_characters(blocks: Sequence[Match], old_words: tuple[str, ...], old_pieces: tuple[str, ...]) -> list[Match]:
    """The matching blocks without a lone CJK character (or CJK punctuation mark) matched
    between two replacements: in a rewritten Chinese or Japanese sentence, the 的, 你 or ，
    both versions happen to share would cut one replacement into a confetti of small ones
    ("如[-经-]{+果+}你[-授权...-]{+不希望...+}"), which reads better as one. A character next
    to a pure insertion or deletion ("我们[-可能-]会"), or between changed digits or Latin words
    ("2024年[-05-]{+06+}月"), and a lone word of spaced text stay."""
    kept: list[Match] = []
    end_a = end_b = 0
    for k, (a, b, size) in enumerate(blocks):
        after = blocks[k + 1] if k + 1 < len(blocks) else None
        stray = (
            size == 1 and after is not None and after.size > 0
            and a > end_a and b > end_b and after.a > a + 1 and after.b > b + 1
            and old_pieces[a] == old_words[a]  # no space after it
            and all(_STRAY.fullmatch(old_words[k]) for k in (a - 1, a, a + 1))
        )
        if not stray:
            kept.append(Match(a, b, size))
            end_a, end_b = a + size, b + size
    return kept


@lru_cache(maxsize=16384)
def folded(text: str) -> tuple[str, ...]:
    """``words(text)`` case folded: what the redline's alignment compares."""
    return tuple(map(str.casefold, words(text)))


def word_blocks(old: str, new: str) -> list[Match]:
    """Matching blocks of ``words(old)`` and ``words(new)`` found by a diff of their words alone,
    case folded and punctuation aside, as the stretches and the runs compare clauses (a long
    rewritten text has a comma or a full stop every few words, which would otherwise pull the
    alignment to wherever two unrelated sentences share one); a punctuation mark joins a block
    when both sides have it between, or right after, the words the block matches."""
    old_words, new_words = words(old), words(new)
    old_at, new_at = _word_positions(old), _word_positions(new)
    found: list[Match] = []
    for a, b, size in matching_blocks([old_words[k].casefold() for k in old_at],
                                      [new_words[k].casefold() for k in new_at]):
        run: list[int] = []  # [old start, new start, size] of the block being built
        for k in range(size):
            i, j = old_at[a + k], new_at[b + k]
            if run and i - run[0] - run[2] == j - run[1] - run[2] and _same_marks(
                    old_words[run[0] + run[2]:i], new_words[run[1] + run[2]:j]):
                run[2] = i - run[0] + 1
                continue
            if run:
                found.append(_with_marks_after(run, old_words, new_words, i, j))
            run = [i, j, 1]
        if run:
            limit_old = old_at[a + size] if a + size < len(old_at) else len(old_words)
            limit_new = new_at[b + size] if b + size < len(new_at) else len(new_words)
            found.append(_with_marks_after(run, old_words, new_words, limit_old, limit_new))
    found.append(Match(len(old_words), len(new_words), 0))
    return found


def matching_blocks(old: list[str], new: list[str]) -> list[Match]:
    """SequenceMatcher's matching blocks of two lists of words (autojunk off), the last one of
    size 0 aside, found faster when many words are on one side only (a text and its
    translation): each run of such words is read as one word that matches nothing. A block
    never holds one of them, and the diff, which takes the longest block first (the earliest
    of equal ones), then does the same on each side of it, finds the same blocks in the same
    order: the runs keep the blocks' lengths and order, and cut them where the words did."""
    both = set(old).intersection(new)
    old_short, old_at = _runs_as_one(old, both, 0)
    new_short, new_at = _runs_as_one(new, both, 1)
    matcher = SequenceMatcher(None, old_short, new_short, autojunk=False)
    return [Match(old_at[a], new_at[b], size) for a, b, size in matcher.get_matching_blocks() if size]


def _runs_as_one(words: list[str], wanted: set[str], mark: int) -> tuple[list[str | int], list[int]]:
    """``words`` with each run of words not ``wanted`` as one ``mark`` (an int: no word equals
    it, nor the other side's mark), and the position in ``words`` of each item (a mark's is
    its run's first word)."""
    short: list[str | int] = []
    at: list[int] = []
    for k, word in enumerate(words):
        if word in wanted:
            short.append(word)
            at.append(k)
        elif not short or short[-1] != mark:
            short.append(mark)
            at.append(k)
    return short, at


@lru_cache(maxsize=4096)
def _word_positions(text: str) -> tuple[int, ...]:
    """The positions in ``words(text)`` of its words (punctuation marks aside)."""
    return tuple(k for k, w in enumerate(words(text)) if _WORD_ONLY.match(w))


def _same_marks(old: Sequence[str], new: Sequence[str]) -> bool:
    return [w.casefold() for w in old] == [w.casefold() for w in new]


def _with_marks_after(run: list[int], old_words: tuple[str, ...], new_words: tuple[str, ...],
                      limit_old: int, limit_new: int) -> Match:
    """The block, with the punctuation marks both sides have right after it (before the next
    word of each side)."""
    a, b, size = run
    while (a + size < limit_old and b + size < limit_new
           and old_words[a + size] == new_words[b + size] and not _WORD_ONLY.match(old_words[a + size])):
        size += 1
    return Match(a, b, size)


def case_only(deleted: str, inserted: str) -> bool:
    """Whether a changed run deletes and inserts the same words but for case, punctuation and
    spacing (a case change set apart by ``word_diff``, or only punctuation changed)."""
    return _WORD_ONLY.findall(deleted.casefold()) == _WORD_ONLY.findall(inserted.casefold())


def changed_runs(ops: Sequence[WordOp]) -> list[tuple[str, str]]:
    """(deleted, inserted) of each changed run of a redline, a run being the ops between two
    equal ones: what a reader sees as one change, and what scoring counts word by word."""
    runs: list[list[str]] = []
    after_equal = True
    for op in ops:
        if op.op == "equal":
            after_equal = True
            continue
        if after_equal:
            runs.append(["", ""])
            after_equal = False
        runs[-1][op.op == "insert"] += op.text
    return [(deleted, inserted) for deleted, inserted in runs]


def _case_apart(blocks: Sequence[Match], old_words: tuple[str, ...], new_words: tuple[str, ...]) -> bool:
    """Whether some gap between case-sensitive matching ``blocks`` holds a word on both sides
    in different cases: only then can matching case aside find other blocks."""
    i = j = 0
    for a, b, size in blocks:
        if a > i and b > j:
            olds = {w.casefold() for w in old_words[i:a]} - set(old_words[i:a]).intersection(new_words[j:b])
            if olds.intersection(w.casefold() for w in new_words[j:b]):
                return True
        i, j = a + size, b + size
    return False


def _case_run(pieces: list[tuple[str, str]], old_word: str, new_word: str) -> None:
    """Add a word whose case changed as its own run: when a replacement ends right before it,
    the whitespace both of that replacement's sides end with becomes equal text between them
    (without such a space, the word joins the run before); words whose case changed one after
    the other are one run ("[-personal data-]{+Personal Data+}")."""
    _join_case_runs(pieces)
    last = len(pieces)
    while last and pieces[last - 1][0] != "equal" or last and not pieces[last - 1][1]:
        last -= 1
    pending = pieces[last:]
    deleted = "".join(text for op, text in pending if op == "delete")
    inserted = "".join(text for op, text in pending if op == "insert")
    space = deleted[len(deleted.rstrip()):]
    if deleted and inserted and space and inserted.endswith(space) and not case_only(deleted, inserted):
        for op in ("delete", "insert"):
            k = max(k for k in range(last, len(pieces)) if pieces[k][0] == op and pieces[k][1])
            pieces[k] = (op, pieces[k][1][: -len(space)])
        pieces.append(("equal", space))
    pieces += [("delete", old_word), ("insert", new_word)]


def _join_case_runs(pieces: list[tuple[str, str]]) -> None:
    """When the pieces end with a run of case changes and the space after it, make that space
    part of the run."""
    k = len(pieces)
    while k and not pieces[k - 1][1]:
        k -= 1
    if not k or pieces[k - 1][0] != "equal" or not pieces[k - 1][1].isspace():
        return
    space = pieces[k - 1][1]
    run = k - 1
    while run and (pieces[run - 1][0] != "equal" or not pieces[run - 1][1]):
        run -= 1
    deleted = "".join(text for op, text in pieces[run:k - 1] if op == "delete")
    inserted = "".join(text for op, text in pieces[run:k - 1] if op == "insert")
    if deleted and inserted and case_only(deleted, inserted):
        pieces[k - 1:k] = [("delete", space), ("insert", space)]


@lru_cache(maxsize=16384)
def _pieces(text: str) -> tuple[str, tuple[str, ...]]:
    """Split into leading whitespace and pieces: each token with the whitespace after it (every
    character but whitespace is in a token). Cached: ``words`` reads its tokens off them, and
    the redline of a changed clause needs them again."""
    body = text.lstrip()
    return text[: len(text) - len(body)], tuple((_ASCII_PIECE if body.isascii() else _PIECE).findall(body))


@lru_cache(maxsize=16384)
def words(text: str) -> tuple[str, ...]:
    """The tokens of a text, without their whitespace; cached, as the pairing, the split
    search and a history's next pair all read the same texts again."""
    return tuple(map(str.rstrip, _pieces(text)[1]))


@lru_cache(maxsize=16384)
def tokens(text: str) -> tuple[str, ...]:
    """The words of a text, case folded, without punctuation: what the rewrite evidence, the
    runs and the stretches compare. An ASCII text's are read off its cached ``words`` (casefold
    is lower() there, and a punctuation token one ASCII mark), without a second scan."""
    if text.isascii():
        return tuple(filterfalse(_ASCII_MARKS.__contains__, map(str.lower, words(text))))
    return tuple(_WORD_ONLY.findall(text.casefold()))


@lru_cache(maxsize=16384)
def bag(text: str) -> Bag:
    """``occurrences(words(text))``, cached for the same reason."""
    return occurrences(words(text))


def fold(text: str) -> str:
    """Lower-case ``text`` exactly as re.IGNORECASE compares it, character for character.

    A case-sensitive pattern of lower-case ASCII then finds in the folded text what its
    IGNORECASE twin finds in the text, at the same positions, in about half the time (checked
    against every Unicode character, for letters and the word, digit and space classes).
    """
    if "\u0130" in text or "\u0131" in text or "\u017f" in text:  # rare: skip translate()'s cost
        text = text.translate(_FOLD)
    return text.lower()


def clear_caches() -> None:
    """Forget the cached tokenizations (for timing a pair as if never seen before)."""
    _pieces.cache_clear()
    words.cache_clear()
    folded.cache_clear()
    _word_positions.cache_clear()
    tokens.cache_clear()
    bag.cache_clear()


def _same_or_replaced(old: str, new: str) -> list[tuple[str, str]]:
    return [("equal", old)] if old == new else [("delete", old), ("insert", new)]


def _merge(pieces: list[tuple[str, str]]) -> tuple[WordOp, ...]:
    """Join pieces into runs: equal text together, each changed stretch as delete then insert."""
    ops: list[WordOp] = []
    equal = deleted = inserted = ""
    for op, text in pieces:
        if not text:
            continue
        if op == "equal":
            if deleted:
                ops.append(WordOp("delete", deleted))
                deleted = ""
            if inserted:
                ops.append(WordOp("insert", inserted))
                inserted = ""
            equal += text
            continue
        if equal:
            ops.append(WordOp("equal", equal))
            equal = ""
        if op == "delete":
            deleted += text
        else:
            inserted += text
    ops += [WordOp(op, text) for op, text in (("equal", equal), ("delete", deleted), ("insert", inserted)) if text]
    return tuple(ops)
