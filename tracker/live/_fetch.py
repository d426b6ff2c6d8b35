"""Fetching a policy page from its own site, politely.

- robots.txt first (urllib.robotparser, read per site and kept for a day as RFC 9309 allows;
  401/403 on it mean "keep out", as the stdlib reads them; a 5xx or no answer means "not
  now"); its Crawl-delay, when longer than `interval`, spaces our requests to that site;
- a User-Agent that says who we are (robots.txt is matched on its product token);
- conditional requests: the last answer's ETag and Last-Modified go back as If-None-Match
  and If-Modified-Since, so an unchanged page costs the site a 304 and no body;
- at least `interval` seconds between two requests to one site (every process's fetches go
  through one pacer, keyed by site), redirects followed by hand (robots.txt asked of each
  site they lead to, at most `max_redirects` hops);
- the archive downloads' caps: `max_body_bytes` after decompression (tracker.wayback.read_body).

Nothing here touches the database: `fetch` returns what the site answered, and the check
(check.py) records it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import requests

from tracker.config import is_loopback
from tracker.wayback import BodyTooLarge, BrokenBody, Pacer, read_body

log = logging.getLogger(__name__)

ROBOTS_LIMIT = 512_000  # RFC 9309: a parser must read at least 500 KiB of it
ROBOTS_TTL = 86_400.0  # RFC 9309: a robots.txt is not to be used for more than a day
_REDIRECTS = (301, 302, 303, 307, 308)
_BLOCKING = (401, 403, 451)  # the site refuses us: not to be asked again at every tick
_MISSING = (404, 410)

LIVE_PACER = Pacer()  # one per process, keyed by site: every fetcher shares its intervals


class RobotsCache:
    """The robots.txt of each site as read at a moment (`clock()` seconds), shared by every
    fetcher of a process: the daemon makes a fetcher per tick, and a site's robots.txt is
    asked for once a day, not once a check."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._held: dict[str, tuple[float, RobotFileParser]] = {}
        self._lock = threading.Lock()

    def fresh(self, site: str) -> RobotFileParser | None:
        with self._lock:
            held = self._held.get(site)
        return held[1] if held and self.clock() - held[0] <= ROBOTS_TTL else None

    def keep(self, site: str, parser: RobotFileParser) -> None:
        with self._lock:
            self._held[site] = (self.clock(), parser)


LIVE_ROBOTS = RobotsCache()


