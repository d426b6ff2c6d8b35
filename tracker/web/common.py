"""What the pages, the API and the feeds share: a read-only session per request, dates and
version references from the query string, template rendering."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tracker.dates import period_end
from tracker.read import version_at
from tracker.store.models import Capture, Document, Version
from tracker.web import data
from tracker.web.exceptions import NotFound

# Ids, sequence numbers and the paging cursors made of them are INTEGER columns (32 bits on
# PostgreSQL): a value outside them names nothing, and is refused (422) before it reaches
# the database, where it would be an overflow (a 500) on either one.
MAX_ID = 2**31 - 1
PathId = Annotated[int, Path(ge=0, le=MAX_ID)]
QueryId = Annotated[int, Query(ge=0, le=MAX_ID)]


@contextmanager
def reading(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def resolve_version(session: Session, doc: Document, ref: str) -> Version:
    """'v3' (or '3') is version 3; anything else is a date, naming the version in force then."""
    ref = ref.strip()
    digits = ref[1:] if ref[:1] in ("v", "V") else ref
    if digits.isascii() and digits.isdigit() and (ref[:1] in ("v", "V") or len(digits) < 4):
        if int(digits) > MAX_ID:
            raise NotFound(f"no version {digits} of document {doc.id}")
        return data.version(session, doc, int(digits))
    return version_at(session, doc, period_end(ref))


def render(request: Request, template: str, **context) -> HTMLResponse:
    page = request.app.state.templates.get_template(template).render(request=request, **context)
    return HTMLResponse(page)


def provenance_link(request: Request, capture: Capture) -> str | None:
    """Where a version's text came from: an archive capture in the configured Wayback Machine
    (the `id_`-less view people read), or an imported record's own http(s) address, if any."""
    if capture.source == "wayback":
        return f"{request.app.state.archive_url}/web/{capture.timestamp}/{capture.url}"
    url = capture.source_url or ""
    return url if url.startswith(("https://", "http://")) else None
