"""A small, polite client for the Wayback Machine's CDX index and raw (`id_`) captures.

Defaults are safe for the real archive (docs/wayback.md): one keep-alive
session, CDX requests paced to well under 30 a minute, captures to a couple a second, a
429 treated as a pause for the whole process (pacing.py) rather than something to retry
at once, and a refused connection as a likely IP block: a long pause, then give up.

The archive's odd answers handled here: CDX pages in JSON or text, duplicated and
malformed rows, a last page that is an empty 200; a 302 to the nearest capture (the
capture actually served is the one recorded); captured redirects whose Location is
absolute, `/web/...` or `//host/...`, followed inside the archive with a hop limit and
loop detection; archived 4xx/5xx answers (they carry Memento-Datetime: not live errors);
the archive's own notice pages served as 200 without Memento-Datetime; truncated bodies
and corrupt gzip (retried); bodies over a size cap after decompression.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag, urljoin, urlsplit

import requests

from tracker.urls import check_url
from tracker.wayback._cdx import CDX_FIELDS, CdxRecord, parse_cdx
from tracker.wayback._pacing import PAUSE_FILE, SHARED_PACER, Pacer, shared_pacer
from tracker.wayback.exceptions import (
    ArchiveNotice,
    ArchiveUnreachable,
    BlockedSite,
    BodyTooLarge,
    BrokenBody,
    CaptureError,
    NotArchived,
    RateLimited,
    WaybackError,
)

log = logging.getLogger(__name__)

REAL_ARCHIVE_HOST = "web.archive.org"
_CAPTURE_PATH = re.compile(r"^/web/(\d{1,14})(?:[a-z]{2}_)?/(.+)$", re.S)
_REDIRECTS = (301, 302, 303, 307, 308)
# Phrases of the archive's own pages, served as 200 without Memento-Datetime.
_NOTICES = ((b"excluded from the Wayback Machine", "exclusion notice"),
            (b"has not archived that URL", "not-archived notice"),
            (b"Got an HTTP", "redirect notice"))


@dataclass(frozen=True)
class Memento:
    """One capture as served: the timestamp actually served may differ from the one asked.

    `status_code` is the archived answer's: an archived 404 or 429 is a memento too.
    """

    timestamp: str
    original: str
    status_code: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str | None:
        return self.headers.get("Content-Type")


class WaybackClient:
    def __init__(
        self,
        base_url: str = "https://web.archive.org",
        *,
        cdx_interval: float = 2.5,
        capture_interval: float = 0.5,
        timeout: float = 60.0,
        max_body_bytes: int = 20_000_000,
        page_size: int = 5000,
        retries: int = 3,
        backoff: float = 2.0,
        max_backoff: float = 60.0,
        rate_limit_pause: float = 60.0,
        block_pause: float = 600.0,
        max_redirects: int = 5,
        user_agent: str = "policy-tracker",
        pacer: Pacer = SHARED_PACER,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cdx_interval = cdx_interval
        self.capture_interval = capture_interval
        self.timeout = timeout
        self.max_body_bytes = max_body_bytes
        self.page_size = page_size
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.rate_limit_pause = rate_limit_pause
        self.block_pause = block_pause
        self.max_redirects = max_redirects
        self.pacer = pacer
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept-Encoding"] = "gzip, deflate"
        self.request_count = 0

    @classmethod
    def from_config(cls, config, pacer: Pacer | None = None) -> WaybackClient:
        """A client as configured; its pauses are shared through a file in the snapshots
        folder with every process that uses the same store (`pacer`: a budget shared through
        the database instead, tracker.jobs.budget). A loopback archive (our replay server)
        gets no politeness intervals and no IP-block pause unless they are set."""
        return cls(
            config.wayback_url,
            cdx_interval=config.local_or("cdx_interval"),
            capture_interval=config.local_or("capture_interval"),
            timeout=config.timeout,
            max_body_bytes=config.max_body_bytes,
            page_size=config.cdx_page_size,
            rate_limit_pause=config.rate_limit_pause,
            block_pause=config.local_or("block_pause"),
            user_agent=config.user_agent,
            pacer=pacer or shared_pacer(config.snapshots_dir / PAUSE_FILE),
        )

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> WaybackClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- CDX ---------------------------------------------------------------------------

    def search(
        self, url: str, *, from_ts: str | None = None, to_ts: str | None = None
    ) -> Iterator[CdxRecord]:
        """Every capture of `url` in time order, page by page via resume keys, each row once.

        `collapse=digest` only merges adjacent duplicates, so callers still skip digests
        they already hold. A fragment (`#privacy`) is the page's part, not another page: the
        archive is asked for the URL without it.
        """
        url = urldefrag(check_url(url)).url
        params = {
            "url": url,
            "output": "json",
            "fl": ",".join(CDX_FIELDS),
            "collapse": "digest",
            "limit": str(self.page_size),
            "showResumeKey": "true",
        }
        if from_ts:
            params["from"] = from_ts
        if to_ts:
            params["to"] = to_ts
        seen: set[tuple[str, str]] = set()
        while True:
            response = self._get(self.base_url + "/cdx/search/cdx", params, kind="cdx")
            if response.status_code == 404:
                return
            if response.status_code == 403:
                raise BlockedSite(f"the archive refuses to list {url} (HTTP 403: "
                                  f"{_first_line(response.text) or 'Blocked Site Error'})")
            if response.status_code != 200:
                raise WaybackError(f"CDX search for {url} answered HTTP {response.status_code}: "
                                   f"{_first_line(response.text)}")
            records, resume_key = parse_cdx(response.text, url)
            for record in records:
                if (record.timestamp, record.original) not in seen:
                    seen.add((record.timestamp, record.original))
                    yield record
            if not resume_key:
                return
            params["resumeKey"] = resume_key

    # -- captures ----------------------------------------------------------------------

    def get_capture(self, timestamp: str, url: str) -> Memento:
        """The raw bytes of a capture, following the archive's redirects to the one served.

        A truncated or corrupt body is fetched again (with back-off) up to `retries` times.
        """
        for attempt in range(self.retries + 1):
            try:
                return self._follow(timestamp, url)
            except BrokenBody as exc:
                if attempt == self.retries:
                    raise
                self._sleep_before_retry(attempt, str(exc))
        raise AssertionError("unreachable")

    def _follow(self, timestamp: str, url: str) -> Memento:
        """A missing exact timestamp answers 302 to the nearest capture; a captured redirect
        is a 3xx that carries a Memento-Datetime. Both are followed inside the archive, up
        to `max_redirects` hops; a capture seen twice is a loop."""
        hop, seen = (timestamp, url), set()
        for _ in range(self.max_redirects + 1):
            if hop in seen:
                raise CaptureError(f"capture {timestamp} of {url}: redirect loop at {hop[0]} {hop[1]}")
            seen.add(hop)
            target = f"{self.base_url}/web/{hop[0]}id_/{hop[1]}"
            response = self._get(target, None, kind="capture", stream=True)
            try:
                is_memento = "Memento-Datetime" in response.headers
                if response.status_code in _REDIRECTS:
                    hop = self._next_hop(response, hop, target)
                    continue
                if not is_memento:
                    raise self._not_a_memento(response, timestamp, url)
                body = read_body(response, self.max_body_bytes, f"capture of {url}")
                return Memento(
                    timestamp=memento_timestamp(response.headers["Memento-Datetime"]) or hop[0],
                    original=hop[1],
                    status_code=response.status_code,
                    headers=dict(response.headers),
                    body=body,
                )
            finally:
                response.close()
        raise CaptureError(f"capture {timestamp} of {url}: more than {self.max_redirects} redirects")

    def _next_hop(self, response: requests.Response, hop: tuple[str, str], current: str) -> tuple[str, str]:
        """(timestamp, url) the redirect points to. An archive URL (ours or the real
        archive's, in any of the three forms) names its capture; a Location left as the
        live site's URL means that URL at the same moment."""
        location = response.headers.get("Location")
        if not location:
            raise CaptureError(f"redirect without Location from {current}")
        absolute = urljoin(current, location)
        parts = urlsplit(absolute)
        archive_hosts = {urlsplit(self.base_url).netloc, REAL_ARCHIVE_HOST}
        if parts.netloc in archive_hosts:
            path = absolute[absolute.index(parts.netloc) + len(parts.netloc):]
            match = _CAPTURE_PATH.match(path)
            if not match:
                raise CaptureError(f"redirect to a non-capture archive page: {location}")
            return match.group(1), re.sub(r"^(https?):/+", r"\1://", match.group(2))
        if parts.scheme in ("http", "https") and parts.netloc:
            return hop[0], absolute
        raise CaptureError(f"redirect to an unusable Location: {location}")

    @staticmethod
    def _not_a_memento(response: requests.Response, timestamp: str, url: str) -> WaybackError:
        if response.status_code == 404:
            return NotArchived(f"{url} at {timestamp} is not in the archive")
        if response.status_code != 200:
            return CaptureError(f"capture {timestamp} of {url}: HTTP {response.status_code}")
        head = response.raw.read(64 * 1024, decode_content=True) or b""
        kind = next((name for phrase, name in _NOTICES if phrase in head), "archive page")
        return ArchiveNotice(f"capture {timestamp} of {url}: the archive answered its own "
                             f"{kind} (200 without Memento-Datetime), not a capture")

    # -- one request, paced and retried ------------------------------------------------

    def _get(self, url: str, params: dict | None, *, kind: str, stream: bool = False):
        """One answer, after pacing; 429 pauses everyone, 5xx and timeouts are retried
        with capped back-off, a refused connection pauses everyone for `block_pause` and
        ends the call. Archived answers (with Memento-Datetime) are returned whatever
        their status."""
        interval = self.cdx_interval if kind == "cdx" else self.capture_interval
        pause = self.rate_limit_pause
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            with self.pacer.turn(kind, interval):  # a pause below is ordered inside the turn
                self.request_count += 1
                try:
                    response = self.session.get(
                        url, params=params, timeout=self.timeout, stream=stream, allow_redirects=False
                    )
                except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                    if _refused(exc):
                        # Knocking again would only deepen a block: pause everyone sharing the
                        # pacer (its file, too) and stop this run; a later run resumes.
                        if not self.block_pause:
                            log.warning("archive at %s refused the connection", self.base_url)
                            raise ArchiveUnreachable(
                                f"archive at {self.base_url} unreachable: connection refused "
                                f"(is it running?)") from None
                        log.warning("archive at %s refused the connection: likely an IP block; "
                                    "pausing every request for %.0fs", self.base_url, self.block_pause)
                        self.pacer.pause(self.block_pause, f"{self.base_url} refused a connection (a likely IP "
                                                           f"block; block_pause {self.block_pause:g} s)")
                        raise ArchiveUnreachable(
                            f"archive at {self.base_url} unreachable: connection refused (likely "
                            f"an IP block); requests paused for {self.block_pause:.0f}s") from None
                    if last:
                        raise ArchiveUnreachable(f"archive at {self.base_url} unreachable: {exc}") from None
                    self._sleep_before_retry(attempt, type(exc).__name__)
                    continue
                if "Memento-Datetime" in response.headers:
                    return response
                if response.status_code == 429:
                    response.close()
                    if last:
                        raise RateLimited(f"archive kept answering 429 for {url}")
                    log.warning("archive answered 429: pausing every request for %.0fs", pause)
                    self.pacer.pause(pause, f"the archive answered 429 Too Many Requests (pause {pause:g} s)")
                    pause *= 2
                    continue
                if response.status_code >= 500 and not last:
                    response.close()
                    self._sleep_before_retry(attempt, f"HTTP {response.status_code}")
                    continue
                return response
        raise AssertionError("unreachable")

    def _sleep_before_retry(self, attempt: int, why: str) -> None:
        delay = min(self.backoff * (2**attempt), self.max_backoff)
        log.info("retrying after %s in %.1fs", why, delay)
        time.sleep(delay)


def read_body(response: requests.Response, limit: int, what: str) -> bytes:
    """A streamed response's body, decompressed as it arrives and cut off past `limit` bytes
    (a 40 MB page, a gzip bomb: BodyTooLarge); a truncated or corrupt stream is BrokenBody.
    Every download of a page goes through here, from the archive or from the live site."""
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(f"{what} is over {limit} bytes (decompressed)")
            chunks.append(chunk)
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError,
            requests.exceptions.ConnectionError) as exc:
        raise BrokenBody(f"{what}: truncated or corrupt body ({type(exc).__name__})") from None
    return b"".join(chunks)


def _refused(exc: BaseException) -> bool:
    """Whether a connection error was a refusal (ECONNREFUSED somewhere in its causes)."""
    todo, seen = [exc], set()
    while todo:
        error = todo.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, ConnectionRefusedError):
            return True
        todo += [e for e in (error.__cause__, error.__context__, getattr(error, "reason", None),
                             *error.args) if isinstance(e, BaseException)]
    return False


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]


def memento_timestamp(value: str) -> str | None:
    """A Memento-Datetime header as a 14-digit Wayback timestamp (None when unreadable)."""
    try:
        return parsedate_to_datetime(value).strftime("%Y%m%d%H%M%S")
    except (TypeError, ValueError):
        return None
