"""The live site on loopback: a corpus page's captures served in date order as the clock
moves, with the ETag / Last-Modified behaviour of a careful server (304 for a validator that
still holds), robots.txt, redirects and the archive's faults."""

import pytest
from corpora import SAMPLE_CORPUS

from tracker.archive import LiveSite

VOIP = "seed--voip.com--privacy-policy"


@pytest.fixture
def site():
    with LiveSite() as server:
        server.add_corpus_page(SAMPLE_CORPUS, VOIP, "/privacy")
        yield server


def corpus_body(timestamp: str) -> bytes:
    return (SAMPLE_CORPUS / "archive" / VOIP / f"{timestamp}.html").read_bytes()


def test_a_corpus_page_changes_at_its_captures_dates(site, session):
    url = site.page_url("/privacy")
    site.now = "20050101000000"
    assert session.get(url).status_code == 404  # not published yet
    site.now = "20100101000000"
    assert session.get(url).content == corpus_body("20061016220256")
    site.now = "20130523180728"
    assert session.get(url).content == corpus_body("20130523180728")
    site.now = None  # the newest
    assert session.get(url).content == corpus_body("20130523180728")


def test_a_validator_that_still_holds_gets_304_and_no_body(site, session):
    url = site.page_url("/privacy")
    site.now = "20100101000000"
    first = session.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert modified == "Mon, 16 Oct 2006 22:02:56 GMT"
    again = session.get(url, headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"") and again.headers["ETag"] == etag
    assert session.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    site.now = "20140101000000"  # the page changed: the old validators no longer hold
    changed = session.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.content == corpus_body("20130523180728")
    assert session.get(url, headers={"If-Modified-Since": modified}).status_code == 200


def test_a_server_without_validators_always_answers_200(site, session):
    site.validators = False
    answer = session.get(site.page_url("/privacy"), headers={"If-None-Match": "*"})
    assert answer.status_code == 200 and "ETag" not in answer.headers and "Last-Modified" not in answer.headers


def test_robots_redirects_and_faults(site, session):
    assert session.get(site.page_url("/robots.txt")).status_code == 404
    site.robots = "User-agent: *\nDisallow: /private\n"
    assert session.get(site.page_url("/robots.txt")).text == site.robots
    site.redirect("/old-privacy", "/privacy")
    moved = session.get(site.page_url("/old-privacy"), allow_redirects=False)
    assert (moved.status_code, moved.headers["Location"]) == (301, "/privacy")
    assert session.get(site.page_url("/old-privacy")).content == corpus_body("20130523180728")
    site.faults.add(status=403, path_prefix="/privacy")
    site.faults.add(status=503, path_prefix="/privacy")
    assert [session.get(site.page_url("/privacy")).status_code for _ in range(3)] == [403, 503, 200]
    assert [r.status for r in site.requests if r.path == "/privacy"][-3:] == [403, 503, 200]


def test_published_bodies_take_their_place_in_time(site, session):
    site.publish("/terms", b"<p>second</p>", at="20200101000000")
    site.publish("/terms", b"<p>first</p>", at="20190101000000")
    site.now = "20190601000000"
    assert session.get(site.page_url("/terms")).content == b"<p>first</p>"
    with pytest.raises(ValueError):
        site.publish("/terms", b"x", at="2019")
