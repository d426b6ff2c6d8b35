"""The background job: check documents when they are due, send digests on a schedule.

The schedule lives in the database, not in the scheduler: each document has a cadence
(`check_interval_hours`) and a `next_check_at` that moves only after a check succeeds. So a
daemon that is restarted, or killed mid-check, checks what was due exactly once when it comes
back: not never (the due time is still there), and not many times (a run per due document,
however long it was down). APScheduler (3.x, UTC) only supplies the two ticks:

- `dispatch`, every `dispatch_seconds`: check every document whose next check is due;
- `digest`, on the `digest_schedule` cron: record and send the digests that are due
  (tracker/mailer.py), then retry the ones that failed before.

Both run on one worker thread, so they never overlap each other or themselves (a digest never
reads a check's half-written changes), with `coalesce` and no misfire limit: a late tick runs
once. One daemon per database (`InstanceLock`). Every check and digest run leaves a `job_run`.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, or_, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from tracker.config import Config, ConfigError
from tracker.store.db import make_engine, open_database
from tracker.store.documents import find_documents
from tracker.backfill import backfill
from tracker.notify.mailer import run_outbox
from tracker.store.models import Capture, Digest, Document, JobRun, Provider, Subscriber, utcnow
from tracker.store.rawstore import RawStore
from tracker.wayback._client import ArchiveUnreachable, RateLimited, WaybackClient, WaybackError

log = logging.getLogger("tracker.jobs._jobs")

# A failed check is tried again after this long (or after the cadence, if that is shorter).
RETRY_AFTER = timedelta(hours=1)
# pg_try_advisory_lock key: "tracker" in ASCII, one key per database.
ADVISORY_GRACE = 3.0  # seconds
ADVISORY_KEY = 0x747261636B6572


class AlreadyRunning(RuntimeError):
    """Another daemon holds this database's lock."""


# -- one daemon per database ----------------------------------------------------------------


class InstanceLock:
    """Held for the daemon's lifetime: a file lock beside a SQLite database, a session-level
    advisory lock on PostgreSQL. The operating system or the server drops either when the
    process dies, even by SIGKILL, so a crash never leaves a stale lock behind."""

    def __init__(self, database_url: str, grace: float = ADVISORY_GRACE) -> None:
        self.url = make_url(database_url)
        self.grace = grace
        self._file = None
        self._connection = None

    def acquire(self) -> InstanceLock:
        backend = self.url.get_backend_name()
        if backend == "sqlite":
            self._lock_file()
        elif backend == "postgresql":
            self._lock_advisory()
        else:
            raise ConfigError(f"the daemon supports SQLite and PostgreSQL, not {backend}")
        return self

    def _lock_file(self) -> None:
        database = self.url.database
        if not database or database == ":memory:":
            return  # a private in-memory database: no other process can reach it
        path = Path(database + ".lock")
        self._file = open(path, "a+")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.seek(0)
            holder = self._file.read().strip() or "another process"
            self._file.close()
            self._file = None
            raise AlreadyRunning(f"a tracker daemon is already running on this database ({holder}; lock {path})") from None
        self._file.truncate(0)
        self._file.write(f"pid {os.getpid()}\n")
        self._file.flush()

    def _lock_advisory(self) -> None:
        """Tried for `grace` seconds: a process killed a moment ago holds the lock until
        PostgreSQL notices its connection is gone."""
        engine = make_engine(self.url.render_as_string(hide_password=False))
        self._connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        deadline = time.monotonic() + self.grace
        while not self._connection.scalar(select(func.pg_try_advisory_lock(ADVISORY_KEY))):
            if time.monotonic() >= deadline:
                self._connection.close()
                self._connection = None
                raise AlreadyRunning("a tracker daemon is already running on this database (advisory lock held)")
            time.sleep(0.2)

    def release(self) -> None:
        if self._file is not None:
            self._file.truncate(0)
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            self._connection.close()
            self._connection = None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


# -- job runs -------------------------------------------------------------------------------


def start_run(sessions: sessionmaker[Session], job: str, document_id: int | None = None) -> int:
    with sessions.begin() as session:
        run = JobRun(job=job, document_id=document_id, started_at=utcnow(), outcome="running", counts="{}")
        session.add(run)
        session.flush()
        return run.id


def finish_run(sessions: sessionmaker[Session], run_id: int, outcome: str, counts: dict | None = None,
               error: str | None = None) -> None:
    with sessions.begin() as session:
        run = session.get(JobRun, run_id)
        run.outcome, run.finished_at, run.error = outcome, utcnow(), error
        run.counts = json.dumps(counts or {})


