"""Live checks on SQLite and PostgreSQL against the live site on loopback: a fetched page is a
`live` capture on the one timeline, an unchanged page costs a 304 and adds nothing, a page
that refuses the tracker is reported once and left alone, robots.txt's "no" means the page is
never asked for, and a live and an archive capture of the same text are one version."""

import logging
from datetime import timedelta

import pytest
from corpora import SAMPLE_CORPUS
from live_world import BOT_WALL, V1_PAGE, V2_PAGE, LiveWorld, at, stamp
from sqlalchemy import select

from tracker.archive import ArchiveServer, LiveSite
from tracker.jobs import status
from tracker.live import BLOCKED_RETRY
from tracker.read.history import timeline
from tracker.store.documents import find_documents
from tracker.store.models import Capture, LivePage

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)


@pytest.fixture
def site():
    with LiveSite() as server:
        server.publish("/privacy", V1_PAGE, at="20250101000000")
        yield server


@pytest.fixture
def world(sessions, tmp_path, site):
    return LiveWorld(sessions, tmp_path, site)


def live_page(world, document_id) -> LivePage:
    with world.sessions() as session:
        return session.scalars(select(LivePage).where(LivePage.document_id == document_id)).one()


def test_a_live_fetch_is_a_capture_on_the_timeline_and_an_unchanged_page_costs_a_304(world, site):
    doc = world.track()
    first = world.check(doc, "2025-01-01 06:00")
    assert (first.outcome, first.new_capture, first.versions) == ("200: new capture", True, 1)
    assert world.check(doc, "2025-01-01 18:00").outcome == "304 not modified"
    site.publish("/privacy", V2_PAGE, at="20250102000000")
    found = world.check(doc, "2025-01-02 06:00")
    assert (found.outcome, found.versions) == ("200: new capture", 1)
    assert world.page_requests() == [200, 304, 200]
    assert (world.captures("live"), world.versions(), len(world.changes())) == (2, 2, 1)
    with world.sessions() as session:
        captures = session.scalars(select(Capture).order_by(Capture.id)).all()
        assert [(c.source, c.timestamp, c.state, c.source_ref) for c in captures] == [
            ("live", "20250101060000", "fetched", site.page_url("/privacy")),
            ("live", "20250102060000", "fetched", site.page_url("/privacy"))]
        [document] = find_documents(session)
        rows = timeline(session, document)
    assert [(r.seq, r.first_seen, [s.label() for s in r.sources]) for r in rows] == [
        (1, at("2025-01-01 06:00"), ["live"]), (2, at("2025-01-02 06:00"), ["live"])]
    assert live_page(world, doc).outcome == "200: new capture" and live_page(world, doc).etag


def test_the_same_bytes_from_a_site_without_validators_add_no_capture(world, site):
    site.validators = False
    doc = world.track()
    world.check(doc, "2025-01-01 06:00")
    again = world.check(doc, "2025-01-01 18:00")
    assert (again.outcome, again.new_capture) == ("200: the same bytes again", False)
    assert world.page_requests() == [200, 200] and world.captures() == 1


@pytest.mark.parametrize("refusal", ["403", "bot wall"])
def test_a_page_that_refuses_the_tracker_is_reported_once_and_left_alone(world, site, caplog, refusal):
    if refusal == "403":
        site.faults.add(status=403, times=10, path_prefix="/privacy")
    else:
        site.publish("/privacy", BOT_WALL, at="20250101000000")
    doc = world.track()
    with caplog.at_level(logging.INFO, logger="tracker.live"):
        first = world.check(doc, "2025-01-01 06:00")
        later = [world.check(doc, f"2025-01-0{day} 06:00") for day in (2, 3, 4)]
    assert "the site" in first.outcome and all(r.skipped for r in later)
    assert world.page_requests() == [403 if refusal == "403" else 200]  # asked once, not at every tick
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and ("keeps the tracker out" in warnings[0] or "refuses the tracker" in warnings[0])
    page = live_page(world, doc)
    assert page.blocked_since == at("2025-01-01 06:00") and page.retry_at == at("2025-01-01 06:00") + BLOCKED_RETRY
    assert world.versions() == 0
    site.faults.clear()
    site.publish("/privacy", V1_PAGE, at="20250101000000")
    week_later = world.check(doc, "2025-01-09 06:00")
    assert week_later.outcome == "200: new capture" and live_page(world, doc).blocked_since is None


def test_a_page_robots_txt_disallows_is_never_fetched_and_status_says_so(world, site, database_url):
    site.robots = "User-agent: policy-tracker\nDisallow: /\n"
    doc = world.track()
    assert world.check(doc, "2025-01-01 06:00").outcome == "robots.txt disallows policy-tracker: never fetched"
    world.check(doc, "2025-01-02 06:00")
    assert world.page_requests() == [] and world.captures() == 0
    with world.sessions() as session:
        [row] = status(session, database_url).documents
    assert row.source == "live" and row.live_outcome == "robots.txt disallows policy-tracker: never fetched"
    assert row.live_blocked_since == at("2025-01-01 06:00") and row.live_retry_at is None


@pytest.fixture
def both(sessions, tmp_path, site):
    with ArchiveServer(SAMPLE_CORPUS) as archive:
        yield LiveWorld(sessions, tmp_path, site, archive)


def test_a_live_and_a_later_archive_capture_of_the_same_text_are_one_version(both, site):
    doc = both.track(source="both")
    both.check(doc, "2025-01-01 06:00")
    site.publish("/privacy", V2_PAGE, at="20250102000000")
    both.check(doc, "2025-01-02 06:00")
    changes = both.changes()
    both.archive.add_capture(site.page_url("/privacy"), stamp("2025-01-03 09:00"), V2_PAGE)
    both.backfill()
    assert (both.versions(), both.captures("wayback"), both.changes()) == (2, 1, changes)
    with both.sessions() as session:
        [document] = find_documents(session)
        rows = timeline(session, document)
    assert [s.label() for s in rows[1].sources] == ["live", "wayback"]


def test_an_archive_capture_older_than_the_live_one_keeps_the_change_already_recorded(both, site):
    doc = both.track(source="both")
    both.check(doc, "2025-01-01 06:00")
    site.publish("/privacy", V2_PAGE, at="20250101120000")
    both.check(doc, "2025-01-02 06:00")
    [(change_id, created)] = both.changes()
    both.archive.add_capture(site.page_url("/privacy"), stamp("2025-01-01 12:30"), V2_PAGE)  # seen first there
    both.backfill()
    assert both.changes() == [(change_id, created)]  # the same change: never mailed twice
    with both.sessions() as session:
        [document] = find_documents(session)
        rows = timeline(session, document)
    assert rows[1].first_seen == at("2025-01-01 12:30") and [s.label() for s in rows[1].sources] == [
        "wayback", "live"]
    assert rows[1].first_seen - rows[0].first_seen < timedelta(days=1)


def test_a_change_fetched_within_the_second_of_the_last_capture_is_kept(world, site):
    doc = world.track()
    world.check(doc, "2025-01-01 06:00")
    site.publish("/privacy", V2_PAGE, at="20250101000001")
    found = world.check(doc, "2025-01-01 06:00")  # the same second, to the tracker's clock
    assert (found.outcome, found.versions) == ("200: new capture", 1)
    with world.sessions() as session:
        stamps = session.scalars(select(Capture.timestamp).order_by(Capture.id)).all()
    assert stamps == ["20250101060000", "20250101060001"]
    assert world.check(doc, "2025-01-01 07:00").outcome == "304 not modified"
