"""Backfill: list a document's captures, download the new ones, derive its versions.

Three steps, each committed as it goes so that a run killed at any point resumes where it
stopped: (1) every CDX row of every URL the document had is stored as a `pending` capture
before anything is downloaded (with `sample`, the rows outside the sample are marked
`skipped` right after); (2) pending and failed captures are downloaded into the raw store,
skipping digests already held; (3) fetched captures are normalised in time order into
versions and changes, the document's URLs merged into one timeline. With `jobs` > 1, a
document's pages are normalised in worker processes while the next document is listed and
downloaded, and it is derived after that (tracker.versions.parallel: the same rows).

Nothing listed is dropped: a capture that is not HTML (a PDF policy) is stored and marked
`unsupported`; one whose archived answer was not a 2xx is `skipped`; one that cannot be
fetched is `failed` with its error and attempt count, and retried on the next run, until it
has failed `max_attempts` times (a body too large or undecodable fails the same way every
time); `retry_failed` gives those another round on purpose. A run stopped by the archive
(unreachable, rate limiting) does not count against the capture.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from tracker.store.documents import mark_checked
from tracker.store.models import Capture, CaptureState, Document, DocumentUrl, utcnow
from tracker.store.rawstore import RawStore
from tracker.versions import Prefetch, derive_plan, derive_versions
from tracker.wayback import (
    ArchiveUnreachable,
    BlockedSite,
    CdxRecord,
    RateLimited,
    WaybackClient,
    WaybackError,
    memento_timestamp,
    sampling,
    surt,
    timestamp_datetime,
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
    blocked: list[str] = field(default_factory=list)  # URLs the archive refuses to list

    def line(self) -> str:
        blocked = f", blocked {' '.join(self.blocked)}" if self.blocked else ""
        return (
            f"{self.document}: listed {self.listed} (new {self.new}), downloaded {self.downloaded}, "
            f"skipped {self.skipped}, failed {self.failed}, invalid {self.invalid}, "
            f"new versions {self.versions}{blocked}"
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
    sample: str = "",
    max_attempts: int = 3,
    jobs: int = 1,
) -> list[BackfillStats]:
    """Bring each document's history up to date, logging one INFO line per document.
    Stops at once (after committing what it has) when the archive is unreachable or keeps
    rate-limiting: going on would only deepen an IP block. `sample`: "" (every capture) or
    a period of tracker.wayback.sampling. `jobs`: processes deriving (tracker.versions.parallel)."""
    results: list[BackfillStats] = []
    with Prefetch(raw, jobs) as pages:
        # With workers, a downloaded document waits for the next one's download to be derived.
        downloaded: list[tuple[int, BackfillStats]] = []
        lag = 1 if pages.active else 0
        try:
            for document in documents:
                label = f"{document.provider.name} / {document.name}"
                stats = BackfillStats(label)
                list_captures(sessions, client, document.id, stats)
                if sample:
                    sample_captures(sessions, document.id, sample, stats)
                download_captures(sessions, client, raw, document.id, stats, label, progress, max_attempts)
                if pages.active:
                    with sessions() as session:
                        pages.plan(derive_plan(session, raw, document.id))
                downloaded.append((document.id, stats))
                while len(downloaded) > lag:
                    results.append(_derive(sessions, raw, *downloaded.pop(0), pages))
        except WaybackError:
            for waiting in downloaded:  # as in one process: what was downloaded is derived
                _derive(sessions, raw, *waiting, pages)
            raise
        results.extend(_derive(sessions, raw, *waiting, pages) for waiting in downloaded)
    return results


def _derive(sessions, raw: RawStore, document_id: int, stats: BackfillStats, pages: Prefetch) -> BackfillStats:
    """Derive a downloaded document's versions; it has then been checked (status shows it,
    and the daemon waits a cadence before checking it again)."""
    derived = derive_versions(sessions, raw, document_id, pages if pages.active else None)
    pages.forget(document_id)
    with sessions.begin() as session:
        mark_checked(session.get_one(Document, document_id), utcnow())
    stats.versions, stats.invalid = derived.versions, stats.invalid + derived.invalid
    log.info(stats.line())
    return stats


def list_captures(sessions, client: WaybackClient, document_id: int, stats: BackfillStats) -> None:
    """Store every CDX row of every URL of the document as a pending capture (idempotent).

    URLs that the archive files under one urlkey (http/https, with or without www.) are
    listed once. Listing starts at the newest timestamp already held for that urlkey, so
    a daily check asks the archive only for what is new. A URL the archive refuses to
    list (403 Blocked Site) is logged and the document's other URLs go on.
    """
    with sessions.begin() as session:
        urls = list(session.scalars(
            select(DocumentUrl.url).where(DocumentUrl.document_id == document_id).order_by(DocumentUrl.id)
        ))
    for urlkey, url in {surt(url): url for url in reversed(urls)}.items():
        with sessions() as session:
            newest = session.scalar(
                select(func.max(Capture.timestamp)).where(
                    Capture.document_id == document_id, Capture.urlkey == urlkey,
                    Capture.source == "wayback",  # an imported text says nothing of the archive's rows
                )
            )
        try:
            for record in client.search(url, from_ts=newest):
                stats.listed += 1
                with sessions.begin() as session:
                    if _insert_capture(session, document_id, record):
                        stats.new += 1
        except BlockedSite as exc:
            log.warning("%s", exc)
            stats.blocked.append(url)


def sample_captures(sessions, document_id: int, period: str, stats: BackfillStats) -> None:
    """Mark the pending captures outside the sample (see tracker.wayback.sampling) `skipped`.

    Captures already fetched stay as they are, so a period revisited by a later run may
    keep two captures: the one sampled then and the period's newer last one.
    """
    with sessions.begin() as session:
        rows = session.execute(
            select(Capture.id, Capture.timestamp, Capture.statuscode, Capture.state)
            .where(Capture.document_id == document_id)
        ).all()
        keep = sampling.last_per_period(((r.id, r.timestamp, r.statuscode) for r in rows), period)
        for row in rows:
            if row.state == CaptureState.PENDING and row.id not in keep and sampling.usable(row.statuscode):
                capture = session.get(Capture, row.id)
                capture.state, capture.error = CaptureState.SKIPPED, f"not in the {period} sample"
                stats.skipped += 1


def _insert_capture(session: Session, document_id: int, record: CdxRecord) -> bool:
    exists = session.scalar(
        select(Capture.id).where(
            Capture.document_id == document_id,
            Capture.timestamp == record.timestamp,
            Capture.url == record.original,
            Capture.source == "wayback",
        )
    )
    if exists:
        return False
    session.add(Capture(
        document_id=document_id,
        url=record.original,
        timestamp=record.timestamp,
        captured_at=timestamp_datetime(record.timestamp),
        urlkey=record.urlkey,
        mimetype=record.mimetype,
        statuscode=record.statuscode,
        cdx_digest=record.digest,
        length=record.length,
        state=CaptureState.PENDING,
    ))
    return True


def download_captures(sessions, client, raw: RawStore, document_id: int, stats, label: str = "",
                      progress: Progress | None = None, max_attempts: int = 3) -> None:
    with sessions() as session:
        todo = list(session.scalars(
            select(Capture.id)
            .where(Capture.document_id == document_id,
                   (Capture.state == CaptureState.PENDING)
                   | ((Capture.state == CaptureState.FAILED) & (Capture.attempts < max_attempts)))
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
    if not sampling.usable(capture.statuscode):
        capture.state, capture.error = CaptureState.SKIPPED, f"archived answer was HTTP {capture.statuscode}"
        stats.skipped += 1
        return
    held = _held_digest(session, raw, capture)
    if held:
        headers = raw.headers(held)
        if _interrupted_download(session, held):
            # A run killed between storing these bytes and committing this row: the download
            # happened, so the row records it as an uninterrupted run would have.
            capture.attempts += 1
            capture.served_timestamp = memento_timestamp(headers.get("Memento-Datetime", ""))
        capture.raw_digest = held
        settle(capture, headers.get("Content-Type") or capture.mimetype)
        stats.skipped += 1
        return
    capture.attempts += 1
    try:
        memento = client.get_capture(capture.timestamp, capture.url)
    except (ArchiveUnreachable, RateLimited) as exc:
        capture.attempts -= 1  # the archive's state, not the capture's fault
        capture.state, capture.error = CaptureState.FAILED, f"run stopped: {exc}"
        session.commit()
        raise
    except WaybackError as exc:
        capture.state, capture.error = CaptureState.FAILED, str(exc)
        stats.failed += 1
        return
    capture.raw_digest = raw.put(memento.body, memento.headers)
    capture.served_timestamp = memento.timestamp
    capture.fetched_at = utcnow()
    stats.downloaded += 1
    if not 200 <= memento.status_code < 300:
        capture.state, capture.error = CaptureState.SKIPPED, f"archived answer was HTTP {memento.status_code}"
        return
    settle(capture, memento.content_type or capture.mimetype)


def retry_failed(sessions, document_ids: list[int]) -> int:
    """Give every failed capture of these documents its attempts back, so the next run tries
    them again (after the cause, e.g. max_body_bytes, was changed); returns how many."""
    with sessions.begin() as session:
        return session.execute(
            update(Capture)
            .where(Capture.document_id.in_(document_ids), Capture.state == CaptureState.FAILED)
            .values(attempts=0)
        ).rowcount


def settle(capture: Capture, content_type: str) -> None:
    """A capture whose bytes are held: `fetched` if it is HTML, else `unsupported` (kept in
    the raw store, e.g. a PDF policy, until an extractor for it exists)."""
    mimetype = content_type.split(";")[0].strip().lower()
    if mimetype.startswith(HTML_TYPES):
        capture.state, capture.error = CaptureState.FETCHED, None
    else:
        capture.state, capture.error = CaptureState.UNSUPPORTED, f"not HTML: {mimetype}"


def _interrupted_download(session: Session, digest: str) -> bool:
    """Bytes in the raw store that no capture row points to were stored by a download whose
    row was never committed; captures are downloaded in timestamp order, so by this one."""
    return session.scalar(select(Capture.id).where(Capture.raw_digest == digest).limit(1)) is None


def _held_digest(session: Session, raw: RawStore, capture: Capture) -> str | None:
    """The raw-store digest of these bytes if we already hold them, else None."""
    if capture.cdx_digest and raw.has(capture.cdx_digest):
        return capture.cdx_digest
    return session.scalar(
        select(Capture.raw_digest)
        .where(Capture.cdx_digest == capture.cdx_digest, Capture.raw_digest.is_not(None))
        .limit(1)
    )
