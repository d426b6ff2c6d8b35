"""The daemon with live checks, end to end: `python scheduler.py` as a subprocess against the
live site, the local archive (with its Save Page Now) and a real SMTP server on loopback. A
change published on the live site starts a version at the first check after it, is mailed in
the next digest, and the version carries the archive's capture that Save Page Now made; the
archive's later capture of the same text (that very save, listed at the next check) starts no
other version. A document set to `wayback` is still checked from the archive alone."""

import signal

import pytest
from daemon_process import Daemon, count, wait_for
from live_world import V1_PAGE, V2_PAGE
from mail_world import HOSTILE, World
from sqlalchemy import select, update

from tracker.archive import LiveSite
from tracker.store.documents import add_document
from tracker.store.models import Capture, Change, Digest, Document, JobRun, LivePage, SaveRequest, Version

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)


@pytest.fixture
def site():
    with LiveSite() as server:
        server.publish("/privacy", V1_PAGE, at="20240101000000")
        yield server


def test_a_change_published_live_is_versioned_at_the_next_check_mailed_and_saved_by_the_archive(
        database_url, tmp_path, archive, inbox, site):
    world = World(database_url, tmp_path, archive, inbox.port)
    page = site.page_url("/privacy")
    with world.sessions.begin() as session:
        live = add_document(session, page, "live.example", source="both").id
        wayback = add_document(session, HOSTILE, "hostile.example").id  # the archive alone
        session.execute(update(Document).values(check_interval_hours=0.5 / 3600))  # every half second
    world.subscribe("reader@example.org", providers=["live.example"])

    def versions() -> int:
        return count(world, select(Version.id).where(Version.document_id == live))

    def archive_copies() -> int:  # the archive's captures of the live page, listed by a check
        return count(world, select(Capture.id).where(Capture.document_id == live, Capture.source == "wayback"))

    def saved() -> int:
        return count(world, select(SaveRequest.id).where(SaveRequest.state == "saved"))

    def checks() -> int:
        return count(world, select(JobRun.id).where(JobRun.document_id == live, JobRun.outcome == "ok"))

    daemon = Daemon(world, tmp_path / "daemon.log", spn_access_key="access", spn_secret="S3cret").start()
    try:
        wait_for(lambda: saved() == 1 and archive_copies() == 1, daemon,
                 "the first version saved by the archive and listed by a check")
        assert versions() == 1 and not inbox.received

        seen = len(site.requests)
        site.publish("/privacy", V2_PAGE)  # the change, published now
        wait_for(lambda: versions() == 2, daemon, "the change's version")
        after = [r.status for r in site.requests[seen:] if r.path == "/privacy"]
        assert after[0] == 200  # the first check after the change found it
        wait_for(lambda: len(inbox.received) == 1, daemon, "the digest")
        wait_for(lambda: saved() == 2 and archive_copies() == 2, daemon,
                 "the change saved by the archive, and that capture listed by a check")
        done = checks()
        wait_for(lambda: checks() >= done + 3, daemon, "three more checks")
    finally:
        assert daemon.signal(signal.SIGTERM) == 0

    assert versions() == 2 and count(world, select(Change.id).where(Change.document_id == live)) == 1
    assert len(inbox.received) == 1 and count(world, select(Digest.id)) == 1
    with world.sessions() as session:
        v2 = session.scalars(select(Version).where(Version.document_id == live, Version.seq == 2)).one()
        first = session.get_one(Capture, v2.first_capture_id)
        request = session.scalars(select(SaveRequest).where(SaveRequest.capture_id == first.id)).one()
        archive_copy = session.scalars(select(Capture).where(Capture.version_id == v2.id,
                                                             Capture.source == "wayback")).one()
        assert session.scalars(select(LivePage).where(LivePage.document_id == wayback)).all() == []
        hostile_versions = session.scalars(select(Version.seq).where(Version.document_id == wayback)).all()
    assert first.source == "live"
    assert request.archive_url == f"{archive.url}/web/{request.timestamp}/{page}" == first.source_url
    assert archive_copy.timestamp == request.timestamp  # the save is the archive's capture of that text
    assert archive.saves.submitted == [page, page]
    mail = inbox.messages()[0].get_body(("plain",)).get_content()
    assert "live.example / Privacy Policy: version 1 -> 2" in mail and "Public evidence:" in mail
    assert sorted(hostile_versions) == [1, 2, 3]  # checked from the archive alone, never live
