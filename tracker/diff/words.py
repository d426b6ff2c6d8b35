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


def word_diff(old: str, new: str, blocks: Sequence[Match] | None = None) -> tuple[WordOp, ...]:
    """Word-level ops turning ``old`` into ``new``.

    Words and punctuation are compared without their trailing whitespace, so "data." at the
    end of a clause still matches "data. " before an appended sentence; a whitespace
    difference inside matched text becomes its own small delete/insert so that the ops of
    each side join back into that side's exact string. ``blocks``: the matching blocks of
    ``words(old)`` and ``words(new)`` when the caller already has them (the pairing does).
    """
    old_lead, old_pieces = _pieces(old)
    new_lead, new_pieces = _pieces(new)
    old_words, new_words = words(old), words(new)  # the pieces' words (see _pieces)
    if blocks is None:
        blocks = SequenceMatcher(None, old_words, new_words, autojunk=False).get_matching_blocks()
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
        for word, old_piece, new_piece in zip(old_words[a:i], old_pieces[a:i], new_pieces[b:j]):
            if old_piece == new_piece:
                equal.append(old_piece)
            else:
                pieces += [("equal", "".join(equal) + word), ("delete", old_piece[len(word):]),
                           ("insert", new_piece[len(word):])]
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
