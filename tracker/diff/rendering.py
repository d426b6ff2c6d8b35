"""What a reader sees, whatever the rendering: the same policy shown as escaped HTML source
(tags visible as text), as a Markdown-style text table or as a real table has the same words.

`reader_words` reduces a text to those words (tags shown as text, entities, Markdown
link targets and table rules removed; case and punctuation ignored), so the diff can call an
edit that only re-renders cosmetic.

Some marks are drawn by the page, not written in the policy: the number or bullet a browser
draws before a list item, which another template types out in a paragraph ("1. your name",
"• your name"), and the dots or bars between the links of a row, which another template lays
out as a list. Neither the words nor the re-flows (`same_words`) count them.
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
    marks a page draws aside (a list item's typed number or bullet, the dots between links)."""
    missing = object()
    pairs = zip_longest(_tokens(old), _tokens(new), fillvalue=missing)
    return all(a == b for a, b in pairs)


def _tokens(texts: Iterable[str]) -> Iterator[str]:
    for text in texts:
        for word in words(_without_marker(text)):
            if word not in _SEPARATORS:
                yield word.casefold()


def _without_marker(text: str) -> str:
    """The text without the list marker it may open with."""
    found = _LIST_MARKER.match(text)
    return text[found.end():] if found else text
