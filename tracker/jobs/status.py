"""`tracker status`: is a daemon running, when was each document checked (from the archive,
live: with what answer), what failed, what is waiting to be mailed or saved by the archive;
on a store with a job queue (distributed mode), the queue: jobs waiting and running per
kind, the workers seen lately, and the parked jobs with their error."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import func, select, text
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
class QueueDepth:
    """Jobs of one kind (check, backfill, derive, renormalize, import, digest) by state."""

    kind: str
    waiting: int
    running: int
    failed: int


@dataclass(frozen=True)
class QueueJob:
    """A running or parked job: what it is about, where it runs or why it failed."""

    id: int
    kind: str
    subject: str | None  # "provider / document", or None (an import batch, a digest)
    attempts: int
    worker_id: int | None = None
    started_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True)
class WorkerSeen:
    id: int
    seconds_since_heartbeat: float


@dataclass(frozen=True)
class QueueStatus:
    depths: list[QueueDepth]
    running: list[QueueJob]
    workers: list[WorkerSeen]
    failed: list[QueueJob]


@dataclass(frozen=True)
class Status:
    daemon_running: bool
    documents: list[DocumentStatus]
    failed_runs: list[FailedRun]
    pending_digests: list[PendingDigest]
    queue: QueueStatus | None = None  # on a store with a job queue

    def to_dict(self) -> dict:
        def plain(value):
            return value.isoformat() if isinstance(value, datetime) else value

        def rows(items) -> list[dict]:
            return [{k: plain(v) for k, v in asdict(row).items()} for row in items]
        queue = None if self.queue is None else {name: rows(getattr(self.queue, name))
                                                  for name in ("depths", "running", "workers", "failed")}
        return {
            "daemon_running": self.daemon_running,
            **{name: rows(getattr(self, name)) for name in ("documents", "failed_runs", "pending_digests")},
            "queue": queue,
        }


def daemon_running(database_url: str) -> bool:
    try:
        InstanceLock(database_url, grace=0).acquire().release()  # a look, not a wait
    except AlreadyRunning:
        return True
    return False


def queue_status(session: Session, labels: dict[int, str], stalled_after: float, failures: int = 10) -> QueueStatus | None:
    """The job queue as `tracker status` shows it; None when the store has none."""
    from tracker.jobs.queue import KINDS  # only on a store with a queue: procrastinate is installed

    def kind(task: str) -> str:
        return KINDS.get(task, task)

    def subject(args: dict) -> str | None:
        ids = ([args["document_id"]] if args.get("document_id") is not None else []) + list(args.get("document_ids") or [])
        if not ids:
            return None
        first = labels.get(ids[0], f"document {ids[0]}")
        return first if len(ids) == 1 else f"{first} and {len(ids) - 1} more"

    counts: dict[str, dict[str, int]] = {}
    for task, state, count in session.execute(text(
            "SELECT task_name, status, count(*) FROM procrastinate_jobs "
            "WHERE status IN ('todo', 'doing', 'failed') GROUP BY task_name, status")):
        counts.setdefault(kind(task), {})[state] = count
    depths = [QueueDepth(name, c.get("todo", 0), c.get("doing", 0), c.get("failed", 0))
              for name, c in sorted(counts.items())]
    running = [QueueJob(row.id, kind(row.task_name), subject(row.args), row.attempts, row.worker_id,
                        row.started_at and row.started_at.replace(tzinfo=None))
               for row in session.execute(text(
                   "SELECT j.id, j.task_name, j.args, j.attempts, j.worker_id, "
                   "(SELECT max(e.at) AT TIME ZONE 'UTC' FROM procrastinate_events e "
                   " WHERE e.job_id = j.id AND e.type = 'started') AS started_at "
                   "FROM procrastinate_jobs j WHERE j.status = 'doing' ORDER BY j.id"))]
    workers = [WorkerSeen(row[0], float(row[1])) for row in session.execute(text(
        "SELECT id, extract(epoch from now() - last_heartbeat) FROM procrastinate_workers "
        "WHERE last_heartbeat > now() - make_interval(secs => :within) ORDER BY id"), {"within": stalled_after})]
    failed = [QueueJob(row.id, kind(row.task_name), subject(row.args), row.attempts, error=row.error)
              for row in session.execute(text(
                  "SELECT j.id, j.task_name, j.args, j.attempts, "
                  "(SELECT r.error FROM job_run r WHERE r.queue_job_id = j.id ORDER BY r.id DESC LIMIT 1) AS error "
                  "FROM procrastinate_jobs j WHERE j.status = 'failed' ORDER BY j.id DESC LIMIT :n"), {"n": failures})]
    return QueueStatus(depths, running, workers, failed)


def status(session: Session, database_url: str, failures: int = 10, stalled_after: float = 60.0) -> Status:
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
    queue = None
    if session.get_bind().dialect.name == "postgresql" and session.scalar(
            text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")):
        labels = {d.id: f"{d.provider.name} / {d.name}" for d in find_documents(session)}
        queue = queue_status(session, labels, stalled_after, failures)
    return Status(daemon_running(database_url), documents, failed_runs, pending, queue)
