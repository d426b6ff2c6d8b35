"""The live fetcher against the live site on loopback: robots.txt before anything (a page it
disallows is never asked for), a User-Agent of its own, conditional requests (an unchanged
page costs a 304), an interval per site, redirects each checked against their site's
robots.txt, the archive downloads' size cap, and each refusal told apart."""

import threading

import pytest

from tracker.archive import LiveSite
from tracker.live import LiveFetcher, RobotsCache, Validators
from tracker.wayback import Pacer

POLICY = b"<html><body><h1>Privacy Policy</h1><p>We keep your e-mail address to write to you.</p></body></html>"
AGENT = "policy-tracker/0.1 (+https://example.org/bot; research)"


@pytest.fixture
def site():
    with LiveSite() as server:
        server.publish("/privacy", POLICY, at="20240101000000")
        yield server


def fetcher(**options) -> LiveFetcher:
    """A fetcher with a pacer and robots.txt memory of its own (none shared between tests)."""
    return LiveFetcher(**{"user_agent": AGENT, "interval": 0, "pacer": Pacer(), "robots": RobotsCache(),
                          "timeout": 10, **options})


def paths(site) -> list[str]:
    return [r.path for r in site.requests]


def test_a_page_robots_txt_disallows_is_never_fetched(site):
    site.robots = "User-agent: policy-tracker\nDisallow: /privacy\n\nUser-agent: *\nAllow: /\n"
    with fetcher() as live:
        answer = live.fetch(site.page_url("/privacy"))
        again = live.fetch(site.page_url("/privacy"))
    assert answer.kind == again.kind == "disallowed"
    assert answer.reason == "robots.txt disallows policy-tracker: never fetched"
    assert paths(site) == ["/robots.txt"]  # read once; the page never asked for


def test_an_unchanged_page_costs_a_304_and_the_fetcher_says_who_it_is(site):
    with fetcher() as live:
        first = live.fetch(site.page_url("/privacy"))
        again = live.fetch(site.page_url("/privacy"), first.validators)
        site.publish("/privacy", POLICY.replace(b"e-mail", b"postal"), at="20240601000000")
        changed = live.fetch(site.page_url("/privacy"), first.validators)
    assert (first.kind, first.status, first.body) == ("page", 200, POLICY)
    assert first.validators.etag and first.validators.last_modified
    assert (again.kind, again.status, again.body) == ("not_modified", 304, b"")
    assert changed.kind == "page" and b"postal" in changed.body
    assert [r.status for r in site.requests if r.path == "/privacy"] == [200, 304, 200]


def held(call, *args) -> bool:
    """Whether `call(*args)` is still waiting a moment after it started (it then waits on in
    a daemon thread). Only used where the wait, if any, is an hour."""
    thread = threading.Thread(target=call, args=args, daemon=True)
    thread.start()
    thread.join(0.3)
    return thread.is_alive()


def test_requests_to_one_site_keep_the_interval_and_other_sites_do_not_wait(site):
    pacer = Pacer()
    live = fetcher(interval=3600, loopback_interval=3600, pacer=pacer)
    assert held(live.fetch, site.page_url("/privacy"))  # robots.txt went; the page waits an hour
    assert paths(site) == ["/robots.txt"]
    assert not held(pacer.wait, "http://other.example", 3600)  # another site is not held back


def test_a_loopback_site_gets_no_interval_unless_one_is_set():
    from tracker.config import load_config

    config = load_config(environ={"TRACKER_CONFIG": "/dev/null"})
    assert LiveFetcher.from_config(config).loopback_interval == 0
    assert LiveFetcher.from_config(config).interval == 10
    set_on_purpose = load_config(environ={"TRACKER_CONFIG": "/dev/null", "TRACKER_LIVE_INTERVAL": "3"})
    assert LiveFetcher.from_config(set_on_purpose).loopback_interval == 3


def test_crawl_delay_spaces_requests_when_longer_than_the_interval(site):
    site.robots = "User-agent: *\nCrawl-delay: 3600\n"
    assert held(fetcher().fetch, site.page_url("/privacy"))  # an hour's Crawl-delay after robots.txt
    assert paths(site) == ["/robots.txt"]


def test_redirects_are_followed_each_hop_asked_of_robots_txt(site):
    site.redirect("/old", "/privacy")
    site.redirect("/loop", "/loop")
    site.redirect("/to-private", "/private")
    site.robots = "User-agent: *\nDisallow: /private\n"
    with fetcher() as live:
        moved = live.fetch(site.page_url("/old"))
        looping = live.fetch(site.page_url("/loop"))
        private = live.fetch(site.page_url("/to-private"))
    assert (moved.kind, moved.url, moved.body) == ("page", site.page_url("/privacy"), POLICY)
    assert looping.kind == "error" and "redirect loop" in looping.reason
    assert private.kind == "disallowed" and "/private" not in paths(site)


@pytest.mark.parametrize("status, kind", [(403, "blocked"), (401, "blocked"), (404, "missing"), (410, "missing"),
                                          (500, "error"), (503, "error"), (429, "rate_limited")])
def test_each_refusal_is_told_apart(site, status, kind):
    site.faults.add(status=status, path_prefix="/privacy")
    with fetcher() as live:
        answer = live.fetch(site.page_url("/privacy"))
    assert (answer.kind, answer.status) == (kind, status) and str(status) in answer.reason


def test_a_slow_page_is_an_error_not_a_hang(site):
    site.faults.add(kind="slow", delay=3, path_prefix="/privacy")
    with fetcher(timeout=0.5) as live:
        answer = live.fetch(site.page_url("/privacy"))
    assert answer.kind == "error" and "timed out" in answer.reason


def test_the_archive_downloads_caps_apply_after_decompression(site):
    site.publish("/huge", b"<p>" + b"a" * 5_000_000 + b"</p>", at="20240101000000")  # ~5 KB gzipped
    site.publish("/broken", POLICY, at="20240101000000")
    site.faults.add(kind="badgzip", path_prefix="/broken")
    with fetcher(max_body_bytes=1_000_000) as live:
        huge = live.fetch(site.page_url("/huge"))
        broken = live.fetch(site.page_url("/broken"))
        fine = live.fetch(site.page_url("/privacy"))
    assert huge.kind == "error" and "over 1000000 bytes (decompressed)" in huge.reason
    assert broken.kind == "error" and "truncated or corrupt" in broken.reason
    assert fine.body == POLICY  # gzipped on the wire, decompressed here


def test_robots_txt_that_cannot_be_read_keeps_the_page_unasked(site):
    site.faults.add(status=503, path_prefix="/robots.txt")
    with fetcher() as live:
        answer = live.fetch(site.page_url("/privacy"), Validators())
    assert answer.kind == "error" and "robots.txt answered HTTP 503" in answer.reason
    assert paths(site) == ["/robots.txt"]