def mark_interrupted(sessions: sessionmaker[Session]) -> int:
    """Runs left `running` by a daemon that died; called under the lock, so none is live."""
    with sessions.begin() as session:
        return session.execute(
            update(JobRun).where(JobRun.outcome == "running")
            .values(outcome="interrupted", finished_at=utcnow(),
                    error="the daemon stopped before this run finished; its work resumes on the next run")
        ).rowcount


# -- the two jobs ---------------------------------------------------------------------------


@dataclass
class CheckResult:
    document: str
    outcome: str
    error: str | None = None
    archive_down: bool = False  # unreachable or rate-limiting: checking others would not help


def due_documents(session: Session, now: datetime) -> list[Document]:
    """Documents whose next check is due, the longest-waiting first (never checked: first)."""
    due_ids = set(session.scalars(
        select(Document.id).where(or_(Document.next_check_at.is_(None), Document.next_check_at <= now))
    ))
    documents = [d for d in find_documents(session) if d.id in due_ids]
    return sorted(documents, key=lambda d: (d.next_check_at is not None, d.next_check_at or now, d.id))


def dispatch(sessions: sessionmaker[Session], config: Config, stopping: threading.Event | None = None,
             now: datetime | None = None) -> list[CheckResult]:
    """Check every due document once, each recorded as a job_run; stops between documents
    when asked to, and at once when the archive is unreachable or rate-limiting."""
    with sessions() as session:
        due = due_documents(session, now or utcnow())
    if not due:
        return []
    results = []
    raw = RawStore(config.snapshots_dir)
    with WaybackClient.from_config(config) as client:
        for document in due:
            if stopping is not None and stopping.is_set():
                log.info("stopping: %d due document(s) left for the next run", len(due) - len(results))
                break
            result = check_document(sessions, client, raw, document, sample=config.sample)
            results.append(result)
            if result.archive_down:
                log.warning("archive unavailable: the other due documents wait for the next tick")
                break
    return results


def check_document(sessions, client: WaybackClient, raw: RawStore, document: Document, *,
                   sample: str = "") -> CheckResult:
    label = f"{document.provider.name} / {document.name}"
    run_id = start_run(sessions, "check", document.id)
    log.info("check %s: started", label)
    try:
        stats = backfill(sessions, client, raw, [document], sample=sample)[0]
    except (ArchiveUnreachable, RateLimited) as exc:
        return _check_failed(sessions, run_id, document, label, f"archive unavailable: {exc}", archive_down=True)
    except WaybackError as exc:
        return _check_failed(sessions, run_id, document, label, str(exc))
    except Exception as exc:  # a bug on one page must not stop the daemon; it is recorded
        log.exception("check %s: unexpected error", label)
        return _check_failed(sessions, run_id, document, label, f"{type(exc).__name__}: {exc}")
    counts = {k: v for k, v in asdict(stats).items() if k != "document"}
    next_at = _reschedule(sessions, document.id, success=True)
    finish_run(sessions, run_id, "ok", counts)
    log.info("check %s: ok, %d new capture(s), %d new version(s); next check %s UTC",
             label, stats.new, stats.versions, f"{next_at:%Y-%m-%d %H:%M:%S}")
    return CheckResult(label, "ok")


def _check_failed(sessions, run_id: int, document: Document, label: str, error: str, *,
                  archive_down: bool = False) -> CheckResult:
    next_at = _reschedule(sessions, document.id, success=False)
    finish_run(sessions, run_id, "failed", error=error)
    log.error("check %s: failed (%s); retry at %s UTC", label, error, f"{next_at:%Y-%m-%d %H:%M:%S}")
    return CheckResult(label, "failed", error, archive_down)


def _reschedule(sessions, document_id: int, *, success: bool) -> datetime:
    with sessions.begin() as session:
        document = session.get(Document, document_id)
        now = utcnow()
        interval = timedelta(hours=document.check_interval_hours)
        document.next_check_at = now + (interval if success else min(interval, RETRY_AFTER))
        if success:
            document.last_checked_at = now
        return document.next_check_at


def send_digests(sessions: sessionmaker[Session], config: Config, now: datetime | None = None):
    """One digest run, recorded as a job_run (failed when any digest could not be sent)."""
    run_id = start_run(sessions, "digest")
    try:
        result = run_outbox(sessions, config, now)
    except Exception as exc:  # recorded, and the pending digests wait for the next run
        log.exception("digest run failed")
        finish_run(sessions, run_id, "failed", error=f"{type(exc).__name__}: {exc}")
        raise
    finish_run(sessions, run_id, "failed" if result.failed else "ok", result.counts(),
               result.errors[0] if result.errors else None)
    log.info(result.line())
    return result


