"""The JSON API under /api (schemas in the generated /api/openapi.json). URLs are stable
(documents by id, versions by sequence number, changes by id); lists are pages of at most
`limit` items with the URL of the `next` page (keyset paging, so a page never shifts);
every response has an ETag and answers If-None-Match with 304."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from tracker.dates import period_end, period_start
from tracker.read import ChangeRow, VersionRow, recorded_changes, timeline, version_at
from tracker.store import StoredClause, version_clauses
from tracker.web import data
from tracker.web.common import MAX_ID, PathId, QueryId, reading
from tracker.web.exceptions import NotFound

router = APIRouter(prefix="/api", tags=["api"])
LIMIT = Query(100, ge=1, le=1000, description="Most items in one page.")


# The API's answers are the read side's own dataclasses (FastAPI builds their schemas with
# Pydantic), with the API's links added: a field added to a record there is in the API and
# its OpenAPI document at once, and the two cannot drift apart.


@dataclass(frozen=True)
class DocumentOut(data.DocumentSummary):
    """A tracked document (tracker.web.data.DocumentSummary) and its API links."""

    url: str
    versions_url: str


@dataclass(frozen=True)
class VersionOut(VersionRow):
    """A version (tracker.read.VersionRow: the counts are of the step that led to it, none for
    the first) and its API link."""

    url: str = field(kw_only=True)


@dataclass(frozen=True)
class VersionDetail(VersionOut):
    """A version with its clauses in reading order (tracker.store.StoredClause)."""

    document_id: int = field(kw_only=True)
    clauses_in_order: list[StoredClause] = field(kw_only=True)


@dataclass(frozen=True)
class StepOut(data.Step):
    """A step between consecutive versions (tracker.web.data.Step) and its API link."""

    url: str


@dataclass(frozen=True)
class ChangeDetail(StepOut):
    """A step with its clause changes as recorded (tracker.read.ChangeRow), in reading order."""

    clause_changes: list[ChangeRow]


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    next: str | None


class VersionPage(BaseModel):
    items: list[VersionOut]
    next: str | None


class StepPage(BaseModel):
    items: list[StepOut]
    next: str | None


def _next(request: Request, items: list, limit: int, cursor) -> str | None:
    if len(items) < limit:
        return None
    return str(request.url.include_query_params(after=cursor))


def _document(request: Request, s: data.DocumentSummary) -> DocumentOut:
    url = str(request.url_for("api_document", document_id=s.id))
    return DocumentOut(**_fields(s), url=url, versions_url=url + "/versions")


def _version_url(request: Request, document_id: int, seq: int) -> str:
    return str(request.url_for("api_version", document_id=document_id, seq=seq))


def _version(request: Request, document_id: int, row: VersionRow) -> VersionOut:
    return VersionOut(**_fields(row), url=_version_url(request, document_id, row.seq))


def _step(request: Request, step: data.Step) -> StepOut:
    return StepOut(**_fields(step), url=str(request.url_for("api_change", change_id=step.id)))


def _fields(record) -> dict:
    """A dataclass's fields as they are (dataclasses.asdict would turn nested ones into dicts)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


@router.get("/documents", response_model=DocumentPage)
def api_documents(request: Request, after: QueryId = 0, limit: int = LIMIT):
    """Tracked documents by id."""
    with reading(request) as session:
        rows = data.document_summaries(session, after=after, limit=limit)
    return DocumentPage(items=[_document(request, r) for r in rows],
                        next=_next(request, rows, limit, rows[-1].id if rows else None))


@router.get("/documents/{document_id}", response_model=DocumentOut, name="api_document")
def api_document(request: Request, document_id: PathId):
    with reading(request) as session:
        rows = data.document_summaries(session, after=document_id - 1, limit=1)
    if not rows or rows[0].id != document_id:
        raise NotFound(f"no document {document_id}")
    return _document(request, rows[0])


@router.get("/documents/{document_id}/versions", response_model=VersionPage)
def api_versions(request: Request, document_id: PathId, after: QueryId = 0, limit: int = LIMIT):
    """A document's versions by sequence number, each with the counts of the step to it."""
    with reading(request) as session:
        rows = [r for r in timeline(session, data.document(session, document_id)) if r.seq > after][:limit]
    return VersionPage(items=[_version(request, document_id, r) for r in rows],
                       next=_next(request, rows, limit, rows[-1].seq if rows else None))


def _version_detail(request: Request, session, doc, seq: int) -> VersionDetail:
    row = next((r for r in timeline(session, doc) if r.seq == seq), None)
    if row is None:
        raise NotFound(f"no version {seq} of document {doc.id}")
    clauses = version_clauses(session, data.version(session, doc, seq))
    return VersionDetail(**_fields(row), url=_version_url(request, doc.id, seq), document_id=doc.id,
                         clauses_in_order=clauses)


@router.get("/documents/{document_id}/versions/{seq}", response_model=VersionDetail, name="api_version")
def api_version(request: Request, document_id: PathId, seq: PathId):
    """One version with its clauses in reading order."""
    with reading(request) as session:
        return _version_detail(request, session, data.document(session, document_id), seq)


@router.get("/documents/{document_id}/at/{when}", response_model=VersionDetail)
def api_version_at(request: Request, document_id: PathId, when: str):
    """The version in force at the end of `when` (YYYY, YYYY-MM, YYYY-MM-DD or a 14-digit
    timestamp): the newest one first seen on or before it."""
    with reading(request) as session:
        doc = data.document(session, document_id)
        return _version_detail(request, session, doc, version_at(session, doc, period_end(when)).seq)


def _cursor(text: str | None) -> tuple[datetime, int] | None:
    if not text:
        return None
    when, _, change_id = text.rpartition("~")
    try:
        cursor = datetime.fromisoformat(when), int(change_id)
    except ValueError:
        cursor = None
    if cursor is None or not 0 <= cursor[1] <= MAX_ID:
        raise ValueError(f"not a page cursor: {text!r} (use the `next` URL as given)")
    return cursor


@router.get("/changes", response_model=StepPage)
def api_changes(request: Request, since: str | None = Query(None, description="YYYY[-MM[-DD]]: from the start of it"),
                provider: str | None = None, document_id: QueryId | None = None,
                category: str | None = Query(None, description="an OPP-115 category (tracker.categories)"),
                material: bool | None = None, after: str | None = None, limit: int = LIMIT):
    """Recorded steps between consecutive versions, oldest first, filtered."""
    with reading(request) as session:
        rows = data.steps(session, since=period_start(since) if since else None, provider=provider,
                          document_id=document_id, category=category, material=material,
                          after=_cursor(after), limit=limit)
    cursor = f"{rows[-1].date.isoformat()}~{rows[-1].id}" if rows else None
    return StepPage(items=[_step(request, r) for r in rows], next=_next(request, rows, limit, cursor))


@router.get("/changes/{change_id}", response_model=ChangeDetail, name="api_change")
def api_change(request: Request, change_id: PathId):
    """One step with its clause changes as recorded, in reading order."""
    with reading(request) as session:
        step = data.step(session, change_id)
        records = recorded_changes(session, change_ids=[change_id])
    return ChangeDetail(**_fields(_step(request, step)), clause_changes=records)
