"""What a reader sees, whatever the rendering: the same policy shown as escaped HTML source
(tags visible as text), as a Markdown-style text table or as a real table has the same words.

`reader_words` reduces a text to those words (tags shown as text, entities, Markdown
link targets and table rules removed; case and punctuation ignored), so the diff can call an
edit that only re-renders cosmetic.

Some marks are drawn by the page, not written in the policy: the number or bullet a browser
draws before a list item, which another template types out in a paragraph ("1. your name",
"• your name"), and the dots or bars between the links of a row, which another template lays
out as a list. Neither the words nor the re-flows (`same_words`) count them. Nor do the
re-flows count the punctuation a page sets where it runs in what another capture divides (a
heading's stop before its paragraph, the commas between list items become a sentence).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import zip_longest

from tracker.diff.words import words
from tracker.writing import CELL_SEPARATOR, TAG_TEXT

_CELL_JOINT = CELL_SEPARATOR.strip()
# Between the items of a row: the table cells' joint (the normalizer's) and the dots and bars
# a page sets between links laid out in one line.
_SEPARATORS = frozenset({_CELL_JOINT, "·", "•", "‧", "∙", "⋅"})
# A list item's marker typed at the start of a clause: a bullet or dash, or a number, letter
# or roman numeral with its full stop or bracket ("1.", "2)", "(b)", "iv."), then a space.
_LIST_MARKER = re.compile(r"\s*(?:[•·‣◦▪▫●○■□–—*-]|\(?(?:\d{1,3}|[a-zA-Z]|[ivxlcIVXLC]{2,6})[.)])\s+")
# A Markdown link's target: "[text](https://...)" reads "text".
_LINK_TARGET = re.compile(r"\]\([^()\s]*\)")


def reader_words(text: str) -> tuple[str, ...]:
    """The words of `text` as a reader sees them rendered, lower-case, without punctuation."""
    plain = _LINK_TARGET.sub("]", TAG_TEXT.sub(" ", _without_marker(text)))
    return tuple(w.lower() for w in words(plain) if w[0].isalnum())


def same_reading(old: Iterable[str], new: Iterable[str]) -> bool:
    """Two clause sequences a reader cannot tell apart: the same words in the same order.
    Compared lazily, so a real edit is told apart at its first changed word."""
    missing = object()
    pairs = zip_longest(_stream(old), _stream(new), fillvalue=missing)
    return all(a == b for a, b in pairs)


def _stream(texts: Iterable[str]) -> Iterator[str]:
    for text in texts:
        yield from reader_words(text)


def same_words(old: Iterable[str], new: Iterable[str]) -> bool:
    """Two clause sequences that are one text flowed differently: the same words and
    punctuation in the same order, case and the division into clauses aside (a line break
    become a paragraph break, two paragraphs joined, a table's cells stacked as paragraphs:
    the `|` between a row's cells is the normalizer's joint, not the page's text), and the
    marks a page draws aside (a list item's typed number or bullet, the dots between links).

    Where one side divides the text (a clause ends, a row's cells meet), the other may hold
    what a page sets at a division it runs in: a heading run into its paragraph ("Cookies. We
    use", "Cookies: we use"), a cell become "Term: definition", list items run into one
    paragraph ("We record: your name, your doctor", "We record: 1. your name; 2. ..."). Words
    are never skipped, so a real edit among a re-flow still differs. Compared lazily: a real
    edit is told at its first word."""
    a, b = _Flow(old), _Flow(new)
    skipped = False  # one mark a division: "e.g." put in where a clause ended is two words
    while True:
        x, y = a.token(), b.token()
        if x is None and y is None:
            return True
        if x == y:
            a.step()
            b.step()
            skipped = False
        elif not skipped and (size := a.run_in(b)):
            a.step(size)
            skipped = True
        elif not skipped and (size := b.run_in(a)):
            b.step(size)
            skipped = True
        else:
            return False


class _Flow:
    """A walk through the tokens of clause texts, one text at a time, that knows where the
    text is divided (a clause's start or end, a cell joint)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts = iter(texts)
        self._tokens: list[str] = []
        self._starts: set[int] = set()  # the indexes that open a division
        self._at = 0
        self._fill()

    def _fill(self) -> None:
        while self._at >= len(self._tokens):
            text = next(self._texts, None)
            if text is None:
                return
            self._tokens, self._starts = _divided(text)
            self._at = 0

    def token(self, ahead: int = 0) -> str | None:
        at = self._at + ahead
        return self._tokens[at] if at < len(self._tokens) else None

    def step(self, count: int = 1) -> None:
        self._at += count
        self._fill()

    def at_division(self) -> bool:
        return self._at in self._starts or self._at >= len(self._tokens)

    def run_in(self, other: _Flow) -> int:
        """How many tokens from here are a mark a page sets where it runs in a division: a
        run-in title's stop, colon or dash, or the comma or semicolon between list items run
        into a sentence, where either walk is divided; a typed list marker ("1.", "(b)", "•")
        where the other walk is, before words (a marker opens its item: "section 5." is none)."""
        if self.token() in _RUN_IN_MARKS:
            closes = self._at + 1 in self._starts or self._at + 1 >= len(self._tokens)
            return 1 if closes or other.at_division() else 0
        if not other.at_division():
            return 0
        ahead = [self.token(k) or "" for k in range(3)]
        size = next((size for size in (3, 2, 1) if _TYPED_MARKER.fullmatch("".join(ahead[:size]))), 0)
        opens = self._at + size not in self._starts and self._at + size < len(self._tokens)
        return size if opens else 0


# The marks a page sets where it runs a division in, and a typed list marker (its tokens joined).
_RUN_IN_MARKS = frozenset({".", ":", "-", ",", ";"})
_TYPED_MARKER = re.compile(r"[•·‣◦▪▫●○■□*]|\(?(?:\d{1,3}|[a-z]|[ivxlc]{2,6})[.)]")
_DASHES = frozenset({"-", "—", "–", "‒", "―", "−"})


def _divided(text: str) -> tuple[list[str], set[int]]:
    """The tokens of a text as `same_words` compares them (case folded, the list marker it
    opens with and the dots between links left out, a typed dash "--" one dash), and the
    indexes that open a division: the text's start, each cell after a joint."""
    found: list[str] = []
    starts = {0}
    for word in words(_without_marker(text)):
        if word == _CELL_JOINT:
            starts.add(len(found))
        elif word in _DASHES:
            if not found or found[-1] != "-":
                found.append("-")
        elif word not in _SEPARATORS:
            found.append(word.casefold())
    return found, starts


def _without_marker(text: str) -> str:
    """The text without the list marker it may open with."""
    found = _LIST_MARKER.match(text)
    return text[found.end():] if found else text
