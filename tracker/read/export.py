"""Exports: versions and clause changes as a dataset (CSV or JSON Lines), and a document's
history as Markdown files, one per version.

The dataset columns are the analyst views' (docs/sql.md), in a fixed order, with values
written the same way whichever database they come from (ISO datetimes, true/false), so an
export of the same history is byte-identical on SQLite and PostgreSQL. Every file is
written through tracker.outputs (a temporary name, renamed onto a new or regular file
only), so a rerun overwrites it whole, identically.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tracker.outputs import STDOUT, OutputFolder, file_target, write_output
from tracker.read.history import version_sources
from tracker.store import Evidence, clause_change_records, version_clauses, version_evidence
from tracker.store.documents import find_documents
from tracker.store.models import Version

FORMATS = ("csv", "jsonl")

# (column, type) in output order; the SQL reads them from the views by these names.
VERSION_COLUMNS = [
    ("provider", str), ("document", str), ("seq", int), ("first_seen", datetime),
    ("last_seen", datetime), ("first_timestamp", str), ("last_timestamp", str),
    ("first_archive_url", str), ("capture_count", int), ("clause_count", int),
    ("word_count", int), ("effective_date", date), ("normalizer_version", str),
    ("clause_hash", str), ("added", int), ("removed", int), ("modified", int), ("moved", int),
    ("material", bool),
]
CHANGE_COLUMNS = [
    ("provider", str), ("document", str), ("from_seq", int), ("to_seq", int), ("date", datetime),
    ("before_timestamp", str), ("before_archive_url", str), ("after_timestamp", str),
    ("after_archive_url", str), ("ordinal", int), ("kind", str), ("section", str),
    ("old_text", str), ("new_text", str), ("similarity", float), ("moved", bool),
    ("cosmetic", bool), ("step_material", bool), ("flags", str), ("categories", str),
]
# A version's public evidence (tracker.store.evidence): Save Page Now's capture of a version a
# live check found, or why there is none yet.
EVIDENCE_COLUMNS = [("evidence_state", str), ("evidence_timestamp", str), ("evidence_url", str),
                    ("evidence_error", str)]
COMPUTED = ("sources", "text", *(name for name, _ in EVIDENCE_COLUMNS))  # computed here, not read from the view
DATASETS = {
    # versions carry their public evidence, their sources (JSON list, tracker.read.history.SourceRow)
    # and their full text as last columns: clauses in order, one per line
    "versions": (VERSION_COLUMNS + EVIDENCE_COLUMNS + [("sources", str), ("text", str)],
                 "SELECT version_id, {columns} FROM policy_timeline ORDER BY provider, document, seq"),
    # changes carry the change's texts: a many side's clauses joined by line breaks (the
    # view's old_text and new_text are its first clause's)
    "changes": (CHANGE_COLUMNS,
                "SELECT change_id, {columns} FROM clause_changes ORDER BY provider, document, to_seq, ordinal"),
}


def export_dataset(session: Session, what: str, fmt: str, out: str | Path) -> int:
    """Write the `what` dataset ('versions' or 'changes') to `out` (`-`: standard output);
    return the row count."""
    if str(out) != STDOUT:
        file_target(out)  # refused before the work, not after it
    columns, sql = DATASETS[what]
    names = [name for name, _ in columns if name not in COMPUTED]
    rows = []
    sources: dict[int, dict] = {}
    evidence: dict[int, dict[int, Evidence]] = {}
    found = session.execute(text(sql.format(columns=", ".join(names)))).all()
    texts = {(r.change_id, r.ordinal): (r.old_text, r.new_text)
             for records in clause_change_records(session, (row[0] for row in found)).values() for r in records
             } if what == "changes" else {}
    for row in found:
        values = dict(zip(names, row[-len(names):]))
        if what == "changes":
            values["old_text"], values["new_text"] = texts[row[0], values["ordinal"]]
        if what == "versions":
            version = session.get_one(Version, row[0])
            if version.document_id not in sources:
                sources[version.document_id] = version_sources(session, version.document_id)
                evidence[version.document_id] = version_evidence(session, version.document_id)
            values["sources"] = json.dumps([s.to_dict() for s in sources[version.document_id].get(version.id, ())],
                                           ensure_ascii=False)
            public = evidence[version.document_id].get(version.id)
            values.update(evidence_state=public and public.state, evidence_timestamp=public and public.timestamp,
                          evidence_url=public and public.url, evidence_error=public and public.error)
            values["text"] = "\n".join(c.text for c in version_clauses(session, version))
        rows.append([_plain(values[name], kind) for name, kind in columns])
    header = [name for name, _ in columns]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else _csv_cell(v) for v in row] for row in rows)
        content = buffer.getvalue()
    else:
        content = "".join(json.dumps(dict(zip(header, row)), ensure_ascii=False) + "\n" for row in rows)
    write_output(out, content)
    return len(rows)


def _plain(value, kind):
    """One value as exported, identical from either database (SQLite returns text for
    datetimes through a view and 0/1 for booleans)."""
    if value is None:
        return None
    if kind is datetime:
        value = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        return value.isoformat()
    if kind is date:
        return (value if isinstance(value, date) else date.fromisoformat(value)).isoformat()
    if kind is float:
        return round(float(value), 4)
    return kind(value)


def _csv_cell(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else spreadsheet_safe(value)


# What makes a spreadsheet read a cell as a formula (OWASP "CSV injection"), also after a tab
# or carriage return.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """A CSV cell as text a spreadsheet shows, never runs: text starting like a formula gets
    a leading apostrophe (as spreadsheet tools expect); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return str(value)


