"""Distributed mode's jobs: procrastinate, whose queue lives in the store's PostgreSQL.

Every long unit of work is a job any `tracker worker` may take: checking a document (list,
download, derive), backfilling it, deriving it (after an import), renormalizing it, keeping
a batch of imported records, sending a subscriber's digest. Every derivation of a document
holds its advisory lock (`document_lock`), so one worker at a time derives a document's
versions, in order; any number of documents run at once. A job about one document also
carries procrastinate's lock `document:<id>`; renormalize and derive jobs carry several
short histories each (`job_groups`), whose queue costs would otherwise match their work. A queueing lock per kind and document (per
subscriber) keeps one copy of a job waiting: the daemon's dispatch may enqueue a due check
every tick. Each job a worker runs is recorded as a `job_run` (with its `queue_job_id`): a
failed one shows its error in `tracker status`, and after `job_attempts` attempts it stays
`failed` (parked) until `tracker jobs retry`.

Producers (`tracker backfill --queue`, the daemon...) only need the database; workers also
need the raw store (tracker.jobs.worker).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.schema import SchemaManager
from procrastinate.types import JSONValue
from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, selectinload, sessionmaker

from tracker.backfill import backfill as run_backfill
from tracker.config import Config
from tracker.jobs.exceptions import NeedsPostgres
from tracker.jobs.runs import check_document, due_documents, finish_run, start_run
from tracker.live import LiveFetcher
from tracker.notify.mailer import run_outbox
from tracker.store.models import Capture, CaptureState, Document, JobRun, Subscriber, utcnow
from tracker.store.rawstore import RawStore
from tracker.versions import derive_versions, rebuild_in
from tracker.wayback import Pacer, WaybackClient

log = logging.getLogger("tracker.jobs")

# The queues, in the order a worker told of none listens to them.
QUEUES = ("checks", "backfill", "imports", "derive", "digests")
# Task name -> what `tracker status` calls its jobs.
KINDS = {"tracker:check": "check", "tracker:backfill": "backfill", "tracker:derive": "derive",
         "tracker:renormalize": "renormalize", "tracker:import_batch": "import", "tracker:digest": "digest"}

_SCHEMA_LOCK = 0x747261636B6571  # pg_advisory_lock key: two workers starting never both apply it


CONNECT_TIMEOUT = 10.0


def queue_app(database_url: str, timeout: float = CONNECT_TIMEOUT) -> procrastinate.App:
    """The job queue on the database at `database_url` (PostgreSQL only), not opened yet.
    `timeout`: seconds a query waits for a pooled connection before it fails; a worker
    passes less when its `stalled_after` is shorter (tracker.jobs.worker)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise NeedsPostgres(f"the job queue needs PostgreSQL (database_url is {url.get_backend_name()}): "
                            f"distributed mode, `tracker worker` and --queue run on a PostgreSQL store")
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    # A connection is waited for 10 s, not psycopg_pool's 30: a worker whose database went
    # away notices sooner, and reconnects (tracker.jobs.worker).
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo, timeout=timeout))
    app.add_tasks_from(tasks, namespace="tracker")
    return app


def ensure_schema(engine: Engine) -> None:
    """Create procrastinate's tables beside ours when they are absent (their own schema,
    versioned by the pinned procrastinate release, not by our migrations). Two processes
    starting together: one creates them under an advisory lock, and the other looks again
    in a transaction begun after that lock is its own (so it sees what the first committed)."""
    if queue_ready(engine):
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _SCHEMA_LOCK})
        connection.commit()
        try:
            with connection.begin():
                if connection.scalar(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")):
                    return
                connection.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))
            log.info("job queue created in the database")
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _SCHEMA_LOCK})
            connection.commit()


