"""Save Page Now for versions found live, on SQLite and PostgreSQL against the loopback
archive's SPN2: the version carries the archive's capture as public evidence (history, the
web view, exports), failures and rate limits are retried later with a growing wait and never
in a loop, requests are spaced without ever waiting, and a request is given up with its
reason."""

from datetime import timedelta

import pytest
import requests
from corpora import SAMPLE_CORPUS
from live_world import V1_PAGE, V2_PAGE, LiveWorld, at
from readonly_role import read_only_url
from sqlalchemy import select

from tracker.archive import ArchiveServer, LiveSite
from tracker.live import advance_saves
from tracker.live.saves import ATTEMPTS, BACKOFF
from tracker.read.export import export_dataset
from tracker.read.history import timeline
from tracker.store.documents import find_documents
from tracker.store.models import Capture, SaveRequest
from tracker.wayback import Pacer, SavePageNow
from tracker.web import WebServer, create_app

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)


@pytest.fixture
def world(sessions, tmp_path):
    with LiveSite() as site, ArchiveServer(SAMPLE_CORPUS) as archive:
        site.publish("/privacy", V1_PAGE, at="20250101000000")
        yield LiveWorld(sessions, tmp_path, site, archive)


@pytest.fixture
def spn(world):
    with SavePageNow(world.archive.url, "access", "S3cret") as client:
        yield client


def saves(world, client, when, **options):
    return advance_saves(world.sessions, client, now=at(when), interval=0, **options)


def archive_requests(world) -> list[tuple[str, int | None]]:
    return [(r.path.split("/spn2")[0], r.status) for r in world.archive.requests if r.path.startswith("/save")]


def requests_of(world) -> list[SaveRequest]:
    with world.sessions() as session:
        return list(session.scalars(select(SaveRequest).order_by(SaveRequest.id)))


def test_a_version_found_live_carries_the_archives_capture_as_public_evidence(world, spn, database_url, tmp_path):
    stamps = ["20250101063000", "20250102063000"]
    doc = world.track(source="both")
    world.archive.saves.clock = lambda: stamps[0]
    world.check(doc, "2025-01-01 06:00", save=True)
    assert world.check(doc, "2025-01-01 18:00", save=True).saves == 0  # 304: nothing new to save
    first = saves(world, spn, "2025-01-01 18:01")
    assert (first.submitted, first.polled) == (1, 0)
    assert saves(world, spn, "2025-01-01 18:02").polled == 1  # the archive is still working on it
    assert saves(world, spn, "2025-01-01 18:03").saved == 1
    world.site.publish("/privacy", V2_PAGE, at="20250102000000")
    world.archive.saves.clock = lambda: stamps[1]
    assert world.check(doc, "2025-01-02 06:00", save=True).saves == 1
    for minute in range(1, 4):
        done = saves(world, spn, f"2025-01-02 06:0{minute}")
    assert (done.saved, done.waiting) == (1, 0)
    evidence = [f"{world.archive.url}/web/{stamp}/{world.site.page_url('/privacy')}" for stamp in stamps]
    with world.sessions() as session:
        [document] = find_documents(session)
        rows = timeline(session, document)
        assert session.scalars(select(Capture.source_url).where(Capture.source == "live")
                               .order_by(Capture.id)).all() == evidence
    assert [(r.evidence.state, r.evidence.timestamp, r.evidence.url) for r in rows] == [
        ("saved", stamp, url) for stamp, url in zip(stamps, evidence)]
    assert rows[1].to_dict()["evidence"]["url"] == evidence[1]

    world.backfill()  # the archive's saved captures, listed now, are the same texts: no new version
    assert (world.versions(), world.captures("wayback")) == (2, 2)
    with world.sessions() as session:
        [document] = find_documents(session)
        assert [[s.label() for s in r.sources] for r in timeline(session, document)] == [["live", "wayback"]] * 2

    out = tmp_path / "versions.jsonl"
    with world.sessions() as session:
        export_dataset(session, "versions", "jsonl", out)
    exported = out.read_text().splitlines()
    assert all(f'"evidence_state": "saved", "evidence_timestamp": "{stamp}", "evidence_url": "{url}"' in line
               for line, stamp, url in zip(exported, stamps, evidence, strict=True))
    with WebServer(create_app(read_only_url(database_url))) as web:
        page = requests.get(f"{web.url}/documents/{doc}/versions/2", timeout=30).text
    assert "Public evidence" in page and f'href="{evidence[1]}"' in page


