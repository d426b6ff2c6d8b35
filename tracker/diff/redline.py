"""Renderings of a word-level redline: plain text for terminals, HTML for e-mail and pages.

A redline is the sequence of word operations ``diff.word_diff`` produces. Both renderers take
either ``WordOp`` objects or the stored JSON form ``[[op, text], ...]`` (the ``word_ops``
column), so readers of the database need not rebuild objects first.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

from tracker.writing import CJK_CHARS

_SPACELESS = re.compile(f"[{CJK_CHARS}]")
_OPENERS = {"[-", "{+", *"（「『【〔〈《“‘"}
_CLOSERS = {"-]", "+}", *"。，、；：！？）」』】〕〉》”’．，"}
# A redline marker, a run of spaces, or one character.
_TOKEN = re.compile(r"\[-|-\]|\{\+|\+\}|\s+|.")
# Inline styles only: mail clients drop <style> blocks and external stylesheets.
DEL_STYLE = "background:#ffebe9;color:#82071e;text-decoration:line-through"
INS_STYLE = "background:#dafbe1;color:#116329;text-decoration:none"


def redline_text(ops: Iterable) -> str:
    """Inline rendering: ``[-deleted-]{+inserted+}``, like ``git diff --word-diff``.

    As in git, whitespace ending a changed run is printed after the markers ("We do [-not-]
    sell"), which reads better than "[-not -]sell"; the ops themselves stay exact.
    """
    marks = {"delete": "[-{}-]", "insert": "{{+{}+}}", "equal": "{}"}
    return "".join(marks[op].format(text) for op, text in runs(ops))


def redline_html(ops: Iterable) -> str:
    """HTML with ``<del>``/``<ins>`` and inline styles; every piece of policy text is escaped."""
    out = []
    for op, text in runs(ops):
        body = html.escape(text)
        if op == "delete":
            out.append(f'<del style="{DEL_STYLE}">{body}</del>')
        elif op == "insert":
            out.append(f'<ins style="{INS_STYLE}">{body}</ins>')
        else:
            out.append(body)
    return "".join(out)


def spaceless(text: str) -> bool:
    """Whether ``text`` has Chinese or Japanese characters (see ``wrap_lines``)."""
    return _SPACELESS.search(text) is not None


def wrap_lines(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns (a Chinese or Japanese character takes two) of a
    text or ``redline_text`` in a script written without spaces, which a word wrapper could
    only cut at a fixed count of characters, splitting a "[-" or "+}" in two. Lines break at
    spaces and between any two CJK characters, never inside or beside a redline marker, after
    an opening bracket or before a closing punctuation mark; a longer run stays whole."""
    lines: list[str] = []
    for line in text.splitlines() or [""]:
        current, used = "", 0
        for unit in _units(line):
            size = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in unit)
            if unit.isspace():
                if current:
                    current, used = current + unit, used + size
            elif used + size > width and current.strip():
                lines.append(current.rstrip())
                current, used = unit, size
            else:
                current, used = current + unit, used + size
        lines.append(current.rstrip())
    return lines


def _units(line: str) -> list[str]:
    """The pieces a line may break between: a space run, one CJK character, or a word of
    other characters, each with the markers and punctuation that hold on to it."""
    units: list[str] = []
    opening = ""  # markers and brackets waiting for the piece they open
    in_word = False  # the last piece is a word that the next non-CJK character continues
    for token in _TOKEN.findall(line):
        if token in _OPENERS:
            opening += token
            in_word = False
        elif token in _CLOSERS and units and not opening:
            units[-1] += token
        elif token.isspace() or _SPACELESS.fullmatch(token):
            units.append(opening + token)
            opening, in_word = "", False
        elif in_word and not opening:
            units[-1] += token
        else:
            units.append(opening + token)
            opening, in_word = "", True
    if opening:
        units.append(opening)
    return units


def as_pairs(ops: Iterable) -> list[tuple[str, str]]:
    """``(op, text)`` pairs from WordOp objects or from the stored ``[[op, text], ...]`` form."""
    pairs = []
    for item in ops:
        op, text = (item.op, item.text) if hasattr(item, "op") else item
        pairs.append((op, text))
    return pairs


def runs(ops: Iterable) -> Iterator[tuple[str, str]]:
    """The runs to print (the web view's templates mark them up themselves): a changed run
    (delete, optionally followed by its insert) loses the whitespace both of its sides end
    with, which is then printed as plain text after it."""
    pairs = as_pairs(ops)
    k = 0
    while k < len(pairs):
        if pairs[k][0] == "equal":
            yield pairs[k]
            k += 1
            continue
        group = [pairs[k]]
        if pairs[k][0] == "delete" and k + 1 < len(pairs) and pairs[k + 1][0] == "insert":
            group.append(pairs[k + 1])
        k += len(group)
        trailing = _common_trailing_space([text for _, text in group])
        bodies = [text[: len(text) - len(trailing)] for _, text in group]
        if not all(bodies):
            bodies, trailing = [text for _, text in group], ""
        for (op, _), body in zip(group, bodies):
            yield op, body
        if trailing:
            yield "equal", trailing


def _common_trailing_space(texts: Sequence[str]) -> str:
    spaces = [text[len(text.rstrip()):] for text in texts]
    return spaces[0] if len(set(spaces)) == 1 else ""
