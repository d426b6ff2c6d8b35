"""`tracker import files`: Markdown, text or HTML files, one version each.

Who and when, in this order: the Princeton-Leuven provenance line when the file has one
(domain, archive date, the Wayback capture), else the options, else the date the text
states for itself (tracker.diff.find_effective_date); a file still without a provider or a date is
skipped with one line. A file imported before is the same record (its path and bytes):
given again, what the options leave unsaid is where it is held, and what they say
otherwise is a correction, which `tracker import files --move` makes (tracker.importers.intake).
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from tracker.diff import find_effective_date
from tracker.importers.intake import ImportRecord, PendingRecord
from tracker.normalize import MARKDOWN, NormalizeError, content_type_for, normalize, read_provenance
from tracker.store.rawstore import sha1_base32

DOCUMENT = "Privacy Policy"  # a new record's document when none is given


def file_records(paths: list[str], *, provider: str | None = None, document: str | None = None,
                 url: str | None = None, when: datetime | None = None,
                 fmt: str = "auto") -> Iterator[PendingRecord]:
    for name in paths:
        path = Path(name)
        try:
            if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would block, /dev/zero never end
                yield PendingRecord("file", str(path), lambda name=name: f"{name}: not a regular file")
                continue
            body = path.read_bytes()
        except OSError as exc:
            yield PendingRecord("file", str(path), lambda exc=exc, name=name: f"{name}: {exc.strerror or exc}")
            continue
        ref = f"{path.resolve()}@{sha1_base32(body)}"
        yield PendingRecord(
            "file", ref,
            lambda name=name, body=body, ref=ref: _record(name, body, ref, provider, document or DOCUMENT, url,
                                                          when, fmt),
            amend=lambda held, name=name, body=body, ref=ref: _record(
                name, body, ref, provider or held.provider, document or held.document, url or held.url,
                when or held.captured_at, fmt))


def _record(name: str, body: bytes, ref: str, provider, document, url, when, fmt) -> ImportRecord | str:
    content_type = _content_type(name, fmt)
    if content_type is None:
        return f"{name}: unknown format (name it .md, .txt or .html, or give --format)"
    provenance = read_provenance(body.decode("utf-8", "replace")) if content_type == MARKDOWN else None
    source_url = None
    if provenance:
        provider, url, when = provenance.domain, provenance.url or url, provenance.archived
        source_url = provenance.wayback_url
    if not provider:
        return f"{name}: no provider (the file has no provenance line; give --provider)"
    if when is None:
        when = _stated_date(body, content_type)
    if when is None:
        return f"{name}: no date (no provenance line, no --date, and the text states none)"
    return ImportRecord(provider=provider, document=document, url=url, captured_at=when, body=body,
                        content_type=content_type, source="file", source_ref=ref, source_url=source_url)


def _content_type(name: str, fmt: str) -> str | None:
    if fmt == "markdown" or fmt == "text":
        return MARKDOWN
    if fmt == "html":
        return "text/html"
    return content_type_for(name)


def _stated_date(body: bytes, content_type: str) -> datetime | None:
    try:
        blocks = normalize(body, content_type).blocks
    except NormalizeError:
        return None
    stated = find_effective_date(block.text for block in blocks)
    return datetime(stated.year, stated.month, stated.day) if stated else None
