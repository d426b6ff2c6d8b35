"""Distributed mode with real `tracker worker` processes on the test PostgreSQL server: the
rows several workers write are a single process's (a backfill, an import in batches), a worker killed mid-derive changes
nothing, one document is derived by one worker at a time, and a 429 one worker sees pauses
them all (the archive's own request log is the witness)."""

from datetime import datetime
from pathlib import Path

import pytest
from corpora import SAMPLE_CORPUS, TEST_CORPUS, register_corpora
from git_repos import Repo, citp_snapshot, policy
from natural_rows import differences, dump
from worker_world import Workers, jobs_left, queue_database, scalar, tracker, tracker_env, wait_for, workers_registered

from tracker.archive import ArchiveServer
from tracker.backfill import backfill
from tracker.importers import Blobs, ImportStats, citp_records, queue_records
from tracker.jobs.queue import defer_import_batch, document_lock, producer
from tracker.store.db import open_database
from tracker.store.documents import add_document, find_documents
from tracker.store.rawstore import RawStore
from tracker.wayback import Pacer, WaybackClient

BOOKKEEPING = {"job_run"}  # which process ran what: the one thing a queue adds


def rows(url: str) -> dict:
    return {name: table for name, table in dump(url).items() if name not in BOOKKEEPING}


@pytest.fixture
def queue_url(postgres_admin_engine):
    with queue_database(postgres_admin_engine) as url:
        yield url


def test_three_workers_backfill_the_corpus_into_the_rows_of_one_process(queue_url, corpus_sqlite_url, tmp_path):
    register_corpora(queue_url, SAMPLE_CORPUS, TEST_CORPUS)
    with ArchiveServer(SAMPLE_CORPUS, TEST_CORPUS) as archive:
        env = tracker_env(queue_url, tmp_path, archive.url)
        assert "backfill job(s) queued" in tracker(env, "backfill", "--queue")
        workers = Workers(env, tmp_path, 3)
        try:
            wait_for(lambda: jobs_left(queue_url) == 0, workers, "the queue to drain")
            workers.stop()
        finally:
            workers.close()
    assert differences(rows(corpus_sqlite_url), rows(queue_url)) == {}
    assert scalar(queue_url, "SELECT count(*) FROM job_run WHERE job = 'backfill' AND outcome = 'ok'") == \
        scalar(queue_url, "SELECT count(*) FROM document")
    for index in range(3):
        assert "Traceback" not in workers.output(index)


# -- one long history, for a derivation that takes a while -----------------------------

POLICY_URL = "http://long-history.example/privacy"
CAPTURES = 160


def policy_page(step: int) -> bytes:
    """A privacy policy whose clause `step % 40` was reworded at capture `step`."""
    clauses = [f"<p>Section {n}: we collect personal data such as your email address and location to provide "
               f"the service, and we share it with our processors under contract number {n}"
               f"{' revised ' + str(step) if n == step % 40 else ''}. You may ask us to delete it.</p>"
               for n in range(40)]
    return (f"<html><head><title>Privacy Policy</title></head><body><main><h1>Privacy Policy</h1>"
            f"{''.join(clauses)}</main></body></html>").encode()


def long_history(archive: ArchiveServer) -> None:
    for step in range(CAPTURES):
        archive.add_capture(POLICY_URL, f"2015{1 + step // 28:02d}{1 + step % 28:02d}120000", policy_page(step))


def one_process(tmp_path: Path, archive: ArchiveServer) -> str:
    """The same backfill in this process, on SQLite: the reference rows."""
    url = f"sqlite:///{tmp_path / 'reference.db'}"
    sessions = open_database(url)
    with sessions.begin() as session:
        add_document(session, POLICY_URL, "long-history.example")
    with sessions() as session:
        documents = find_documents(session)
    with WaybackClient(archive.url, cdx_interval=0, capture_interval=0, pacer=Pacer()) as client:
        backfill(sessions, client, RawStore(tmp_path / "reference-snapshots"), documents)
    sessions.kw["bind"].dispose()
    return url


def placed(url: str) -> int:
    return scalar(url, "SELECT count(*) FROM capture WHERE version_id IS NOT NULL")


