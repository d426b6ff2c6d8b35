"""A small, polite client for the Wayback Machine's CDX index and raw (`id_`) captures.

Defaults are safe for the real archive (DESIGN.md, "Wayback facts"): one keep-alive
session, CDX requests paced to well under 30 a minute, captures to a couple a second, and
a 429 treated as a pause for the whole process rather than something to retry at once.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Iterator
from urllib.parse import urljoin, urlsplit

import requests

log = logging.getLogger(__name__)

CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
_CAPTURE_PATH = re.compile(r"/web/(\d{1,14})(?:[a-z]{2}_)?/(.+)$", re.S)


class WaybackError(Exception):
    """Base class: something went wrong talking to the archive."""


class InvalidURL(WaybackError, ValueError):
    """The text given as a page URL is not an http(s) URL."""


class ArchiveUnreachable(WaybackError):
    """No answer from the archive (DNS, refused connection, timeouts after retries)."""


class RateLimited(WaybackError):
    """The archive kept answering 429 after the client paused and retried."""


class NotArchived(WaybackError):
    """The archive holds no capture of that URL (404)."""


class CaptureError(WaybackError):
    """An answer that is not a usable capture (no Memento-Datetime, bad redirect, 5xx...)."""


class BodyTooLarge(CaptureError):
    """The body (after decompression) is over the configured cap: a 40 MB page or a gzip bomb."""


@dataclass(frozen=True)
class CdxRecord:
    urlkey: str
    timestamp: str
    original: str
    mimetype: str
    statuscode: str
    digest: str
    length: str


@dataclass(frozen=True)
class Memento:
    """One capture as served: the timestamp actually served may differ from the one asked."""

    timestamp: str
    original: str
    status_code: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str | None:
        return self.headers.get("Content-Type")


def check_url(url: str) -> str:
    """Return `url` stripped, or raise InvalidURL; the archive only holds http(s) pages."""
    text = (url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.hostname or " " in text:
        raise InvalidURL(f"not an http(s) URL: {url!r}")
    host = parts.hostname
    if "." not in host and host != "localhost":
        raise InvalidURL(f"not a public host name: {url!r}")
    return text


class Pacer:
    """Minimum intervals between requests of one kind, and a process-wide 429 pause.

    One Pacer is shared by every client of a process (see `SHARED_PACER`), so that a 429
    seen by one worker pauses them all.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._paused_until = 0.0

    def wait(self, kind: str, interval: float) -> None:
        with self._lock:
            now = time.monotonic()
            ready = max(self._last.get(kind, 0.0) + interval, self._paused_until)
            delay = max(0.0, ready - now)
            self._last[kind] = now + delay
        if delay:
            time.sleep(delay)

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)


