"""Markdown and plain text as normalizer input, through the HTML path.

Datasets publish policies as Markdown (Princeton-Leuven, Open Terms Archive) or as bare
text. Rendering them to HTML with a CommonMark parser (markdown-it-py, tables on) and
normalising that HTML gives headings, lists, tables and paragraphs the very clause kinds,
sections and text rules of an archived page, so one policy arriving as HTML from one source
and as Markdown from another yields the same clauses. Raw HTML inside Markdown is escaped,
never rendered: a dataset's text cannot inject markup. The one exception is a line break,
`<br>`: a Markdown table cell can break a line no other way, so datasets write it there
(a versions dataset's tables list a row's data types one per line), and it is read as the
break it stands for, never as the words "<br>".

Two conventions of the input kinds, not of any site:
- A Princeton-Leuven file opens with its provenance line (a block quote: "The following
  text is extracted and transformed from the <domain> privacy policy that was archived on
  <date> …") and then the page's `<title>` as a level-1 heading (Readability's output). The
  line is metadata and the title is the page's title, as `<title>` is for HTML: neither is
  a clause.
- Text with no blank line anywhere is line-oriented (one block per line); CommonMark would
  run it all into one paragraph.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime

from markdown_it import MarkdownIt

MARKDOWN_TYPES = ("text/markdown", "text/x-markdown")
MARKDOWN = "text/markdown; charset=utf-8"
# File name endings of the kinds of input (text is read as Markdown: see line_oriented).
SUFFIXES = {".md": MARKDOWN, ".markdown": MARKDOWN, ".txt": MARKDOWN, ".text": MARKDOWN,
            ".html": "text/html", ".htm": "text/html", ".xhtml": "text/html"}

_PARSER = MarkdownIt("commonmark", {"html": False}).enable("table")
# A `<br>` the parser escaped as text (see the module's docstring): `<br>`, `<br/>`, `<BR />`.
_ESCAPED_BREAK = re.compile(r"&lt;br\s*/?&gt;", re.IGNORECASE)

PROVENANCE = re.compile(
    r"\A\s*>\s*\*?The following text is extracted and transformed from the (?P<domain>\S+?) "
    r"privacy policy that was archived on (?P<date>\d{4}-\d{2}-\d{2})\.\s*Please check the "
    r"\[original snapshot on the Wayback Machine\]\((?P<wayback>[^)\s]+)\)[^\n]*\n")
_WAYBACK_ID = re.compile(r"/web/(?P<timestamp>\d{14})(?:id_)?/(?P<url>.+)$")
_TITLE = re.compile(r"\A\s*#[ \t]+(?P<title>[^\n]*?)[ \t#]*(?:\n|\Z)")
_LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_TABLE_LINE = re.compile(r"^\s*\|")


@dataclass(frozen=True)
class Provenance:
    """What a Princeton-Leuven provenance line says about its file."""

    domain: str
    archived: datetime  # the Wayback capture's timestamp when the link has one, else the date
    wayback_url: str
    url: str | None  # the policy page's own URL, from the Wayback link

    @property
    def timestamp(self) -> str:
        return self.archived.strftime("%Y%m%d%H%M%S")


def read_provenance(text: str) -> Provenance | None:
    """The provenance line heading `text`; None when there is none, or when its date is no
    date (a month 13: the line is not the corpus's)."""
    found = PROVENANCE.match(text)
    if found is None:
        return None
    wayback = found.group("wayback")
    link = _WAYBACK_ID.search(wayback)
    try:
        if link:
            archived = datetime.strptime(link.group("timestamp"), "%Y%m%d%H%M%S")
            url = re.sub(r"^(https?)%3A//", r"\1://", link.group("url"), flags=re.I)
        else:
            archived, url = datetime.strptime(found.group("date"), "%Y-%m-%d"), None
    except ValueError:
        return None
    return Provenance(found.group("domain"), archived, wayback, url)


def markdown_to_html(text: str) -> str:
    """A whole HTML page for the Markdown `text`, its title taken out as described above."""
    title = None
    provenance = PROVENANCE.match(text)
    if provenance:
        text = text[provenance.end():]
        heading = _TITLE.match(text)
        if heading:
            title, text = heading.group("title"), text[heading.end():]
    text = line_oriented(text)
    head = f"<title>{html.escape(title)}</title>" if title else ""
    body = _ESCAPED_BREAK.sub("<br>", _PARSER.render(text))
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def line_oriented(text: str) -> str:
    """Text without a blank line, each line made a block of its own (list lines stay a list,
    table lines a table)."""
    lines = text.strip("\n").split("\n")
    if len(lines) < 2 or any(not line.strip() for line in lines):
        return text
    out: list[str] = []
    for previous, line in zip([None, *lines], lines):
        if previous is not None and not any(kind.match(previous) and kind.match(line) for kind in (_LIST_LINE, _TABLE_LINE)):
            out.append("")
        out.append(line)
    return "\n".join(out) + "\n"


def is_markdown(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in MARKDOWN_TYPES


def content_type_for(name: str) -> str | None:
    """The content type a file's name ending says (None: unknown)."""
    dot = name.rfind(".")
    return SUFFIXES.get(name[dot:].lower()) if dot >= 0 else None