def test_a_worker_killed_mid_derive_leaves_the_rows_of_one_process(queue_url, tmp_path):
    with ArchiveServer(SAMPLE_CORPUS) as archive:
        long_history(archive)
        reference = one_process(tmp_path, archive)
        sessions = open_database(queue_url)
        with sessions.begin() as session:
            add_document(session, POLICY_URL, "long-history.example")
        sessions.kw["bind"].dispose()
        env = tracker_env(queue_url, tmp_path, archive.url)
        tracker(env, "backfill", "--queue")
        workers = Workers(env, tmp_path, 1)
        try:
            wait_for(lambda: placed(queue_url) > 0, workers, "the derivation to start")
            workers.kill(0)  # SIGKILL, between or inside the transactions placing captures
            at_kill = placed(queue_url)
            (tmp_path / "second").mkdir()
            second = Workers(env, tmp_path / "second", 1)
            wait_for(lambda: jobs_left(queue_url) == 0, second, "another worker to take the job over", limit=60)
            second.stop()
        finally:
            workers.close()
            if "second" in locals():
                second.close()
    assert 0 < at_kill < CAPTURES, "the kill did not land mid-derive"
    assert differences(rows(reference), rows(queue_url)) == {}
    assert scalar(queue_url, "SELECT count(*) FROM job_run WHERE outcome = 'interrupted'") == 1
    assert scalar(queue_url, "SELECT count(*) FROM job_run WHERE outcome = 'ok'") == 1
    assert "queued again" in second.output()


def test_two_workers_never_derive_one_document_at_once(queue_url, tmp_path):
    with ArchiveServer(SAMPLE_CORPUS) as archive:
        long_history(archive)
        register_corpora(queue_url, SAMPLE_CORPUS)
        sessions = open_database(queue_url)
        with sessions.begin() as session:
            add_document(session, POLICY_URL, "long-history.example")
        sessions.kw["bind"].dispose()
        env = tracker_env(queue_url, tmp_path, archive.url)
        workers = Workers(env, tmp_path, 2)
        try:
            wait_for(lambda: workers_registered(queue_url) == 2, workers, "both workers to start")
            # The long document first: without its lock, the second worker would rebuild it while
            # the first backfills it.
            tracker(env, "backfill", "--queue", "--provider", "long-history.example")
            tracker(env, "renormalize", "--queue", "--provider", "long-history.example")
            tracker(env, "backfill", "--queue")
            tracker(env, "renormalize", "--queue")
            wait_for(lambda: jobs_left(queue_url) == 0, workers, "the queue to drain")
            workers.stop()
        finally:
            workers.close()
    overlapping = scalar(queue_url, """
        SELECT count(*) FROM job_run a JOIN job_run b
          ON a.document_id = b.document_id AND a.id < b.id
         AND a.started_at < b.finished_at AND b.started_at < a.finished_at""")
    assert overlapping == 0
    # Both workers worked, at the same time, on different documents.
    assert scalar(queue_url, "SELECT count(*) FROM job_run WHERE outcome <> 'ok'") == 0
    assert scalar(queue_url, """
        SELECT count(*) FROM job_run a JOIN job_run b
          ON a.document_id <> b.document_id AND a.started_at < b.finished_at AND b.started_at < a.finished_at""") > 0


INTERVAL, PAUSE = 0.3, 3.0


def test_a_429_seen_by_one_worker_pauses_every_worker(queue_url, tmp_path):
    register_corpora(queue_url, SAMPLE_CORPUS, TEST_CORPUS)
    with ArchiveServer(SAMPLE_CORPUS, TEST_CORPUS) as archive:
        env = tracker_env(queue_url, tmp_path, archive.url, cdx_interval=str(INTERVAL),
                          capture_interval=str(INTERVAL), rate_limit_pause=str(PAUSE))
        workers = Workers(env, tmp_path, 3)
        try:
            wait_for(lambda: workers_registered(queue_url) == 3, workers, "the workers to start")
            archive.faults.add(status=429, times=1, path_prefix="/web/")
            tracker(env, "backfill", "--queue")
            wait_for(lambda: jobs_left(queue_url) == 0, workers, "the queue to drain")
            workers.stop()
        finally:
            workers.close()
        log = list(archive.requests)
    limited = [r for r in log if r.status == 429]
    assert len(limited) == 1
    after = [r.at - limited[0].at for r in log if r.at > limited[0].at]
    assert after and min(after) >= PAUSE, "a request went out during the pause"
    for prefix in ("/cdx/", "/web/"):
        times = sorted(r.at for r in log if r.path.startswith(prefix))
        assert min(b - a for a, b in zip(times, times[1:])) >= INTERVAL
    waited = [i for i in range(3) if "archive requests paused until" in workers.output(i)]
    assert len(waited) >= 2, workers.output()  # the worker that saw it and at least one other
    assert scalar(queue_url, "SELECT count(*) FROM capture WHERE state IN ('pending', 'failed')") == 0


