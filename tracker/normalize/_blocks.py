"""Walk the policy's element into blocks: headings, paragraphs, list items and table rows.

Block boundaries follow rendering, not markup: block elements end a block, inline elements
never do, a run of two or more <br> ends a paragraph (2003-era pages have no <p>), a single
<br> is a space. Old pages fake headings with bold or capitals; those lines become headings
too, so that section paths exist for every page age.
"""

import re
from dataclasses import dataclass

from lxml import etree

from tracker.normalize._titles import document_name
from tracker.normalize.text import (
    MAX_HEADING_WORDS,
    is_all_caps_heading,
    is_bold_heading,
    is_numbered_heading,
    normalize_text,
    word_count,
)
from tracker.writing import CELL_SEPARATOR


@dataclass(frozen=True, slots=True)
class Block:
    """One clause of the policy, with the headings it sits under."""

    kind: str  # "heading" | "paragraph" | "list_item" | "table_row"
    text: str  # normalised text, never empty
    section: tuple[str, ...]  # enclosing headings, outermost first
    level: int = 0  # heading level 1-6, list nesting depth, else 0


_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LISTS = frozenset({"ul", "ol", "dir", "menu"})
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header",
    "hgroup", "hr", "html", "legend", "li", "main", "nav", "p", "pre", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", *_LISTS, *_HEADINGS,
})
_CELLS = frozenset({"td", "th"})
_BOLD_TAGS = frozenset({"b", "strong"})
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.I)
_NESTED = ("table", *_HEADINGS)  # looked for by lxml's walk: cheaper than a query's union
_CELL_BLOCKS = etree.XPath(
    "(.//td | .//th)//*[self::p or self::div or self::ul or self::ol or self::dl or self::blockquote"
    " or self::br[following-sibling::node()[self::* or normalize-space()][1][self::br]]]"
)
_LONG_CELL_WORDS = 80
_DOCUMENTS = frozenset({"privacy", "terms", "other"})  # document_name's names of a whole document


def extract_blocks(root: etree._Element) -> tuple[Block, ...]:
    return _Builder().build(root)


