"""`tracker status`: is a daemon running, when was each document checked (from the archive,
live: with what answer), what failed, what is waiting to be mailed or saved by the archive."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.jobs.exceptions import AlreadyRunning
from tracker.jobs.lock import InstanceLock
from tracker.store.documents import find_documents
from tracker.store.models import (
    Capture,
    CaptureState,
    Digest,
    Document,
    JobRun,
    LivePage,
    Provider,
    SaveRequest,
    SaveState,
    Subscriber,
)


@dataclass(frozen=True)
class DocumentStatus:
    provider: str
    document: str
    cadence_hours: float
    last_checked_at: datetime | None
    last_outcome: str | None
    next_check_at: datetime | None
    failed_captures: int
    source: str = "wayback"  # where its checks look: wayback, live or both
    live_checked_at: datetime | None = None  # its live page's last check, and what it answered
    live_outcome: str | None = None
    live_blocked_since: datetime | None = None  # the page refuses the tracker since then
    live_retry_at: datetime | None = None  # the page is left alone until then
    saves_pending: int = 0  # Save Page Now requests not done yet


@dataclass(frozen=True)
class FailedRun:
    job: str
    document: str | None
    started_at: datetime
    outcome: str
    error: str | None


@dataclass(frozen=True)
class PendingDigest:
    email: str
    period_end: datetime
    attempts: int
    error: str | None


@dataclass(frozen=True)
class Status:
    daemon_running: bool
    documents: list[DocumentStatus]
    failed_runs: list[FailedRun]
    pending_digests: list[PendingDigest]

    def to_dict(self) -> dict:
        def plain(value):
            return value.isoformat() if isinstance(value, datetime) else value
        return {
            "daemon_running": self.daemon_running,
            **{name: [{k: plain(v) for k, v in asdict(row).items()} for row in getattr(self, name)]
               for name in ("documents", "failed_runs", "pending_digests")},
        }


def daemon_running(database_url: str) -> bool:
    try:
        InstanceLock(database_url, grace=0).acquire().release()  # a look, not a wait
    except AlreadyRunning:
        return True
    return False


def status(session: Session, database_url: str, failures: int = 10) -> Status:
    """What a person asks of a background job: is it alive, when did each document last get
    checked and when is the next, what failed, what mail is waiting."""
    latest = (select(JobRun.document_id, func.max(JobRun.id).label("id"))
              .where(JobRun.job == "check").group_by(JobRun.document_id).subquery())
    outcomes: dict[int, str] = dict(session.execute(
        select(latest.c.document_id, JobRun.outcome).join(JobRun, JobRun.id == latest.c.id)).all())
    failed: dict[int, int] = dict(session.execute(
        select(Capture.document_id, func.count()).where(Capture.state == CaptureState.FAILED)
        .group_by(Capture.document_id)).all())
    live = {page.document_id: page for page in session.scalars(select(LivePage))}
    saves: dict[int, int] = dict(session.execute(
        select(SaveRequest.document_id, func.count()).where(SaveRequest.state == SaveState.PENDING)
        .group_by(SaveRequest.document_id)).all())
    documents = []
    for d in find_documents(session):
        page = live.get(d.id)
        documents.append(DocumentStatus(
            d.provider.name, d.name, d.check_interval_hours, d.last_checked_at, outcomes.get(d.id),
            d.next_check_at, failed.get(d.id, 0), d.source,
            live_checked_at=page.checked_at if page else None, live_outcome=page.outcome if page else None,
            live_blocked_since=page.blocked_since if page else None, live_retry_at=page.retry_at if page else None,
            saves_pending=saves.get(d.id, 0)))
    runs = session.execute(
        select(JobRun, Provider.name, Document.name)
        .outerjoin(Document, Document.id == JobRun.document_id)
        .outerjoin(Provider, Provider.id == Document.provider_id)
        .where(JobRun.outcome.in_(("failed", "interrupted")))
        .order_by(JobRun.id.desc()).limit(failures)
    ).all()
    failed_runs = [FailedRun(run.job, f"{p} / {d}" if p else None, run.started_at, run.outcome, run.error)
                   for run, p, d in runs]
    pending = [PendingDigest(email, row.period_end, row.attempts, row.error) for row, email in session.execute(
        select(Digest, Subscriber.email).join(Subscriber, Subscriber.id == Digest.subscriber_id)
        .where(Digest.state == "pending").order_by(Digest.id))]
    return Status(daemon_running(database_url), documents, failed_runs, pending)