# -- the daemon -----------------------------------------------------------------------------


def parse_schedule(expression: str) -> CronTrigger:
    """A crontab line in UTC ("0 6 * * *"), or six fields with seconds first ("*/2 * * * * *").
    Weekday names (mon..sun) are clearer than numbers: APScheduler 3 counts from Monday = 0."""
    fields = expression.split()
    try:
        if len(fields) == 5:
            return CronTrigger.from_crontab(expression, timezone=timezone.utc)
        if len(fields) == 6:
            names = ("second", "minute", "hour", "day", "month", "day_of_week")
            return CronTrigger(timezone=timezone.utc, **dict(zip(names, fields)))
    except ValueError as exc:
        raise ConfigError(f"digest_schedule {expression!r}: {exc}") from None
    raise ConfigError(f"digest_schedule {expression!r}: expected 5 crontab fields (or 6, seconds first)")


class Daemon:
    """`tracker run` / `python scheduler.py`: runs until SIGTERM or SIGINT, then exits 0."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.trigger = parse_schedule(config.digest_schedule)
        self.stopping = threading.Event()
        self._busy = threading.Lock()
        self._scheduler: BlockingScheduler | None = None

    def run(self) -> int:
        sessions = open_database(self.config.database_url)
        with InstanceLock(self.config.database_url):
            interrupted = mark_interrupted(sessions)
            if interrupted:
                log.warning("%d run(s) of a previous daemon were interrupted; their work resumes now", interrupted)
            self._scheduler = self._build(sessions)
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, self._on_signal)
            log.info("daemon started (pid %d): checks due documents every %ss, digests at '%s' UTC",
                     os.getpid(), self.config.dispatch_seconds, self.config.digest_schedule)
            self._scheduler.start()  # blocks until _on_signal shuts it down
            with self._busy:  # the job in progress, if any, finishes first
                pass
        log.info("daemon stopped")
        return 0

    def _build(self, sessions) -> BlockingScheduler:
        scheduler = BlockingScheduler(
            timezone=timezone.utc,
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        now = datetime.now(timezone.utc)
        scheduler.add_job(self._guarded, IntervalTrigger(seconds=self.config.dispatch_seconds),
                          args=[dispatch, sessions, self.config, self.stopping],
                          id="dispatch", name="check due documents", next_run_time=now)
        digest_job = dict(args=[send_digests, sessions, self.config], id="digest", name="send digests")
        if self._digest_missed(sessions, now):
            log.info("a digest run was due while the daemon was down: running it now")
            digest_job["next_run_time"] = now
        scheduler.add_job(self._guarded, self.trigger, **digest_job)
        return scheduler

    def _digest_missed(self, sessions, now: datetime) -> bool:
        """True when the cron fired (by the clock) after the last digest run started."""
        with sessions() as session:
            last = session.scalar(select(func.max(JobRun.started_at)).where(JobRun.job == "digest"))
        if last is None:
            return False
        due = self.trigger.get_next_fire_time(None, last.replace(tzinfo=timezone.utc) + timedelta(microseconds=1))
        return due is not None and due <= now

    def _guarded(self, job, *args) -> None:
        """Run a job unless the daemon is stopping; `_busy` lets shutdown wait for it."""
        with self._busy:
            if self.stopping.is_set():
                return
            try:
                job(*args)
            except Exception:  # already recorded in job_run; the daemon carries on
                log.exception("job %s failed", job.__name__)

    def _on_signal(self, signum, _frame) -> None:
        log.info("%s received: finishing the job in progress, then stopping", signal.Signals(signum).name)
        self.stopping.set()
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)


def configure_logging() -> None:
    """Timestamped lines a person can follow. APScheduler's per-tick chatter stays out (a tick
    that finds the worker busy is skipped by design), and so do Alembic's start-up notes."""
    logging.basicConfig(level=logging.INFO, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.WARNING)


# -- status ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentStatus:
    provider: str
    document: str
    cadence_hours: float
    last_checked_at: datetime | None
    last_outcome: str | None
    next_check_at: datetime | None
    failed_captures: int


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
    outcomes = dict(session.execute(
        select(latest.c.document_id, JobRun.outcome).join(JobRun, JobRun.id == latest.c.id)).all())
    failed = dict(session.execute(
        select(Capture.document_id, func.count()).where(Capture.state == "failed").group_by(Capture.document_id)).all())
    documents = [
        DocumentStatus(d.provider.name, d.name, d.check_interval_hours, d.last_checked_at,
                       outcomes.get(d.id), d.next_check_at, failed.get(d.id, 0))
        for d in find_documents(session)
    ]
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