def queue_ready(engine: Engine) -> bool:
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as connection:
        return bool(connection.scalar(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")))


# -- what a worker holds while it runs jobs ----------------------------------------------


@dataclass
class Runtime:
    """What every job of a worker process shares: the configuration, the database, the raw
    store and the politeness budgets (tracker.jobs.budget)."""

    config: Config
    sessions: sessionmaker[Session]
    raw: RawStore
    archive_pacer: Pacer
    live_pacer: Pacer


def _runtime(context: procrastinate.JobContext) -> Runtime:
    return context.additional_context["runtime"]


def _job_id(context: procrastinate.JobContext) -> int | None:
    return context.job.id


class _Attempts(procrastinate.BaseRetryStrategy):
    """A failed job runs again at once until it has run `job_attempts` times (the worker's
    setting); then it stays `failed` (parked) with its error in job_run."""

    limit = 3

    def get_retry_decision(self, *, exception: BaseException, job) -> procrastinate.RetryDecision | None:
        if job.attempts + 1 >= self.limit:
            return None
        return procrastinate.RetryDecision(retry_in={"seconds": 0})


ATTEMPTS = _Attempts()
tasks = procrastinate.Blueprint()


def _recorded(context: procrastinate.JobContext, job: str, document_id: int | None,
              work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `work` as a recorded job_run: ok with its counts, or failed with its error, which
    is raised again so the queue retries the job."""
    sessions = _runtime(context).sessions
    subject = f"{job} of document {document_id}" if document_id is not None else job
    run_id = start_run(sessions, job, document_id, _job_id(context))
    started = time.monotonic()
    try:
        counts = work()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        finish_run(sessions, run_id, "failed", error=error)
        log.warning("job %s (%s) failed after %.2f s: %s", _job_id(context), subject, time.monotonic() - started,
                    " ".join(error.split())[:300])
        raise
    finish_run(sessions, run_id, "ok", counts)
    log.info("job %s (%s) ok in %.2f s: %s", _job_id(context), subject, time.monotonic() - started,
             ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


def _document(sessions: sessionmaker[Session], document_id: int) -> Document | None:
    """The document with its provider and URLs loaded (usable after the session ends)."""
    with sessions() as session:
        return session.scalars(select(Document).where(Document.id == document_id)
                               .options(selectinload(Document.provider), selectinload(Document.urls))).first()


_DOCUMENT_LOCK = 0x74726B64  # pg_advisory_lock(_DOCUMENT_LOCK, document id): a document's derivations


@contextlib.contextmanager
def document_lock(engine: Engine, document_id: int) -> Iterator[Connection]:
    """Hold the document's advisory lock while the block runs, on a connection of its own:
    every job that derives a document's versions takes it (as well as procrastinate's lock
    `document:<id>` of a job about one document), so a job carrying several documents
    (renormalize, derive) never derives one another worker is deriving. A worker killed
    loses its connection, and the lock with it. Yields that connection (AUTOCOMMIT)."""
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        connection.execute(text("SELECT pg_advisory_lock(:c, :d)"), {"c": _DOCUMENT_LOCK, "d": document_id})
        try:
            yield connection
        finally:
            try:
                connection.execute(text("SELECT pg_advisory_unlock(:c, :d)"), {"c": _DOCUMENT_LOCK, "d": document_id})
            except Exception:  # the connection is broken: closing it releases what it held
                connection.invalidate()
                raise
    finally:
        connection.close()


def lock_document_in(session: Session, document_id: int) -> None:
    """`document_lock` for the rest of the session's transaction (released as it ends)."""
    session.execute(text("SELECT pg_advisory_xact_lock(:c, :d)"), {"c": _DOCUMENT_LOCK, "d": document_id})


@tasks.task(name="check", queue="checks", pass_context=True, retry=ATTEMPTS)
def check(context: procrastinate.JobContext, document_id: int) -> str:
    """A due document's check, as the daemon runs it (recorded by check_document itself);
    one that is no longer due (checked meanwhile) is left alone."""
    runtime = _runtime(context)
    document = _document(runtime.sessions, document_id)
    if document is None or (document.next_check_at is not None and document.next_check_at > utcnow()):
        return "not due"
    config = runtime.config
    with document_lock(runtime.sessions.kw["bind"], document_id), \
            WaybackClient.from_config(config, pacer=runtime.archive_pacer) as client, \
            LiveFetcher.from_config(config, pacer=runtime.live_pacer) as live:
        result = check_document(runtime.sessions, client, runtime.raw, document, sample=config.sample,
                                max_attempts=config.max_attempts, live=live, save=config.save_page_now,
                                queue_job_id=_job_id(context))
    log.info("job %s (check of document %s): %s%s", _job_id(context), document_id, result.outcome,
             f": {result.error}" if result.error else "")
    return result.outcome


@tasks.task(name="backfill", queue="backfill", pass_context=True, retry=ATTEMPTS)
def backfill(context: procrastinate.JobContext, document_id: int) -> dict[str, Any]:
    """`tracker backfill` of one document: list, download, derive."""
    runtime = _runtime(context)
    document = _document(runtime.sessions, document_id)
    if document is None:
        return {}

    def work() -> dict[str, Any]:
        config = runtime.config
        with WaybackClient.from_config(config, pacer=runtime.archive_pacer) as client:
            stats = run_backfill(runtime.sessions, client, runtime.raw, [document], sample=config.sample,
                                 max_attempts=config.max_attempts)[0]
        return {k: v for k, v in asdict(stats).items() if k != "document"}

    with document_lock(runtime.sessions.kw["bind"], document_id):
        return _recorded(context, "backfill", document_id, work)


# -- jobs carrying several documents -------------------------------------------------------
#
# A derivation of a short history costs a few tens of milliseconds, about what the queue
# costs per job (fetching it, finishing it, the hand-off to a thread), so the derivations
# that come by the thousand (after an import, a renormalization) are grouped, up to
# JOB_CAPTURES captures a job (a longer history is a job of its own). Each document is
# derived under its advisory lock (`lock_document_in`: taken in the document's own
# transaction) and recorded as a job_run of its own in that transaction: a worker killed
# mid-job leaves the documents it committed, each with its run, and the retry (or the worker
# that takes the job over) goes on with the others. A document that fails is recorded as a
# failed run; the others go on, then the job fails with its error and is retried (the
# documents done in an earlier attempt are not done again), then parked.

JOB_CAPTURES = 32


def _each_document(context: procrastinate.JobContext, job: str, document_ids: list[int],
                   work: Callable[[int], dict[str, Any] | None]) -> dict[str, Any]:
    """Run `work(document_id)` for each document not done yet by this job (an earlier
    attempt); `work` records its own ok run and returns its counts (None: nothing to do)."""
    runtime, queue_job_id = _runtime(context), _job_id(context)
    with runtime.sessions() as session:
        done = set(session.scalars(select(JobRun.document_id).where(
            JobRun.queue_job_id == queue_job_id, JobRun.outcome == "ok"))) if queue_job_id is not None else set()
    totals: dict[str, Any] = {"documents": 0, "skipped": 0, "failed": 0}
    first_error: Exception | None = None
    started = time.monotonic()
    for document_id in document_ids:
        if document_id in done:
            totals["skipped"] += 1
            continue
        began = utcnow()
        try:
            counts = work(document_id)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            with runtime.sessions.begin() as session:
                session.add(JobRun(job=job, document_id=document_id, started_at=began, finished_at=utcnow(),
                                   outcome="failed", counts="{}", error=error, queue_job_id=queue_job_id))
            log.warning("job %s (%s of document %s) failed: %s", queue_job_id, job, document_id,
                        " ".join(error.split())[:300])
            totals["failed"] += 1
            first_error = first_error or exc
            continue
        if counts is None:
            totals["skipped"] += 1
            continue
        totals["documents"] += 1
        for key, value in counts.items():
            if isinstance(value, int):
                totals[key] = totals.get(key, 0) + value
    log.info("job %s (%s of %d document(s)) %s in %.2f s: %s", queue_job_id, job, len(document_ids),
             "failed" if first_error else "ok", time.monotonic() - started,
             ", ".join(f"{k} {v}" for k, v in totals.items()))
    if first_error is not None:
        raise first_error
    return totals


def _ok_run(context: procrastinate.JobContext, job: str, document_id: int, started: datetime,
            counts: dict[str, Any]) -> dict[str, Any]:
    """The job_run row of a document done by a job of several, written in the transaction
    that did it (a session's, or the lock's connection's)."""
    return {"job": job, "document_id": document_id, "started_at": started, "finished_at": utcnow(), "outcome": "ok",
            "counts": json.dumps(counts), "queue_job_id": _job_id(context)}


@tasks.task(name="derive", queue="derive", pass_context=True, retry=ATTEMPTS)
def derive(context: procrastinate.JobContext, document_id: int | None = None,
           document_ids: list[int] | None = None) -> dict[str, Any]:
    """Place the captures not yet placed of a document, or of several (after an import);
    a document with none (placed by an earlier job) is passed over, unrecorded."""
    runtime = _runtime(context)
    engine = runtime.sessions.kw["bind"]
    ids = _ids(document_id, document_ids)

    def unplaced(*document_ids: int):
        return select(Capture.document_id).where(
            Capture.document_id.in_(document_ids), Capture.state == CaptureState.FETCHED,
            Capture.version_id.is_(None), Capture.invalid_reason.is_(None))

    with runtime.sessions() as session:  # one look for the job's documents, then one under each lock
        waiting = set(session.scalars(unplaced(*ids).distinct()))

    def work(document_id: int) -> dict[str, Any] | None:
        if document_id not in waiting:
            return None
        with document_lock(engine, document_id) as connection:
            if connection.scalar(unplaced(document_id).limit(1)) is None:  # placed by the job that held the lock
                return None
            started = utcnow()
            counts = asdict(derive_versions(runtime.sessions, runtime.raw, document_id))
            connection.execute(insert(JobRun).values(**_ok_run(context, "derive", document_id, started, counts)))
        return counts

    return _each_document(context, "derive", ids, work)


@tasks.task(name="renormalize", queue="derive", pass_context=True, retry=ATTEMPTS)
def renormalize(context: procrastinate.JobContext, document_id: int | None = None,
                document_ids: list[int] | None = None) -> dict[str, Any]:
    """`tracker renormalize` of a document, or of several: each history rebuilt in one
    transaction, new findings technical."""
    runtime = _runtime(context)

    def work(document_id: int) -> dict[str, Any]:
        with runtime.sessions.begin() as session:
            lock_document_in(session, document_id)
            started = utcnow()
            counts = asdict(rebuild_in(session, runtime.raw, document_id, technical=True))
            session.add(JobRun(**_ok_run(context, "renormalize", document_id, started, counts)))
        return counts

    return _each_document(context, "renormalize", _ids(document_id, document_ids), work)


def _ids(document_id: int | None, document_ids: list[int] | None) -> list[int]:
    return ([document_id] if document_id is not None else []) + list(document_ids or [])


def job_groups(sizes: Iterable[tuple[int, int]], captures: int = JOB_CAPTURES) -> list[list[int]]:
    """(document id, captures) in order -> the documents of each job: consecutive documents
    up to `captures` captures together (a document with more: a job of its own)."""
    groups: list[list[int]] = []
    group: list[int] = []
    held = 0
    for document_id, size in sizes:
        if group and held + size > captures:
            groups.append(group)
            group, held = [], 0
        group.append(document_id)
        held += size
    if group:
        groups.append(group)
    return groups


@tasks.task(name="import_batch", queue="imports", pass_context=True, retry=ATTEMPTS)
def import_batch(context: procrastinate.JobContext, records: list[dict]) -> dict[str, Any]:
    """Keep a batch of imported records as captures, then ask for the touched documents'
    derivation (jobs of a few documents each, every document under its lock)."""
    from tracker.importers import ImportStats, keep_batch

    runtime = _runtime(context)

    def work() -> dict[str, Any]:
        stats = ImportStats()
        touched = keep_batch(runtime.sessions, runtime.raw, records, stats)
        for group in job_groups(sorted(touched.items())):
            defer_group(context.app, "derive", group)
        return {"read": stats.read, "added": stats.added, "held": stats.held, "skipped": len(stats.skipped),
                "documents": len(touched)}

    return _recorded(context, "import", None, work)


@tasks.task(name="digest", queue="digests", pass_context=True, retry=ATTEMPTS)
def digest(context: procrastinate.JobContext, subscriber_id: int) -> dict[str, Any]:
    """Record and send one subscriber's due digest (and its earlier unsent ones)."""
    runtime = _runtime(context)

    def work() -> dict[str, Any]:
        result = run_outbox(runtime.sessions, runtime.config, subscriber_id=subscriber_id)
        if result.failed:
            raise DigestNotSent(result.errors[0])
        return result.counts()

    return _recorded(context, "digest", None, work)


class DigestNotSent(Exception):
    """A digest job's mail was refused (it stays pending; the job is retried, then parked)."""


# -- producers -----------------------------------------------------------------------------


def defer_document(app: procrastinate.App, kind: str, document_id: int) -> bool:
    """Enqueue `kind` (check, backfill, derive, renormalize) for a document, under its lock;
    False when the same job is already waiting."""
    task = app.tasks[f"tracker:{kind}"]
    try:
        task.configure(lock=f"document:{document_id}", queueing_lock=f"{kind}:{document_id}").defer(
            document_id=document_id)
    except AlreadyEnqueued:
        return False
    return True


def producer(sessions: sessionmaker[Session]) -> procrastinate.App:
    """The queue of the database `sessions` opens, its tables made if need be; not opened."""
    engine = sessions.kw["bind"]
    app = queue_app(engine.url.render_as_string(hide_password=False))
    ensure_schema(engine)
    return app


def defer_group(app: procrastinate.App, kind: str, document_ids: list[int]) -> None:
    """Enqueue `kind` (derive, renormalize) for several documents as one job: no
    procrastinate lock, each document is derived under its advisory lock (`document_lock`)."""
    app.tasks[f"tracker:{kind}"].defer(document_ids=list(document_ids))


GROUPED = ("renormalize", "derive")  # kinds whose jobs carry several documents (JOB_CAPTURES)


def defer_documents(sessions: sessionmaker[Session], kind: str, document_ids: Iterable[int]) -> tuple[int, int]:
    """Enqueue `kind` for each document: (enqueued, already waiting); renormalize and derive
    in jobs of several documents (`job_groups`: enqueued counts the jobs; none waits)."""
    app = producer(sessions)
    queued = waiting = 0
    if kind in GROUPED:
        ids = list(document_ids)
        with sessions() as session:
            sizes = dict(session.execute(select(Capture.document_id, func.count()).where(
                Capture.state == CaptureState.FETCHED).group_by(Capture.document_id)).tuples().all())
        groups = job_groups((document_id, sizes.get(document_id, 0)) for document_id in ids)
        with app.open():
            for group in groups:
                defer_group(app, kind, group)
        return len(groups), 0
    with app.open():
        for document_id in document_ids:
            if defer_document(app, kind, document_id):
                queued += 1
            else:
                waiting += 1
    return queued, waiting


def enqueue_due(sessions: sessionmaker[Session], app: procrastinate.App, now: datetime | None = None) -> int:
    """The daemon's dispatch in distributed mode: a check job per due document (one
    waiting at most per document); returns how many were enqueued."""
    with sessions() as session:
        due = [d.id for d in due_documents(session, now or utcnow())]
    return sum(defer_document(app, "check", document_id) for document_id in due)


def enqueue_digests(sessions: sessionmaker[Session], app: procrastinate.App) -> int:
    """The daemon's digest tick in distributed mode: a digest job per subscriber."""
    with sessions() as session:
        subscribers = list(session.scalars(Subscriber.__table__.select().with_only_columns(Subscriber.id)))
    queued = 0
    for subscriber_id in subscribers:
        try:
            app.tasks["tracker:digest"].configure(queueing_lock=f"digest:{subscriber_id}").defer(
                subscriber_id=subscriber_id)
            queued += 1
        except AlreadyEnqueued:
            pass
    return queued


def defer_import_batch(app: procrastinate.App, records: list[dict]) -> None:
    """Batches come before derivations (a higher priority): every batch is kept first, so a
    document the batches touch many times waits as one derive job (its queueing lock), and
    its captures are placed once, in time order."""
    batch: list[JSONValue] = list(records)
    app.tasks["tracker:import_batch"].configure(priority=IMPORT_PRIORITY).defer(records=batch)


IMPORT_PRIORITY = 10  # procrastinate's default is 0; higher runs first


def retry_jobs(sessions: sessionmaker[Session], job_ids: list[int] | None) -> list[int]:
    """Run parked (failed) jobs again: these, or all of them; the ids retried."""
    app = producer(sessions)
    with app.open():
        failed = [job.id for job in app.job_manager.list_jobs(status="failed") if job.id is not None]
        chosen = failed if job_ids is None else [i for i in job_ids if i in failed]
        for job_id in chosen:
            app.job_manager.retry_job_by_id(job_id, retry_at=datetime.now(UTC))
    return chosen