def test_rate_limits_and_failures_are_retried_later_with_a_growing_wait(world, spn):
    doc = world.track()
    world.check(doc, "2025-01-01 06:00", save=True)
    world.archive.faults.add(status=429, path_prefix="/save")
    limited = saves(world, spn, "2025-01-01 06:01")
    assert (limited.submitted, limited.retrying) == (0, 1)
    assert saves(world, spn, "2025-01-01 06:05").submitted == 0  # not due yet: no request at all
    assert archive_requests(world) == [("/save", 429)]
    [request] = requests_of(world)
    assert request.next_attempt_at == at("2025-01-01 06:01") + BACKOFF and "429" in request.error

    world.archive.faults.add(status=500, times=ATTEMPTS, path_prefix="/save")
    when, waits = at("2025-01-01 06:06"), []
    while requests_of(world)[0].state == "pending":
        request = requests_of(world)[0]
        when = max(when, request.next_attempt_at)
        advance_saves(world.sessions, spn, now=when, interval=0)
        waits.append(requests_of(world)[0].next_attempt_at - when)
    assert len(archive_requests(world)) == ATTEMPTS  # one request per attempt, never more
    assert waits[:3] == [BACKOFF * 2, BACKOFF * 4, BACKOFF * 8]
    [failed] = requests_of(world)
    assert (failed.state, failed.attempts, failed.error) == ("failed", ATTEMPTS, "Save Page Now answered HTTP 500")
    with world.sessions() as session:
        [document] = find_documents(session)
        [row] = timeline(session, document)
    assert row.evidence.line() == "Save Page Now failed: Save Page Now answered HTTP 500"


def test_requests_are_spaced_and_a_round_never_waits_for_one(world, spn):
    doc = world.track()
    world.check(doc, "2025-01-01 06:00", save=True)
    world.site.publish("/privacy", V2_PAGE, at="20250101120000")
    world.check(doc, "2025-01-01 18:00", save=True)
    hour = 3600.0
    first = advance_saves(world.sessions, spn, now=at("2025-01-01 18:01"), interval=hour)  # would hang if it waited
    assert (first.submitted, first.waiting) == (1, 1)
    soon = advance_saves(world.sessions, spn, now=at("2025-01-01 18:30"), interval=hour)
    assert (soon.submitted, soon.polled, soon.waiting) == (0, 0, 2)
    later = advance_saves(world.sessions, spn, now=at("2025-01-01 19:02"), interval=hour)
    assert (later.polled, later.submitted, later.waiting) == (1, 0, 1)  # the running job first
    assert len(archive_requests(world)) == 2


def test_a_pause_the_archive_ordered_holds_every_save(world, spn):
    doc = world.track()
    world.check(doc, "2025-01-01 06:00", save=True)
    pacer = Pacer()
    pacer.pause(3600, "the archive answered 429 Too Many Requests")
    held = saves(world, spn, "2025-01-01 06:01", pacer=pacer)
    assert (held.submitted, held.waiting) == (0, 1) and archive_requests(world) == []


def test_a_job_still_pending_after_an_hour_is_submitted_again(world, spn):
    world.archive.saves.pending_polls = 1000
    doc = world.track()
    world.check(doc, "2025-01-01 06:00", save=True)
    saves(world, spn, "2025-01-01 06:01")
    saves(world, spn, "2025-01-01 06:30")
    stale = saves(world, spn, "2025-01-01 07:02")
    assert (stale.polled, stale.retrying) == (1, 1)
    [request] = requests_of(world)
    assert request.job_id is None and "still pending" in request.error
    assert request.next_attempt_at == at("2025-01-01 07:02") + timedelta(minutes=5)
