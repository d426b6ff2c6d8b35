"""Jobs carrying several documents (renormalize, derive): how documents are grouped into
jobs, and the advisory lock every derivation of a document takes instead of one job's
procrastinate lock (tracker.jobs.queue). The workers themselves: tests/jobs/test_workers.py."""

import time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from worker_world import queue_database

from tracker.jobs.queue import _DOCUMENT_LOCK, document_lock, job_groups, lock_document_in


def test_short_histories_share_a_job_and_a_long_one_has_a_job_of_its_own():
    sizes = [(1, 2), (2, 2), (3, 40), (4, 30), (5, 2), (6, 1)]
    assert job_groups(sizes, captures=32) == [[1, 2], [3], [4, 5], [6]]
    assert job_groups([], captures=32) == []
    assert job_groups([(9, 0)], captures=32) == [[9]]


def free(engine: sa.Engine, document_id: int) -> bool:
    """Whether another connection could take the document's lock now (taken and let go)."""
    with engine.connect() as connection:
        taken = connection.scalar(sa.text("SELECT pg_try_advisory_xact_lock(:c, :d)"),
                                  {"c": _DOCUMENT_LOCK, "d": document_id})
        connection.rollback()
    return bool(taken)


@pytest.fixture
def engines(postgres_admin_engine):
    with queue_database(postgres_admin_engine) as url:
        mine, other = sa.create_engine(url), sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            yield mine, other
        finally:
            mine.dispose()
            other.dispose()


def test_a_document_locked_by_one_job_is_locked_for_every_other_until_it_is_done(engines):
    mine, other = engines
    with document_lock(mine, 7):
        assert not free(other, 7)
        assert free(other, 8)  # the other documents go on
    assert free(other, 7)
    with sessionmaker(mine).begin() as session:  # a rebuild's: for its transaction
        lock_document_in(session, 7)
        assert not free(other, 7)
    assert free(other, 7)


def test_a_lock_whose_connection_dies_is_released_with_it(engines):
    """A worker killed (SIGKILL, a machine gone) leaves no lock behind: the server drops
    what a connection held when it goes."""
    mine, other = engines
    with pytest.raises(sa.exc.DBAPIError), document_lock(mine, 7):
        assert not free(other, 7)
        with other.connect() as connection:
            pid = connection.scalar(sa.text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = :c AND objid::bigint = 7"),
                {"c": _DOCUMENT_LOCK})
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        deadline = time.monotonic() + 10
        while not free(other, 7):
            assert time.monotonic() < deadline, "the lock outlived its connection"
            time.sleep(0.05)
    assert free(other, 7)