SHARED_PACER = Pacer()


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
        rate_limit_pause: float = 60.0,
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
        self.rate_limit_pause = rate_limit_pause
        self.max_redirects = max_redirects
        self.pacer = pacer
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept-Encoding"] = "gzip, deflate"
        self.request_count = 0

    @classmethod
    def from_config(cls, config) -> "WaybackClient":
        return cls(
            config.wayback_url,
            cdx_interval=config.cdx_interval,
            capture_interval=config.capture_interval,
            timeout=config.timeout,
            max_body_bytes=config.max_body_bytes,
            page_size=config.cdx_page_size,
            user_agent=config.user_agent,
        )

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "WaybackClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- CDX ---------------------------------------------------------------------------

    def search(
        self, url: str, *, from_ts: str | None = None, to_ts: str | None = None
    ) -> Iterator[CdxRecord]:
        """Every capture of `url` in time order, page by page via resume keys.

        `collapse=digest` only merges adjacent duplicates, so callers still skip digests
        they already hold.
        """
        url = check_url(url)
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
        while True:
            response = self._get(self.base_url + "/cdx/search/cdx", params, kind="cdx")
            if response.status_code == 404:
                return
            if response.status_code != 200:
                raise WaybackError(f"CDX search for {url} answered HTTP {response.status_code}")
            records, resume_key = _parse_cdx_json(response.text, url)
            yield from records
            if not resume_key:
                return
            params["resumeKey"] = resume_key

    # -- captures ----------------------------------------------------------------------

    def get_capture(self, timestamp: str, url: str) -> Memento:
        """The raw bytes of a capture, following the archive's redirects to the one served.

        A missing exact timestamp answers 302 to the nearest capture; a captured redirect
        is a 3xx that carries a Memento-Datetime. Both are followed inside the archive,
        up to `max_redirects` hops.
        """
        target = f"{self.base_url}/web/{timestamp}id_/{url}"
        seen = {target}
        for _ in range(self.max_redirects + 1):
            response = self._get(target, None, kind="capture", stream=True)
            try:
                if response.status_code in (301, 302, 303, 307, 308):
                    target = self._next_hop(response, target, seen)
                    continue
                if response.status_code == 404:
                    raise NotArchived(f"{url} at {timestamp} is not in the archive")
                if response.status_code != 200:
                    raise CaptureError(f"capture {timestamp} of {url}: HTTP {response.status_code}")
                if "Memento-Datetime" not in response.headers:
                    raise CaptureError(
                        f"capture {timestamp} of {url}: answer has no Memento-Datetime, "
                        "so it is not an archived capture"
                    )
                body = self._read_capped(response, url)
                served_ts, original = _parse_capture_url(response.url) or (timestamp, url)
                return Memento(
                    timestamp=_memento_timestamp(response.headers["Memento-Datetime"]) or served_ts,
                    original=original,
                    status_code=response.status_code,
                    headers=dict(response.headers),
                    body=body,
                )
            finally:
                response.close()
        raise CaptureError(f"capture {timestamp} of {url}: more than {self.max_redirects} redirects")

    def _next_hop(self, response: requests.Response, current: str, seen: set[str]) -> str:
        location = response.headers.get("Location")
        if not location:
            raise CaptureError(f"redirect without Location from {current}")
        target = urljoin(current, location)
        if not target.startswith(self.base_url + "/web/"):
            raise CaptureError(f"redirect leaves the archive: {location}")
        if target in seen:
            raise CaptureError(f"redirect loop at {target}")
        seen.add(target)
        return target

    def _read_capped(self, response: requests.Response, url: str) -> bytes:
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_body_bytes:
                    raise BodyTooLarge(
                        f"capture of {url} is over {self.max_body_bytes} bytes (decompressed)"
                    )
                chunks.append(chunk)
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError,
                requests.exceptions.ConnectionError) as exc:
            raise CaptureError(f"capture of {url}: truncated or corrupt body ({exc})") from None
        return b"".join(chunks)

    # -- one request, paced and retried ------------------------------------------------

    def _get(self, url: str, params: dict | None, *, kind: str, stream: bool = False):
        interval = self.cdx_interval if kind == "cdx" else self.capture_interval
        pause = self.rate_limit_pause
        for attempt in range(self.retries + 1):
            self.pacer.wait(kind, interval)
            self.request_count += 1
            try:
                response = self.session.get(
                    url, params=params, timeout=self.timeout, stream=stream, allow_redirects=False
                )
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                if attempt == self.retries:
                    raise ArchiveUnreachable(f"archive at {self.base_url} unreachable: {exc}") from None
                self._sleep_before_retry(attempt, f"{type(exc).__name__}")
                continue
            if response.status_code == 429:
                response.close()
                if attempt == self.retries:
                    raise RateLimited(f"archive kept answering 429 for {url}")
                log.warning("archive answered 429: pausing every request for %.0fs", pause)
                self.pacer.pause(pause)
                pause *= 2
                continue
            if response.status_code >= 500 and attempt < self.retries:
                response.close()
                self._sleep_before_retry(attempt, f"HTTP {response.status_code}")
                continue
            return response
        raise AssertionError("unreachable")

    def _sleep_before_retry(self, attempt: int, why: str) -> None:
        delay = self.backoff * (2**attempt)
        log.info("retrying after %s in %.1fs", why, delay)
        time.sleep(delay)


def _parse_cdx_json(text: str, url: str) -> tuple[list[CdxRecord], str | None]:
    """Rows of one CDX JSON page, and the resume key if the page says there is more."""
    if not text.strip():
        return [], None
    try:
        rows = json.loads(text)
    except json.JSONDecodeError:
        raise WaybackError(f"CDX answer for {url} is not JSON") from None
    if not rows:
        return [], None
    header, body = rows[0], rows[1:]
    resume_key = None
    if len(body) >= 2 and body[-2] == [] and len(body[-1]) == 1:
        resume_key = body[-1][0]
        body = body[:-2]
    index = {name: header.index(name) for name in CDX_FIELDS if name in header}
    if "timestamp" not in index or "original" not in index:
        raise WaybackError(f"CDX answer for {url} lacks timestamp/original columns")
    records = []
    for row in body:
        if not isinstance(row, list) or len(row) != len(header):
            log.warning("skipping malformed CDX row for %s: %r", url, row)
            continue
        values = {name: str(row[i]) for name, i in index.items()}
        if not re.fullmatch(r"\d{14}", values["timestamp"]):
            log.warning("skipping CDX row with bad timestamp for %s: %r", url, row)
            continue
        records.append(CdxRecord(**{name: values.get(name, "-") for name in CDX_FIELDS}))
    return records, resume_key


def _parse_capture_url(url: str) -> tuple[str, str] | None:
    match = _CAPTURE_PATH.search(urlsplit(url)._replace(scheme="", netloc="").geturl())
    if not match:
        return None
    return match.group(1), match.group(2)


def _memento_timestamp(value: str) -> str | None:
    try:
        return parsedate_to_datetime(value).strftime("%Y%m%d%H%M%S")
    except (TypeError, ValueError):
        return None
