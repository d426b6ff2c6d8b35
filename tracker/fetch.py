"""Backfill: list a document's captures, download the new ones, derive its versions.

Three steps, each committed as it goes so that a run killed at any point resumes where it
stopped: (1) every CDX row is stored as a `pending` capture before anything is downloaded;
(2) pending and failed captures are downloaded into the raw store, skipping digests already
held; (3) fetched captures are normalised in time order into versions and changes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tracker import store
from tracker.models import Capture, Document, DocumentUrl, Version, utcnow
from tracker.normalize import NormalizeError, normalize
from tracker.rawstore import RawStore
from tracker.wayback import (
    ArchiveUnreachable,
    CdxRecord,
    RateLimited,
    WaybackClient,
    WaybackError,
)

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "unk", "warc/revisit", "-")


@dataclass
class BackfillStats:
    document: str
    listed: int = 0
    new: int = 0
    downloaded: int = 0
    skipped: int = 0
    failed: int = 0
    invalid: int = 0
    versions: int = 0

    def line(self) -> str:
        return (
            f"{self.document}: listed {self.listed} (new {self.new}), downloaded {self.downloaded}, "
            f"skipped {self.skipped}, failed {self.failed}, invalid {self.invalid}, "
            f"new versions {self.versions}"
        )


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...
    def advance(self) -> None: ...
    def finish(self) -> None: ...


def backfill(
    sessions: sessionmaker[Session],
    client: WaybackClient,
    raw: RawStore,
    documents: list[Document],
    *,
    progress: Progress | None = None,
) -> list[BackfillStats]:
    """Bring each document's history up to date. Stops at once (after committing what it
    has) when the archive is unreachable or keeps rate-limiting: going on would only
    deepen an IP block."""
    results = []
    for document in documents:
        label = f"{document.provider.name} / {document.name}"
        stats = BackfillStats(label)
        list_captures(sessions, client, document.id, stats)
        download_captures(sessions, client, raw, document.id, stats, label, progress)
        stats.versions = derive_versions(sessions, raw, document.id, stats)
        log.info(stats.line())
        results.append(stats)
    return results


def list_captures(sessions, client: WaybackClient, document_id: int, stats: BackfillStats) -> None:
    """Store every CDX row of every URL of the document as a pending capture (idempotent).

    Listing starts at the newest timestamp already held for that URL, so a daily check
    asks the archive only for what is new.
    """
    with sessions.begin() as session:
        urls = list(session.scalars(select(DocumentUrl.url).where(DocumentUrl.document_id == document_id)))
    for url in urls:
        with sessions() as session:
            newest = session.scalar(
                select(func.max(Capture.timestamp)).where(
                    Capture.document_id == document_id, Capture.url == url
                )
            )
        for record in client.search(url, from_ts=newest):
            stats.listed += 1
            with sessions.begin() as session:
                if _insert_capture(session, document_id, record):
                    stats.new += 1


def _insert_capture(session: Session, document_id: int, record: CdxRecord) -> bool:
    exists = session.scalar(
        select(Capture.id).where(
            Capture.document_id == document_id,
            Capture.timestamp == record.timestamp,
            Capture.url == record.original,
        )
    )
    if exists:
        return False
    session.add(Capture(
        document_id=document_id,
        url=record.original,
        timestamp=record.timestamp,
        captured_at=store.timestamp_to_datetime(record.timestamp),
        urlkey=record.urlkey,
        mimetype=record.mimetype,
        statuscode=record.statuscode,
        cdx_digest=record.digest,
        length=record.length,
        state="pending",
    ))
    return True


def download_captures(sessions, client, raw: RawStore, document_id: int, stats, label: str = "",
                      progress: Progress | None = None) -> None:
    with sessions() as session:
        todo = list(session.scalars(
            select(Capture.id)
            .where(Capture.document_id == document_id, Capture.state.in_(("pending", "failed")))
            .order_by(Capture.timestamp)
        ))
    if progress:
        progress.start(label, len(todo))
    try:
        for capture_id in todo:
            with sessions.begin() as session:
                _download_one(session, client, raw, session.get(Capture, capture_id), stats)
            if progress:
                progress.advance()
    finally:
        if progress:
            progress.finish()


def _download_one(session: Session, client, raw: RawStore, capture: Capture, stats) -> None:
    if not capture.statuscode.startswith("2") and capture.statuscode != "-":
        capture.state, capture.error = "skipped", f"archived answer was HTTP {capture.statuscode}"
        stats.skipped += 1
        return
    if not capture.mimetype.startswith(HTML_TYPES):
        capture.state, capture.error = "unsupported", f"not HTML: {capture.mimetype}"
        stats.skipped += 1
        return
    held = _held_digest(session, raw, capture)
    if held:
        capture.state, capture.raw_digest = "fetched", held
        stats.skipped += 1
        return
    capture.attempts += 1
    try:
        memento = client.get_capture(capture.timestamp, capture.url)
    except (ArchiveUnreachable, RateLimited):
        capture.state, capture.error = "failed", "archive unreachable or rate-limiting; run stopped"
        session.commit()
        raise
    except WaybackError as exc:
        capture.state, capture.error = "failed", str(exc)
        stats.failed += 1
        return
    capture.raw_digest = raw.put(memento.body, memento.headers)
    capture.served_timestamp = memento.timestamp
    capture.state, capture.error = "fetched", None
    capture.fetched_at = utcnow()
    stats.downloaded += 1


def _held_digest(session: Session, raw: RawStore, capture: Capture) -> str | None:
    """The raw-store digest of these bytes if we already hold them, else None."""
    if capture.cdx_digest and raw.has(capture.cdx_digest):
        return capture.cdx_digest
    return session.scalar(
        select(Capture.raw_digest)
        .where(Capture.cdx_digest == capture.cdx_digest, Capture.raw_digest.is_not(None))
        .limit(1)
    )


def derive_versions(sessions, raw: RawStore, document_id: int, stats: BackfillStats | None = None) -> int:
    """Normalise the document's fetched captures not yet placed, in time order, into versions.

    A capture older than the newest placed one (a retried failure, a widened window) makes
    the document's history be derived again from the raw store, as versions must be built
    in time order. Returns the number of versions added.
    """
    with sessions.begin() as session:
        before = _version_count(session, document_id)
        todo = _unplaced(session, document_id)
        newest_placed = session.scalar(
            select(func.max(Capture.timestamp)).where(
                Capture.document_id == document_id, Capture.version_id.is_not(None)
            )
        )
        if todo and newest_placed and todo[0].timestamp < newest_placed:
            log.info("document %s: capture older than its history; deriving it again", document_id)
            store.forget_versions(session, document_id)
            before = 0
    cache: dict[str, object] = {}
    while True:
        with sessions.begin() as session:
            todo = _unplaced(session, document_id, limit=50)
            if not todo:
                return _version_count(session, document_id) - before
            for capture in todo:
                document = cache.get(capture.raw_digest)
                if document is None:
                    document = cache[capture.raw_digest] = _normalize_capture(raw, capture)
                if isinstance(document, str):
                    capture.invalid_reason = document
                    if stats:
                        stats.invalid += 1
                    continue
                store.record_capture(session, capture, document.blocks)


def _unplaced(session: Session, document_id: int, limit: int | None = None) -> list[Capture]:
    query = (
        select(Capture)
        .where(
            Capture.document_id == document_id,
            Capture.state == "fetched",
            Capture.version_id.is_(None),
            Capture.invalid_reason.is_(None),
        )
        .order_by(Capture.timestamp, Capture.id)
    )
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def _normalize_capture(raw: RawStore, capture: Capture):
    """The normalised Document, or the reason the capture is not a usable policy page."""
    body = raw.get(capture.raw_digest)
    content_type = raw.headers(capture.raw_digest).get("Content-Type")
    try:
        document = normalize(body, content_type)
    except NormalizeError as exc:
        return f"unreadable: {exc}"
    if document.invalid_reason:
        return document.invalid_reason
    if not document.blocks:
        return "no text"
    return document


def _version_count(session: Session, document_id: int) -> int:
    return session.scalar(select(func.count(Version.id)).where(Version.document_id == document_id))
