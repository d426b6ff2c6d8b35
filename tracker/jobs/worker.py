"""`tracker worker`: run queued jobs (tracker.jobs.queue) on any machine that reaches the
PostgreSQL database and the raw store, until SIGTERM or Ctrl-C.

- A stop finishes the jobs in hand, then leaves (exit 0); nothing is taken after the signal.
- A worker sends a heartbeat every quarter of `stalled_after`; every worker looks, every
  half of it, for jobs whose worker's heartbeat is older than `stalled_after` (a worker
  killed, a machine gone) and puts them back in the queue, their runs marked `interrupted`.
  A derivation runs in transactions, so a killed worker leaves no half-written version, and
  the job's next run resumes where the committed work ends.
- A database that goes away stops the job in hand (it fails, and is retried later) but not
  the worker: it waits (1 s, doubling to 30 s), reconnects and goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Sequence

import procrastinate
import psycopg
from procrastinate.exceptions import ProcrastinateException
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from tracker.config import Config
from tracker.jobs.budget import LIVE, DatabasePacer
from tracker.jobs.queue import ATTEMPTS, CONNECT_TIMEOUT, QUEUES, Runtime, ensure_schema, queue_app
from tracker.store.db import open_database
from tracker.store.models import JobRun, utcnow
from tracker.store.rawstore import RawStore
from tracker.urls import mask_credentials

log = logging.getLogger("tracker.jobs")

DATABASE_ERRORS = (DBAPIError, psycopg.Error, ProcrastinateException, OSError)
MAX_RECONNECT_WAIT = 30.0


class Worker:
    """One `tracker worker` process: `run()` returns 0 once stopped by a signal."""

    def __init__(self, config: Config, *, concurrency: int | None = None, queues: Sequence[str] = ()) -> None:
        self.config = config
        self.concurrency = concurrency or config.worker_concurrency
        self.queues = list(queues) or list(QUEUES)
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def run(self) -> int:
        # No longer than `stalled_after` (60 s by default: the 10 s stay): a worker that waits
        # longer for a connection is taken for dead by the others anyway, and the test's
        # workers (stalled_after 4 s) notice a database gone in seconds, not twice 10.
        app = queue_app(self.config.database_url, timeout=min(CONNECT_TIMEOUT, self.config.stalled_after))
        runtime = self._runtime()  # a database unreachable at the start is one line, exit 1
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        ATTEMPTS.limit = self.config.job_attempts
        wait = 1.0
        while not self.stopping.is_set():
            try:
                asyncio.run(self._serve(app, runtime))
                wait = 1.0
            except DATABASE_ERRORS as exc:
                if self.stopping.is_set():
                    break
                line = mask_credentials(" ".join(str(exc).split()) or type(exc).__name__)
                log.warning("database unreachable (%s): reconnecting in %.0f s", line, wait)
                runtime.sessions.kw["bind"].dispose()  # its pooled connections are dead
                self.stopping.wait(wait)
                wait = min(wait * 2, MAX_RECONNECT_WAIT)
        log.info("worker %s stopped", self.name)
        return 0

    def _on_signal(self, signum, _frame) -> None:
        log.info("%s received: finishing the job(s) in hand, then stopping", signal.Signals(signum).name)
        self.stopping.set()
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)

    async def _serve(self, app: procrastinate.App, runtime: Runtime) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        if self.stopping.is_set():
            return
        stalled = self.config.stalled_after
        async with app.open_async():
            log.info("worker %s: %d job(s) at a time, queues %s", self.name, self.concurrency,
                     ", ".join(self.queues))
            worker = asyncio.create_task(app.run_worker_async(
                queues=self.queues, concurrency=self.concurrency, name=self.name, install_signal_handlers=False,
                additional_context={"runtime": runtime}, update_heartbeat_interval=stalled / 4,
                stalled_worker_timeout=stalled, fetch_job_polling_interval=min(5.0, stalled / 4)))
            sweeper = asyncio.create_task(self._requeue_stalled(app, runtime))
            stop = asyncio.create_task(self._stop.wait())
            done, _ = await asyncio.wait({worker, sweeper, stop}, return_when=asyncio.FIRST_COMPLETED)
            for task in (sweeper, stop):
                task.cancel()
            if worker not in done:
                worker.cancel()  # procrastinate's graceful stop: the jobs in hand finish first
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            for task in (worker, sweeper):
                if task.done() and not task.cancelled() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]

    def _runtime(self) -> Runtime:
        sessions = open_database(self.config.database_url)
        engine = sessions.kw["bind"]
        ensure_schema(engine)
        return Runtime(self.config, sessions, RawStore(self.config.snapshots_dir), DatabasePacer(engine),
                       DatabasePacer(engine, LIVE, per_kind=True))

    async def _requeue_stalled(self, app: procrastinate.App, runtime: Runtime) -> None:
        stalled = self.config.stalled_after
        while True:
            await asyncio.sleep(stalled / 2)
            for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled):
                log.warning("job %s (%s) was left by a worker that stopped answering: queued again",
                            job.id, job.call_string)
                await app.job_manager.retry_job(job)
                await asyncio.to_thread(_interrupted, runtime, job.id)
            await app.job_manager.prune_stalled_workers(stalled)


def _interrupted(runtime: Runtime, queue_job_id: int | None) -> None:
    with runtime.sessions.begin() as session:
        session.execute(update(JobRun).where(JobRun.queue_job_id == queue_job_id, JobRun.outcome == "running")
                        .values(outcome="interrupted", finished_at=utcnow(),
                                error="the worker running it stopped answering; the job was queued again"))

