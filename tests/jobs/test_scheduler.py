"""The background job: the real daemon (scheduler.py, APScheduler) as a subprocess against
the loopback archive and SMTP server; its lock; its job runs and failures."""

import signal
from datetime import timedelta

import pytest
from daemon_process import Daemon, count, runs, wait_for
from mail_world import ALL_PAGES, HOSTILE, World
from sqlalchemy import select, update

from tracker.config import ConfigError, parse_schedule
from tracker.jobs import AlreadyRunning, InstanceLock, dispatch, status
from tracker.store.models import Capture, Change, Digest, Document, JobRun, Version, utcnow

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)


def test_daemon_records_a_new_capture_once_and_mails_it_once(tmp_path, archive, inbox):
    archive.visible_until = "20200601000000"  # the hostile page's first version only, for now
    world = World(f"sqlite:///{tmp_path / 'tracker.db'}", tmp_path, archive, inbox.port)
    world.track((HOSTILE, "hostile.example"))
    with world.sessions.begin() as session:  # a fast cadence: checked every half second
        session.execute(update(Document).values(check_interval_hours=0.5 / 3600))
    world.subscribe("reader@example.org")
    daemon = Daemon(world, tmp_path / "daemon.log").start()
    try:
        wait_for(lambda: runs(world, "check") >= 3, daemon, "three checks")
        assert count(world, select(Version.id)) == 1

        second = Daemon(world, tmp_path / "second.log").start()  # one daemon per database
        assert second.process.wait(timeout=60) == 1
        assert "already running" in second.output()

        archive.visible_until = "20210601000000"  # the archive now holds the second version
        wait_for(lambda: len(inbox.received) == 1, daemon, "the digest")
        checks, digest_runs = runs(world, "check"), runs(world, "digest")
        wait_for(lambda: runs(world, "check") >= checks + 3 and runs(world, "digest") >= digest_runs + 2,
                 daemon, "more checks and digest runs after the digest")
    finally:
        assert daemon.signal(signal.SIGTERM) == 0
    assert count(world, select(Capture.id)) == 2
    assert count(world, select(Version.id)) == 2
    assert count(world, select(Change.id)) == 1
    assert count(world, select(Digest.id).where(Digest.state == "sent")) == 1
    assert len(inbox.received) == 1
    assert "version 1 -> 2" in inbox.messages()[0].get_body(("plain",)).get_content()
    log = daemon.output()
    assert "check hostile.example / Privacy Policy: ok, 1 new capture(s), 1 new version(s)" in log
    assert "SIGTERM received" in log and "daemon stopped" in log


def test_daemon_killed_mid_check_resumes_without_missing_or_repeating(database_url, tmp_path, archive, inbox):
    world = World(database_url, tmp_path, archive, inbox.port)
    world.track(*ALL_PAGES)
    world.subscribe("reader@example.org")
    hang = archive.faults.add(kind="slow", delay=3.0, path_prefix="/web/")  # the first download hangs
    daemon = Daemon(world, tmp_path / "daemon.log").start()
    wait_for(lambda: hang.times == 0, daemon, "the first check to be downloading")
    daemon.signal(signal.SIGKILL)
    assert runs(world, "check", "running") == 1 and runs(world, "check") == 0 and not inbox.received

    daemon = Daemon(world, tmp_path / "daemon.log").start()
    try:
        wait_for(lambda: runs(world, "check") == 3 and len(inbox.received) == 1, daemon,
                 "every document checked and the digest sent")
        digest_runs = runs(world, "digest")
        wait_for(lambda: runs(world, "digest") >= digest_runs + 2, daemon, "two more digest runs")
    finally:
        assert daemon.signal(signal.SIGTERM) == 0
    assert runs(world, "check", "interrupted") == 1  # the killed run, marked on restart
    assert runs(world, "check") == 3  # one per document: none missed, none twice (cadence 24 h)
    with world.sessions() as session:
        timestamps = session.execute(select(Capture.document_id, Capture.timestamp, Capture.url)).all()
        assert len(timestamps) == len(set(timestamps)) == 7
        assert all(d.next_check_at > utcnow() + timedelta(hours=23) for d in session.scalars(select(Document)))
    assert count(world, select(Change.id)) == 4  # voip 1, onebox 1, hostile 2
    assert count(world, select(Digest.id)) == 1 and len(inbox.received) == 1
    assert "1 run(s) of a previous daemon were interrupted" in daemon.output()


def test_sigterm_mid_check_finishes_that_check_and_leaves_the_rest_due(tmp_path, archive, inbox):
    world = World(f"sqlite:///{tmp_path / 'tracker.db'}", tmp_path, archive, inbox.port)
    world.track(*ALL_PAGES)
    hang = archive.faults.add(kind="slow", delay=1.5, path_prefix="/web/")
    daemon = Daemon(world, tmp_path / "daemon.log").start()
    wait_for(lambda: hang.times == 0, daemon, "the first check to be downloading")

    assert daemon.signal(signal.SIGTERM) == 0
    assert runs(world, "check") == 1 and runs(world, "check", "running") == 0
    assert count(world, select(Document.id).where(Document.next_check_at.is_(None))) == 2  # still due
    assert count(world, select(Capture.id).where(Capture.state == "pending")) == 0


def test_one_daemon_per_database(database_url, sessions):
    with InstanceLock(database_url):
        with pytest.raises(AlreadyRunning, match="already running"):
            InstanceLock(database_url).acquire()
    with InstanceLock(database_url):  # released on exit, so it can be taken again
        pass


def test_a_failed_check_is_recorded_retried_and_shown(database_url, tmp_path, archive):
    world = World(database_url, tmp_path, archive, 9)
    world.track((HOSTILE, "hostile.example"))
    archive.faults.add(status=400, path_prefix="/cdx")  # the archive refuses the listing once

    [failed] = dispatch(world.sessions, world.config)
    assert failed.outcome == "failed" and "400" in failed.error
    assert dispatch(world.sessions, world.config) == []  # not due again before the retry time
    with world.sessions() as session:
        document = session.scalars(select(Document)).one()
        run = session.scalars(select(JobRun)).one()
        assert run.finished_at < document.next_check_at <= run.finished_at + timedelta(hours=1)
        report = status(session, world.config.database_url)
    assert [(r.job, r.outcome) for r in report.failed_runs] == [("check", "failed")]
    assert report.documents[0].last_outcome == "failed" and not report.daemon_running

    [ok] = dispatch(world.sessions, world.config, now=utcnow() + timedelta(hours=1))
    assert ok.outcome == "ok"
    with world.sessions() as session:
        report = status(session, world.config.database_url)
    assert report.documents[0].last_outcome == "ok" and report.documents[0].last_checked_at is not None


def test_digest_schedule_is_a_crontab_line_in_utc():
    assert str(parse_schedule("0 6 * * *").fields[5]) == "6"  # hour
    assert str(parse_schedule("*/2 * * * * *").fields[7]) == "*/2"  # second
    for bad in ("0 6 * *", "61 * * * *", "every day"):
        with pytest.raises(ConfigError, match="digest_schedule"):
            parse_schedule(bad)
