"""The two jobs (check the due documents, send the due digests), each recorded in job_run;
a check looks where the document's `source` says (the archive, the live page, or both), and
the dispatcher then moves the Save Page Now queue on."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from tracker.backfill import backfill
from tracker.config import Config
from tracker.live import LiveError, LiveFetcher, SaveStats, advance_saves, check_live
from tracker.notify.mailer import run_outbox
from tracker.store.documents import find_documents, mark_checked
from tracker.store.models import Document, JobRun, utcnow
from tracker.store.rawstore import RawStore
from tracker.wayback import (
    PAUSE_FILE,
    ArchiveUnreachable,
    Pacer,
    RateLimited,
    SavePageNow,
    WaybackClient,
    WaybackError,
    shared_pacer,
)

log = logging.getLogger("tracker.jobs")

# A failed check is tried again after this long (or after the cadence, if that is shorter).
RETRY_AFTER = timedelta(hours=1)


def start_run(sessions: sessionmaker[Session], job: str, document_id: int | None = None,
              queue_job_id: int | None = None) -> int:
    with sessions.begin() as session:
        run = JobRun(job=job, document_id=document_id, started_at=utcnow(), outcome="running", counts="{}",
                     queue_job_id=queue_job_id)
        session.add(run)
        session.flush()
        return run.id


def finish_run(sessions: sessionmaker[Session], run_id: int, outcome: str, counts: dict | None = None,
               error: str | None = None) -> None:
    with sessions.begin() as session:
        run = session.get_one(JobRun, run_id)
        run.outcome, run.finished_at, run.error = outcome, utcnow(), error
        run.counts = json.dumps(counts or {})


def mark_interrupted(sessions: sessionmaker[Session]) -> int:
    """Runs left `running` by a daemon that died; called under the lock, so none is live."""
    with sessions.begin() as session:
        return session.connection().execute(
            update(JobRun).where(JobRun.outcome == "running")
            .values(outcome="interrupted", finished_at=utcnow(),
                    error="the daemon stopped before this run finished; its work resumes on the next run")
        ).rowcount


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
    when asked to. When the archive is unreachable or rate-limiting, the documents that need
    it wait for the next tick (those checked live only go on). Then one round of Save Page
    Now, when it is on."""
    with sessions() as session:
        due = due_documents(session, now or utcnow())
    results: list[CheckResult] = []
    if due:
        raw = RawStore(config.snapshots_dir)
        with WaybackClient.from_config(config) as client, LiveFetcher.from_config(config) as live:
            archive_down = False
            for document in due:
                if stopping is not None and stopping.is_set():
                    log.info("stopping: %d due document(s) left for the next run", len(due) - len(results))
                    break
                if archive_down and document.source != "live":
                    continue
                result = check_document(sessions, client, raw, document, sample=config.sample,
                                        max_attempts=config.max_attempts, live=live, save=config.save_page_now)
                results.append(result)
                if result.archive_down:
                    archive_down = True
                    log.warning("archive unavailable: the due documents that need it wait for the next tick")
    if config.save_page_now and not (stopping is not None and stopping.is_set()):
        save_round(sessions, config)
    return results


def save_round(sessions: sessionmaker[Session], config: Config, now: datetime | None = None,
               pacer: Pacer | None = None) -> SaveStats:
    """Move the Save Page Now queue on (tracker.live.saves): never waits for a request that
    is not due, so the checks of the next tick are never held up. `pacer`: the archive's
    budget (default: this process's, shared through the snapshots folder)."""
    with SavePageNow.from_config(config) as client:
        stats = advance_saves(sessions, client, interval=config.local_or("spn_interval"), now=now,
                              pacer=pacer or shared_pacer(config.snapshots_dir / PAUSE_FILE))
    if stats.submitted or stats.polled or stats.failed:
        log.info(stats.line())
    return stats


def check_document(sessions, client: WaybackClient, raw: RawStore, document: Document, *,
                   sample: str = "", max_attempts: int = 3, live: LiveFetcher | None = None,
                   save: bool = False, now: datetime | None = None, queue_job_id: int | None = None) -> CheckResult:
    """One check of a document where its `source` says: the archive (a backfill of what is
    new), its live page (`live`; `save`: versions it starts go to Save Page Now), or both,
    the archive first (its captures are older than the live one). A live page that does not
    answer is an outcome, not a failed check; the archive failing fails the check, after the
    live page was still checked. `now` dates a live capture (a bench's simulated time)."""
    label = f"{document.provider.name} / {document.name}"
    run_id = start_run(sessions, "check", document.id, queue_job_id)
    log.info("check %s: started", label)
    counts: dict = {}
    error, archive_down = None, False
    try:
        if document.source != "live":
            try:
                stats = backfill(sessions, client, raw, [document], sample=sample, max_attempts=max_attempts)[0]
                counts.update((k, v) for k, v in asdict(stats).items() if k != "document")
            except (ArchiveUnreachable, RateLimited) as exc:
                error, archive_down = f"archive unavailable: {exc}", True
            except WaybackError as exc:
                error = str(exc)
        if document.source != "wayback" and live is not None:
            found = check_live(sessions, live, raw, document.id, save=save, now=now)
            counts.update(live=found.outcome, live_status=found.status, live_new=int(found.new_capture),
                          live_versions=found.versions, saves_queued=found.saves)
    except LiveError as exc:
        error = str(exc)
    except Exception as exc:  # a bug on one page must not stop the daemon; it is recorded
        log.exception("check %s: unexpected error", label)
        return _check_failed(sessions, run_id, document, label, f"{type(exc).__name__}: {exc}")
    if error is not None:
        return _check_failed(sessions, run_id, document, label, error, archive_down=archive_down, counts=counts)
    next_at = _reschedule(sessions, document.id, success=True)
    finish_run(sessions, run_id, "ok", counts)
    versions = counts.get("versions", 0) + counts.get("live_versions", 0)
    live_line = f"; live: {counts['live']}" if "live" in counts else ""
    log.info("check %s: ok, %d new capture(s), %d new version(s)%s; next check %s UTC",
             label, counts.get("new", 0) + counts.get("live_new", 0), versions, live_line,
             f"{next_at:%Y-%m-%d %H:%M:%S}")
    return CheckResult(label, "ok")


def _check_failed(sessions, run_id: int, document: Document, label: str, error: str, *,
                  archive_down: bool = False, counts: dict | None = None) -> CheckResult:
    next_at = _reschedule(sessions, document.id, success=False)
    finish_run(sessions, run_id, "failed", counts, error=error)
    log.error("check %s: failed (%s); retry at %s UTC", label, error, f"{next_at:%Y-%m-%d %H:%M:%S}")
    return CheckResult(label, "failed", error, archive_down)


def _reschedule(sessions, document_id: int, *, success: bool) -> datetime:
    with sessions.begin() as session:
        document = session.get_one(Document, document_id)
        now = utcnow()
        if success:
            return mark_checked(document, now)
        document.next_check_at = now + min(timedelta(hours=document.check_interval_hours), RETRY_AFTER)
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