# -- an import queued in many small batches ------------------------------------------------

def interleaved_citp_repository(path: Path) -> Repo:
    """Six domains of four snapshots each, committed in date order across domains, so that
    every domain's snapshots fall in several batches (as in the real corpus)."""
    repo = Repo(path)
    for year in range(4):
        for index in range(6):
            domain = f"site{index}.example"
            citp_snapshot(repo, domain, f"http://{domain}/privacy", datetime(2010 + year, 1 + index, 1), "Privacy",
                          policy((4, f"We share your information with {year} partners of site {index}.")))
    return repo


def test_an_import_queued_in_batches_is_kept_by_two_workers_into_the_rows_of_one_process(queue_url, tmp_path):
    repo = interleaved_citp_repository(tmp_path / "pl")
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    (tmp_path / "reference").mkdir()
    tracker(tracker_env(reference, tmp_path / "reference"), "import", "citp", str(repo.path), "--quiet")

    env = tracker_env(queue_url, tmp_path)
    sessions = open_database(queue_url)
    queue = producer(sessions)
    with queue.open(), Blobs(repo.path) as blobs:
        _, records = citp_records(repo.path, blobs)
        queued, batches = queue_records(sessions, RawStore(tmp_path / "snapshots"), records, ImportStats(),
                                        lambda batch: defer_import_batch(queue, batch), batch_size=4)
    workers = Workers(env, tmp_path, 2)
    try:
        wait_for(lambda: workers_registered(queue_url) == 2, workers, "both workers to start")
        wait_for(lambda: jobs_left(queue_url) == 0, workers, "the queue to drain")
        workers.stop()
    finally:
        workers.close()
        sessions.kw["bind"].dispose()
    assert (queued, batches) == (24, 6)
    assert differences(rows(reference), rows(queue_url)) == {}
    assert scalar(queue_url, "SELECT count(*) FROM job_run WHERE outcome <> 'ok'") == 0, workers.output()
    # Batches run first (a higher priority), so each document mostly waits as one derive job;
    # one worker may still take a derive job while the other keeps the last batch, and the
    # document is derived again after it: a matter of timing, which leaves the rows as they are.
    assert scalar(queue_url, "SELECT count(DISTINCT document_id) FROM job_run WHERE job = 'derive'") == 6


# -- a renormalize job of several documents, its worker killed mid-job ------------------------

def test_a_worker_killed_mid_renormalize_group_leaves_the_rows_and_the_next_goes_on_where_it_stopped(
        queue_url, tmp_path):
    """The six documents' rebuilds are one job: the worker is killed while it waits for the
    lock of the last one (held here, as another worker deriving it would); the worker that
    takes the job over rebuilds only the documents not done, and the rows are unchanged."""
    repo = interleaved_citp_repository(tmp_path / "pl")
    env = tracker_env(queue_url, tmp_path)
    tracker(env, "import", "citp", str(repo.path), "--quiet")
    before = rows(queue_url)
    sessions = open_database(queue_url)
    engine = sessions.kw["bind"]
    with sessions() as session:
        documents = [d.id for d in find_documents(session)]
    assert "1 renormalize job(s) queued for 6 document(s)" in tracker(env, "renormalize", "--queue")
    (tmp_path / "second").mkdir()
    workers = Workers(env, tmp_path, 1)
    try:
        with document_lock(engine, documents[-1]):
            wait_for(lambda: scalar(queue_url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                               "AND NOT granted") == 1, workers, "the worker to wait for the lock")
            workers.kill(0)
            done_at_kill = scalar(queue_url, "SELECT count(*) FROM job_run WHERE job = 'renormalize'")
        second = Workers(env, tmp_path / "second", 1)
        wait_for(lambda: jobs_left(queue_url) == 0, second, "another worker to take the job over", limit=60)
        second.stop()
    finally:
        workers.close()
        if "second" in locals():
            second.close()
        engine.dispose()
    assert done_at_kill == 5
    assert differences(before, rows(queue_url)) == {}
    runs = scalar(queue_url, "SELECT string_agg(document_id || ':' || outcome, ',' ORDER BY document_id) "
                             "FROM job_run WHERE job = 'renormalize'")
    assert runs == ",".join(f"{d}:ok" for d in sorted(documents)), runs  # each document rebuilt once
    assert "queued again" in second.output()
