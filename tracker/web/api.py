"""The JSON API under /api (schemas in the generated /api/openapi.json). URLs are stable
(documents by id, versions by sequence number, changes by id); lists are pages of at most
`limit` items with the URL of the `next` page (keyset paging, so a page never shifts);
every response has an ETag and answers If-None-Match with 304."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from tracker.dates import period_end, period_start
from tracker.read import VersionRow, recorded_changes, timeline, version_at
from tracker.store import version_clauses
from tracker.web import data
from tracker.web.common import MAX_ID, PathId, QueryId, reading
from tracker.web.exceptions import NotFound

router = APIRouter(prefix="/api", tags=["api"])
LIMIT = Query(100, ge=1, le=1000, description="Most items in one page.")


class DocumentOut(BaseModel):
    id: int
    provider: str
    name: str
    urls: list[str]
    versions: int
    last_change: datetime | None
    last_checked_at: datetime | None
    problem: str | None
    url: str
    versions_url: str


class VersionOut(BaseModel):
    seq: int
    first_seen: datetime
    last_seen: datetime
    first_timestamp: str
    last_timestamp: str
    captures: int
    clauses: int
    words: int
    effective_date: date | None
    material_count: int | None  # of the step that led to this version (none for the first)
    cosmetic_count: int | None
    url: str


class ClauseOut(BaseModel):
    clause_id: int
    kind: str
    level: int
    section: list[str]
    text: str


class VersionDetail(VersionOut):
    document_id: int
    clauses_in_order: list[ClauseOut]


class StepOut(BaseModel):
    id: int
    document_id: int
    provider: str
    document: str
    from_seq: int
    to_seq: int
    date: datetime
    material: bool
    material_count: int
    cosmetic_count: int
    added: int
    removed: int
    modified: int
    moved: int
    split: int
    merged: int
    url: str


class ClauseRecord(BaseModel):
    ordinal: int
    kind: str
    old_section: list[str] | None
    new_section: list[str] | None
    old_text: str | None
    new_text: str | None
    redline: str | None
    similarity: float
    moved: bool
    cosmetic: bool
    flags: list[str]
    categories: list[str]


class ChangeDetail(StepOut):
    clause_changes: list[ClauseRecord]


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
    return DocumentOut(**vars(s), url=url, versions_url=url + "/versions")


def _version(request: Request, document_id: int, row: VersionRow) -> VersionOut:
    return VersionOut(**{k: getattr(row, k) for k in VersionOut.model_fields if k != "url"},
                      url=str(request.url_for("api_version", document_id=document_id, seq=row.seq)))


def _step(request: Request, step: data.Step) -> StepOut:
    return StepOut(**vars(step), url=str(request.url_for("api_change", change_id=step.id)))


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
    return VersionDetail(**_version(request, doc.id, row).model_dump(), document_id=doc.id,
                         clauses_in_order=[ClauseOut(clause_id=c.clause_id, kind=c.kind, level=c.level,
                                                     section=list(c.section), text=c.text) for c in clauses])


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
    return ChangeDetail(**_step(request, step).model_dump(), clause_changes=[
        ClauseRecord(**{k: getattr(r, k) for k in ClauseRecord.model_fields}) for r in records])