class _Builder:
    """Streams start/end events of the tree into blocks; keeps the open headings and lists."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.headings: list[tuple[int, str, bool]] = []  # (level, text, real <hN>)
        self.section: tuple[str, ...] | None = ()  # the headings' texts; None: to compute again
        self.contexts: list[tuple[str, int]] = [("paragraph", 0)]  # kind and level of text
        self.list_depth = 0
        self.bold = 0
        self.bold_base = [0]  # bold depth when the enclosing block opened
        self.bolds: list[bool] = []  # of each open element: whether it is bold
        self.lines: list[list[tuple[str, bool]]] = [[]]  # current block: lines of (text, bold)
        self.document_level = 0  # the rank of the first line in capitals naming a document (_pseudo_heading)

    def build(self, root: etree._Element) -> tuple[Block, ...]:
        walker = etree.iterwalk(root, events=("start", "end"))
        consumed = None  # the element whose subtree was skipped: its "end" comes next
        bolds = self.bolds
        for event, element in walker:
            tag = element.tag
            if event == "start":
                if tag.__class__ is str and self._start(element, tag):
                    consumed = element
                    walker.skip_subtree()
                continue
            if element is consumed:
                consumed = None
            elif tag.__class__ is str:
                if tag in _BLOCK_TAGS:
                    self._end_block(tag)
                self.bold -= bolds.pop()
            tail = element.tail
            if tail and element is not root:
                self.lines[-1].append((tail, self.bold > self.bold_base[-1]))
        self._flush()
        return tuple(self.blocks)

    def _start(self, element: etree._Element, tag: str) -> bool:
        """Handle an opening tag; True when the element was consumed whole."""
        if tag in _BLOCK_TAGS:
            if tag in _HEADINGS:
                self._flush()
                self._heading(_HEADINGS[tag], normalize_text(_flat_text(element)), real=True)
                return True
            if tag == "table" and not _is_layout_table(element):
                self._flush()
                self._table(element)
                return True
            self._flush()
            self.bold_base.append(self.bold)
            if tag in _LISTS:
                self.list_depth += 1
            elif tag == "li":
                self.contexts.append(("list_item", max(1, self.list_depth)))
        elif tag == "br":
            self._line_break()
            self.bolds.append(False)
            return False
        style = element.get("style")
        bold = tag in _BOLD_TAGS or (style is not None and _BOLD_STYLE.search(style) is not None)
        self.bolds.append(bold)
        self.bold += bold
        text = element.text
        if text:
            self.lines[-1].append((text, self.bold > self.bold_base[-1]))
        return False

    def _end_block(self, tag: str) -> None:
        self._flush()
        self.bold_base.pop()
        if tag in _LISTS:
            self.list_depth -= 1
        elif tag == "li":
            self.contexts.pop()

    def _line_break(self) -> None:
        """One <br> starts a line; a second one in a row ends the paragraph."""
        if not _is_blank(self.lines[-1]):
            self.lines.append([])
        elif len(self.lines) > 1:
            self._flush()

    def _flush(self) -> None:
        if len(self.lines) == 1 and not self.lines[0]:
            return  # most block ends close nothing new: no text since the last flush
        lines = []
        for line in self.lines:
            text = line[0][0] if len(line) == 1 else "".join([text for text, _ in line])
            if text and not text.isspace():  # most lines between blocks are only white space
                text = normalize_text(text)
                if text:
                    lines.append((text, line))
        self.lines = [[]]
        if not lines:
            return
        kind, level = self.contexts[-1]
        if kind != "paragraph":
            self._emit(kind, " ".join([text for text, _ in lines]), level)
            return
        if len(lines) == 1:  # most paragraphs: one line, a heading or not
            text, line = lines[0]
            if _heading_like(text, line):
                self._pseudo_heading(text)
            else:
                self._emit("paragraph", text, 0)
            return
        texts = [text for text, _ in lines]
        is_heading = [_heading_like(text, line) for text, line in lines]
        run: list[str] = []
        for i, text in enumerate(texts):
            stands_alone = len(texts) == 1 or (i + 1 < len(texts) and not is_heading[i + 1])
            if is_heading[i] and stands_alone:
                self._emit("paragraph", " ".join(run), 0)
                run = []
                self._pseudo_heading(text)
            else:
                run.append(text)
        self._emit("paragraph", " ".join(run), 0)

    def _emit(self, kind: str, text: str, level: int) -> None:
        if text:
            self.blocks.append(Block(kind, text, self._section(), level))

    def _section(self) -> tuple[str, ...]:
        """One tuple shared by the blocks of a section (a page may have 200,000 of them)."""
        if self.section is None:
            self.section = tuple(text for _, text, _ in self.headings)
        return self.section

    def _heading(self, level: int, text: str, real: bool) -> None:
        if not text:
            return
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
            self.section = None
        self.blocks.append(Block("heading", text, self._section(), level))
        self.headings.append((level, text, real))
        self.section = None

    def _pseudo_heading(self, text: str) -> None:
        """A bold or capitalised line ranks one below the last real <hN> heading; a line in
        capitals naming a legal document ranks as the first such line did. A hub sets its
        documents' titles alike ("TERMS OF SERVICE", then the terms' own <h3> sections, then
        "PRIVACY POLICY"): ranked by the headings before it, the second would rank as a
        section of the first. Capitals only: a bold "Terms of Use" inside a policy titled by
        a bold line is a section pointing to the terms, and keeps its rank under the policy's."""
        named = document_name(text) in _DOCUMENTS and is_all_caps_heading(text)
        if named and self.document_level:
            level = self.document_level
        else:
            level = min(6, next((level for level, _, real in reversed(self.headings) if real), 0) + 1)
            if named:
                self.document_level = level
        self._heading(level, text, real=False)

    def _table(self, table: etree._Element) -> None:
        for caption in table.iter("caption"):
            self._emit("paragraph", normalize_text(_flat_text(caption)), 0)
        for row in table.iter("tr"):
            cells = [normalize_text(_flat_text(cell)) for cell in row if cell.tag in _CELLS]
            while cells and not cells[-1]:
                cells.pop()  # trailing empty cells are layout, not data
            self._emit("table_row", CELL_SEPARATOR.join(cells), 0)


def _is_layout_table(table: etree._Element) -> bool:
    """A table used for page layout, to be read as blocks rather than as rows of data.

    Layout: marked presentational, holds tables or headings, has one column, or (without
    header cells) holds paragraphs, lists, <br><br> runs or long text in its cells.
    """
    if table.get("role") in ("presentation", "none") or next(table.iterdescendants(*_NESTED), None) is not None:
        return True
    rows = [[cell for cell in row if cell.tag in _CELLS] for row in table.iter("tr")]
    if max(map(len, rows), default=0) < 2:
        return True
    if table.find(".//th") is not None:
        return False
    long_cell = any(word_count(_flat_text(cell)) > _LONG_CELL_WORDS for row in rows for cell in row)
    return long_cell or bool(_CELL_BLOCKS(table))


def _heading_like(text: str, line: list[tuple[str, bool]]) -> bool:
    if text.isascii() and text.count(" ") >= MAX_HEADING_WORDS:
        return False  # too many words for a heading (normalised text has single spaces)
    return is_all_caps_heading(text) or is_numbered_heading(text) or (_all_bold(line) and is_bold_heading(text))


def _is_blank(line: list[tuple[str, bool]]) -> bool:
    return all(not text.strip() for text, _ in line)


def _all_bold(line: list[tuple[str, bool]]) -> bool:
    return all(bold for text, bold in line if text.strip())


def _flat_text(element: etree._Element) -> str:
    """All text under `element`, with a space wherever a block or <br> separates it."""
    if not len(element):  # most headings and cells: nothing to separate
        return element.text or ""
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        gap = " " if tag in _BLOCK_TAGS or tag == "br" else ""
        if event == "start":
            parts += (gap, (node.text or "") if tag else "")  # a comment's text is not text
        else:
            parts += (gap, (node.tail or "") if node is not element else "")
    return "".join(parts)
