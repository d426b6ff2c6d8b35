"""What a reader sees, whatever the rendering: the same policy shown as escaped HTML source
(tags visible as text), as a Markdown-style text table or as a real table has the same words.

`reader_words` reduces a text to those words (tags shown as text, entities, Markdown
link targets and table rules removed; case and punctuation ignored), so the diff can call an
edit that only re-renders cosmetic. `markup_share` says how much of a capture's text is
markup shown as text: a page that shows its source instead of its text is no policy page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import zip_longest

from tracker.words import words

# An HTML tag or entity written out as text: "<p>", "</strong>", '<a href="...">', "&nbsp;".
_TAG_TEXT = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")
# A Markdown link's target: "[text](https://...)" reads "text".
_LINK_TARGET = re.compile(r"\]\([^()\s]*\)")


def reader_words(text: str) -> tuple[str, ...]:
    """The words of `text` as a reader sees them rendered, lower-case, without punctuation."""
    plain = _LINK_TARGET.sub("]", _TAG_TEXT.sub(" ", text))
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


def markup_share(texts: list[str]) -> tuple[int, float]:
    """Tags shown as text in `texts`: their number, and their share of all words and tags."""
    tags = sum(len(_TAG_TEXT.findall(t)) for t in texts)
    total = tags + sum(len(reader_words(t)) for t in texts)
    return tags, (tags / total if total else 0.0)
