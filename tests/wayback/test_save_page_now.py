"""The Save Page Now 2 client against the project's archive on loopback: one request per call,
the job's answers read as pending / success / error, a 429 and refused keys as errors its
caller retries, and the keys never in a message."""

import pytest
from corpora import SAMPLE_CORPUS

from tracker.archive import ArchiveServer, LiveSite
from tracker.config import load_config
from tracker.wayback import RateLimited, SaveFailed, SavePageNow


@pytest.fixture
def world():
    with ArchiveServer(SAMPLE_CORPUS) as archive, LiveSite() as site:
        site.publish("/privacy", b"<html><body><p>We keep nothing about you.</p></body></html>",
                     at="20240101000000")
        yield archive, site


def test_submit_then_poll_until_the_archive_holds_the_capture(world):
    archive, site = world
    archive.saves.clock = lambda: "20250102030405"
    page = site.page_url("/privacy")
    with SavePageNow(archive.url, "access", "S3cret") as client:
        job = client.submit(page)
        assert client.status(job).state == "pending"
        done = client.status(job)
        assert (done.state, done.timestamp, done.original_url) == ("success", "20250102030405", page)
        assert client.capture_url(done.timestamp, page) == f"{archive.url}/web/20250102030405/{page}"
        assert client.request_count == 3
    assert [(r.method, r.path) for r in archive.requests][:1] == [("POST", "/save")]


def test_a_failed_job_says_why(world):
    archive, site = world
    archive.saves.pending_polls = 0
    with SavePageNow(archive.url, "access", "S3cret") as client:
        failed = client.status(client.submit(site.page_url("/missing")))
    assert failed.state == "error" and failed.error == "error:http-404: The page answered HTTP 404."


def test_rate_limits_and_refused_keys_are_errors_for_the_caller_to_retry(world):
    archive, site = world
    archive.faults.add(status=429, path_prefix="/save")
    archive.saves.keys = ("access", "right")
    with SavePageNow(archive.url, "access", "wr0ng-S3cret") as client:
        with pytest.raises(RateLimited):
            client.submit(site.page_url("/privacy"))
        with pytest.raises(SaveFailed, match="refused the account's keys") as refused:
            client.submit(site.page_url("/privacy"))
        assert client.request_count == 2  # no retry of its own
    assert "wr0ng-S3cret" not in str(refused.value)


def test_the_client_speaks_to_the_configured_archive_with_the_environments_keys(world):
    archive, _ = world
    config = load_config(environ={"TRACKER_CONFIG": "/dev/null", "TRACKER_WAYBACK_URL": archive.url,
                                  "TRACKER_SPN_ACCESS_KEY": "access", "TRACKER_SPN_SECRET": "S3cret"})
    with SavePageNow.from_config(config) as client:
        assert client.base_url == archive.url and client.session.headers["Authorization"] == "LOW access:S3cret"
