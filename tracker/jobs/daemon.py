"""The background job: check documents when they are due, send digests on a schedule.

The schedule lives in the database, not in the scheduler: each document has a cadence
(`check_interval_hours`) and a `next_check_at` that moves only after a check succeeds. So a
daemon that is restarted, or killed mid-check, checks what was due exactly once when it comes
back: not never (the due time is still there), and not many times (a run per due document,
however long it was down). APScheduler (3.x, UTC) only supplies the two ticks:

- `dispatch`, every `dispatch_seconds`: check every document whose next check is due;
- `digest`, on the `digest_schedule` cron: record and send the digests that are due
  (tracker.notify.mailer), then retry the ones that failed before.

Both run on one worker thread, so they never overlap each other or themselves (a digest never
reads a check's half-written changes), with `coalesce` and no misfire limit: a late tick runs
once. One daemon per database (`InstanceLock`). Every check and digest run leaves a `job_run`.

In distributed mode (`mode = "distributed"`, docs/scale.md) the ticks only enqueue: a check
job per due document, a digest job per subscriber (tracker.jobs.queue), which `tracker
worker` processes run; the Save Page Now round stays here, paced by the shared budget.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from tracker.config import Config, parse_schedule
from tracker.jobs.lock import InstanceLock
from tracker.jobs.runs import dispatch, mark_interrupted, send_digests
from tracker.store.db import open_database
from tracker.store.models import JobRun
from tracker.urls import mask_logged_credentials

log = logging.getLogger("tracker.jobs")


class Daemon:
    """`tracker run` / `python scheduler.py`: runs until SIGTERM or SIGINT, then exits 0."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.trigger = parse_schedule(config.digest_schedule)
        self.stopping = threading.Event()
        self._busy = threading.Lock()
        self._scheduler: BlockingScheduler | None = None
        self._app = None  # the job queue, in distributed mode

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
        if self._app is not None:
            self._app.close()
        log.info("daemon stopped")
        return 0

    def _build(self, sessions) -> BlockingScheduler:
        scheduler = BlockingScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        now = datetime.now(UTC)
        check, send = (self._enqueue_checks, self._enqueue_digests) if self.config.distributed else (dispatch, send_digests)
        scheduler.add_job(self._guarded, IntervalTrigger(seconds=self.config.dispatch_seconds),
                          args=[check, sessions, self.config, self.stopping],
                          id="dispatch", name="check due documents", next_run_time=now)
        digest_job: dict[str, object] = dict(args=[send, sessions, self.config], id="digest",
                                             name="send digests")
        if self._digest_missed(sessions, now):
            log.info("a digest run was due while the daemon was down: running it now")
            digest_job["next_run_time"] = now
        scheduler.add_job(self._guarded, self.trigger, **digest_job)
        return scheduler

    def _enqueue_checks(self, sessions, config: Config, stopping: threading.Event) -> None:
        from tracker.jobs.budget import DatabasePacer
        from tracker.jobs.queue import enqueue_due
        from tracker.jobs.runs import save_round

        queued = enqueue_due(sessions, self._queue(sessions))
        if queued:
            log.info("%d due check(s) queued for the workers", queued)
        if config.save_page_now and not stopping.is_set():
            save_round(sessions, config, pacer=DatabasePacer(sessions.kw["bind"]))

    def _enqueue_digests(self, sessions, config: Config) -> None:
        from tracker.jobs.queue import enqueue_digests

        log.info("%d digest job(s) queued for the workers", enqueue_digests(sessions, self._queue(sessions)))

    def _queue(self, sessions):
        """The job queue, opened on first use and kept for the daemon's life."""
        if self._app is None:
            from tracker.jobs.queue import ensure_schema, queue_app

            ensure_schema(sessions.kw["bind"])
            self._app = queue_app(self.config.database_url).open()
        return self._app

    def _digest_missed(self, sessions, now: datetime) -> bool:
        """True when the cron fired (by the clock) after the last digest run started."""
        with sessions() as session:
            last = session.scalar(select(func.max(JobRun.started_at)).where(JobRun.job == "digest"))
        if last is None:
            return False
        due = self.trigger.get_next_fire_time(None, last.replace(tzinfo=UTC) + timedelta(microseconds=1))
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
    that finds the worker busy is skipped by design), and so do Alembic's start-up notes.
    A worker logs one line per job itself (tracker.jobs.queue): procrastinate's own job lines
    would print each import batch's records whole, and the connection pool's retries a line
    every few tenths of a second while the database is away (the worker says so once)."""
    logging.basicConfig(level=logging.INFO, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    mask_logged_credentials()
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    for chatter in ("procrastinate.blueprints", "procrastinate.periodic", "procrastinate.jobs",
                    "procrastinate.worker"):
        logging.getLogger(chatter).setLevel(logging.WARNING)
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