@dataclass(frozen=True)
class MarkdownFile:
    path: Path
    seq: int


def export_markdown(session: Session, provider: str, directory: str | Path) -> list[MarkdownFile]:
    """One Markdown file per version of each of the provider's documents:
    DIR/<document-slug>/<first-seen date>-v<seq>.md."""
    written = []
    documents = find_documents(session, provider)
    out = OutputFolder(directory)
    for document in documents:
        versions = session.scalars(
            select(Version).where(Version.document_id == document.id).order_by(Version.seq)).all()
        for version in versions:
            name = Path(slug(document.name)) / f"{version.first_seen:%Y-%m-%d}-v{version.seq:03d}.md"
            path = out.write(name, version_markdown(session, document, version))
            written.append(MarkdownFile(path, version.seq))
    return written


def version_markdown(session: Session, document, version: Version) -> str:
    archive_url = session.scalar(
        text("SELECT first_archive_url FROM policy_timeline WHERE version_id = :id"), {"id": version.id})
    front = {
        "provider": document.provider.name, "document": document.name, "version": version.seq,
        "first_seen": version.first_seen.isoformat(), "last_seen": version.last_seen.isoformat(),
        "archive_url": archive_url, "clauses": version.clause_count, "words": version.word_count,
        "sources": [source.to_dict()
                    for source in version_sources(session, document.id, version.id).get(version.id, ())],
    }
    lines = ["---", *(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()), "---", ""]
    previous = None
    for clause in version_clauses(session, version):
        tight = previous == clause.kind and clause.kind in ("list_item", "table_row")
        if previous is not None and not tight:
            lines.append("")
        lines.append(_markdown_line(clause.kind, clause.level, clause.text))
        previous = clause.kind
    return "\n".join(lines) + "\n"


def _markdown_line(kind: str, level: int, clause_text: str) -> str:
    if kind == "heading":
        return "#" * min(max(level, 1), 6) + " " + markdown_escape(clause_text)
    if kind == "list_item":
        return "  " * max(level - 1, 0) + "- " + markdown_escape(clause_text)
    if kind == "table_row":
        return "| " + " | ".join(markdown_escape(cell) for cell in clause_text.split(" | ")) + " |"
    return markdown_escape(clause_text)


_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~&])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])")


def markdown_escape(clause_text: str) -> str:
    """Policy text as literal Markdown: no markup, links, raw HTML or list syntax of its own."""
    escaped = _SPECIAL.sub(r"\\\1", " ".join(clause_text.split()))
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], escaped)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "document"