@dataclass(frozen=True)
class Validators:
    """What makes the next request conditional: the last answer's ETag and Last-Modified."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        found = {"If-None-Match": self.etag, "If-Modified-Since": self.last_modified}
        return {name: value for name, value in found.items() if value}


@dataclass(frozen=True)
class LiveAnswer:
    """What one fetch found. `kind`: `page` (a 2xx and its body), `not_modified` (304),
    `disallowed` (robots.txt keeps us out: nothing was asked of the page), `blocked` (401, 403,
    451), `rate_limited` (429; `retry_after` seconds when the site says), `missing` (404,
    410), `error` (a 5xx, another status, no answer, a body too large or broken, a robots.txt
    that could not be read). `reason` is one line for a person."""

    kind: str
    url: str  # the URL that answered (after redirects)
    reason: str
    status: int | None = None
    body: bytes = b""
    content_type: str | None = None
    validators: Validators = field(default_factory=Validators)
    retry_after: float | None = None


class LiveFetcher:
    def __init__(self, *, user_agent: str = "policy-tracker", timeout: float = 60.0,
                 max_body_bytes: int = 20_000_000, interval: float = 10.0, loopback_interval: float | None = None,
                 max_redirects: int = 5, pacer: Pacer = LIVE_PACER, robots: RobotsCache = LIVE_ROBOTS) -> None:
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_body_bytes = max_body_bytes
        self.interval = interval
        self.loopback_interval = interval if loopback_interval is None else loopback_interval
        self.max_redirects = max_redirects
        self.pacer = pacer
        self.robots = robots
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept-Encoding"] = "gzip, deflate"
        self.request_count = 0

    @classmethod
    def from_config(cls, config, pacer: Pacer = LIVE_PACER) -> LiveFetcher:
        """As configured; a loopback site (our own live site, in tests and benches) gets no
        interval unless `live_interval` was set on purpose. `pacer`: a budget shared by
        workers on several machines (tracker.jobs.budget), else this process's."""
        return cls(user_agent=config.user_agent, timeout=config.timeout, max_body_bytes=config.max_body_bytes,
                   interval=config.live_interval, loopback_interval=config.local_or("live_interval", "http://127.0.0.1"),
                   pacer=pacer)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> LiveFetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def fetch(self, url: str, validators: Validators = Validators()) -> LiveAnswer:
        """The page at `url` (conditional on `validators`), after robots.txt said yes."""
        seen: set[str] = set()
        for _ in range(self.max_redirects + 1):
            if url in seen:
                return LiveAnswer("error", url, f"redirect loop at {url}")
            seen.add(url)
            refusal = self._robots_refusal(url)
            if refusal is not None:
                return refusal
            try:
                response = self._get(url, validators.headers())
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                return LiveAnswer("error", url, _failure(exc))
            try:
                if response.status_code in _REDIRECTS and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    continue
                return self._answer(url, response)
            finally:
                response.close()
        return LiveAnswer("error", url, f"more than {self.max_redirects} redirects")

    def _answer(self, url: str, response: requests.Response) -> LiveAnswer:
        status = response.status_code
        validators = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
        if status == 304:
            return LiveAnswer("not_modified", url, "304 not modified", status, validators=validators)
        if 200 <= status < 300 and status != 204:
            try:
                body = read_body(response, self.max_body_bytes, f"the page at {url}")
            except (BodyTooLarge, BrokenBody) as exc:
                return LiveAnswer("error", url, str(exc), status)
            return LiveAnswer("page", url, f"{status}", status, body, response.headers.get("Content-Type"),
                              validators)
        if status in _BLOCKING:
            return LiveAnswer("blocked", url, f"HTTP {status}: the site refuses the tracker", status)
        if status == 429:
            return LiveAnswer("rate_limited", url, "HTTP 429: the site asks to slow down", status,
                              retry_after=_retry_after(response.headers.get("Retry-After")))
        if status in _MISSING:
            return LiveAnswer("missing", url, f"HTTP {status}: no page at this address", status)
        return LiveAnswer("error", url, f"HTTP {status}", status)

    def _get(self, url: str, headers: dict[str, str]) -> requests.Response:
        site = _site(url)
        delay = self._interval(url)
        robots = self.robots.fresh(site)
        crawl_delay = robots.crawl_delay(self.user_agent) if robots else None
        if crawl_delay:
            delay = max(delay, float(crawl_delay))
        with self.pacer.turn(site, delay):
            self.request_count += 1
            return self.session.get(url, headers=headers, timeout=self.timeout, stream=True, allow_redirects=False)

    def _interval(self, url: str) -> float:
        return self.loopback_interval if is_loopback(url) else self.interval

    # -- robots.txt -----------------------------------------------------------------------

    def _robots_refusal(self, url: str) -> LiveAnswer | None:
        """Why robots.txt keeps us from `url` (an answer to return), or None: go ahead."""
        site = _site(url)
        parser = self.robots.fresh(site)
        if parser is None:
            read = self._read_robots(site)
            if isinstance(read, LiveAnswer):
                return read
            self.robots.keep(site, parser := read)
        if parser.can_fetch(self.user_agent, url):
            return None
        token = self.user_agent.split("/")[0]
        return LiveAnswer("disallowed", url, f"robots.txt disallows {token}: never fetched")

    def _read_robots(self, site: str) -> RobotFileParser | LiveAnswer:
        """The site's robots.txt (redirects followed, up to five hops as RFC 9309 asks)."""
        parser = RobotFileParser(site + "/robots.txt")
        where = site + "/robots.txt"
        for _ in range(self.max_redirects + 1):
            try:
                response = self._get(where, {})
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                return LiveAnswer("error", where, f"robots.txt: {_failure(exc)}; not fetched")
            try:
                status = response.status_code
                if status in _REDIRECTS and response.headers.get("Location"):
                    where = urljoin(where, response.headers["Location"])
                    continue
                if status in (401, 403):  # as the stdlib's own reader takes them: keep out
                    parser.parse(["User-agent: *", "Disallow: /"])
                elif 400 <= status < 500:  # none: no rule
                    parser.parse([])
                elif not 200 <= status < 300:  # a 5xx: not now (RFC 9309: assume a full disallow)
                    return LiveAnswer("error", where, f"robots.txt answered HTTP {status}; not fetched", status)
                else:
                    text = read_body(response, ROBOTS_LIMIT, "robots.txt").decode("utf-8", "replace")
                    parser.parse(text.splitlines())
                return parser
            except BodyTooLarge:
                return LiveAnswer("error", where, f"robots.txt is over {ROBOTS_LIMIT} bytes; not fetched")
            except BrokenBody as exc:
                return LiveAnswer("error", where, f"{exc}; not fetched")
            finally:
                response.close()
        parser.parse([])  # redirected too often: as if there were none
        return parser


def _site(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _failure(exc: Exception) -> str:
    return "no answer (timed out)" if isinstance(exc, requests.exceptions.Timeout) else "no answer (unreachable)"


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: a number of seconds, or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
