"""Keeping imported records as captures, idempotently and resumably, then deriving versions.

A record is skipped without reading its bytes when a capture of the same source and
locator (`source_ref`) is held, so a rerun costs one lookup per record. A record that
cannot be kept (a name with a control character, a blob missing, no date) is skipped with
one line naming it, before anything of it is written; the others go on. Records are
committed in batches, bytes first (the raw store is written before the row that names
it): a run killed at any point loses at most its last batch's rows, which a rerun imports
again, and the derivation of every document left with unplaced captures runs again at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from tracker.backfill import Progress
from tracker.importers.exceptions import ImportFailed
from tracker.store.documents import ensure_document
from tracker.store.exceptions import InvalidName
from tracker.store.models import Capture, CaptureState, utcnow
from tracker.store.rawstore import RawStore
from tracker.urls import InvalidURL, check_url
from tracker.versions import derive_versions
from tracker.wayback import surt

BATCH = 200  # records per transaction
URL_SIZE = 2000  # capture.url and document_url.url hold this many characters


@dataclass(frozen=True)
class ImportRecord:
    """One version of a document's text as a dataset holds it."""

    provider: str
    document: str
    url: str | None  # the policy page's address, when the source names it
    captured_at: datetime  # when the text was captured (or the date it states)
    body: bytes
    content_type: str  # text/markdown, text/html (with charset)
    source: str  # file | citp | ota
    source_ref: str  # locator, unique per source: a path, dataset@commit:path
    source_url: str | None = None  # a link to the record's origin
    technical: bool = False  # the source calls it a re-extraction of unchanged text


@dataclass
class ImportStats:
    read: int = 0  # records offered
    added: int = 0  # new captures
    held: int = 0  # already imported (same source and locator)
    technical: int = 0  # of the added, records the source calls technical
    skipped: list[str] = field(default_factory=list)  # one line per record not imported
    documents: int = 0  # documents derived
    versions: int = 0  # versions added by the derivation
    invalid: int = 0  # records that are not a policy (near-empty, error page)

    def line(self) -> str:
        return (f"read {self.read}, imported {self.added} ({self.technical} technical), already held {self.held}, "
                f"skipped {len(self.skipped)}; {self.documents} documents derived, new versions {self.versions}, "
                f"invalid {self.invalid}")


@dataclass(frozen=True)
class PendingRecord:
    """A record known by its locator; `load` reads it (a str: the line skipping it)."""

    source: str
    source_ref: str
    load: Callable[[], ImportRecord | str]


def store_records(sessions, raw: RawStore, records: Iterable[PendingRecord], stats: ImportStats,
                  progress: Progress | None = None, total: int = 0) -> set[int]:
    """Keep each record not held yet as a fetched capture; return the ids of the documents
    that gained captures."""
    touched: set[int] = set()
    if progress:
        progress.start("reading", total)
    try:
        with sessions() as session:
            _store(session, raw, records, stats, progress, touched)
    finally:
        if progress:
            progress.finish()
    return touched


def _store(session, raw: RawStore, records: Iterable[PendingRecord], stats: ImportStats,
           progress: Progress | None, touched: set[int]) -> None:
    pending = 0
    for record in records:
        stats.read += 1
        if progress:
            progress.advance()
        if _held(session, record.source, record.source_ref):
            stats.held += 1
            continue
        try:
            loaded = record.load()
            if isinstance(loaded, str):
                stats.skipped.append(loaded)
                continue
            document_id = _keep(session, raw, loaded, stats)
        except (InvalidName, ImportFailed) as exc:  # raised before anything of the record is written
            stats.skipped.append(f"{record.source_ref}: {exc}")
            continue
        if document_id is not None:
            touched.add(document_id)
        pending += 1
        if pending >= BATCH:
            session.commit()
            pending = 0
    session.commit()


def _held(session, source: str, source_ref: str) -> bool:
    return session.scalar(select(Capture.id).where(
        Capture.source == source, Capture.source_ref == source_ref).limit(1)) is not None


def _keep(session, raw: RawStore, record: ImportRecord, stats: ImportStats) -> int | None:
    page_url = _page_url(record.url)
    url = next((u for u in (page_url, _web_link(record.source_url), record.source_ref) if u and len(u) <= URL_SIZE),
               None)
    if url is None:
        raise ImportFailed(f"its locator is longer than {URL_SIZE} characters")
    document = ensure_document(session, record.provider, record.document, page_url)
    timestamp = record.captured_at.strftime("%Y%m%d%H%M%S")
    if session.scalar(select(Capture.id).where(
            Capture.document_id == document.id, Capture.timestamp == timestamp,
            Capture.url == url, Capture.source == record.source)):
        stats.skipped.append(f"{record.source_ref}: another record of {record.source} has the same time "
                             f"({timestamp}) and URL")
        return None
    digest = raw.put(record.body, {"Content-Type": record.content_type})
    session.add(Capture(
        document_id=document.id, url=url, timestamp=timestamp, captured_at=record.captured_at,
        urlkey=surt(page_url) if page_url else "", mimetype=record.content_type, statuscode="200",
        cdx_digest=digest, length=str(len(record.body)), state=CaptureState.FETCHED, raw_digest=digest,
        fetched_at=utcnow(), source=record.source, source_ref=record.source_ref,
        source_url=_web_link(record.source_url), technical=record.technical,
    ))
    session.flush()
    stats.added += 1
    stats.technical += record.technical
    return document.id


def _page_url(url: str | None) -> str | None:
    """A dataset's page URL when it is one the archive could hold (a record is not skipped
    for a malformed one: its text is still the policy's)."""
    try:
        checked = check_url(url) if url else None
    except InvalidURL:
        return None
    return checked if checked and len(checked) <= URL_SIZE else None


def _web_link(url: str | None) -> str | None:
    """Only http(s) links are kept: digests and views render them as links."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def derive_imported(sessions, raw: RawStore, document_ids: set[int], stats: ImportStats,
                    progress: Progress | None = None) -> None:
    """Derive the touched documents, and any a killed run left with unplaced imports."""
    with sessions() as session:
        left = set(session.scalars(select(Capture.document_id).distinct().where(
            Capture.source != "wayback", Capture.state == CaptureState.FETCHED,
            Capture.version_id.is_(None), Capture.invalid_reason.is_(None))))
    todo = sorted(document_ids | left)
    if progress:
        progress.start("deriving", len(todo))
    try:
        for document_id in todo:
            derived = derive_versions(sessions, raw, document_id)
            stats.versions += derived.versions
            stats.invalid += derived.invalid
            stats.documents += 1
            if progress:
                progress.advance()
    finally:
        if progress:
            progress.finish()
