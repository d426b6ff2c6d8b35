"""A small website on loopback whose pages change over time: the "live site" that live
checks (tracker.live) fetch in the tests, the demo and the benches, as the archive server
stands in for the Wayback Machine.

Each page is a history of bodies, each published at a 14-digit timestamp (a corpus page's
captures, in date order, or bodies a test publishes); `now` (movable like a clock; None:
the newest body) says which one a request gets. Like a careful web server it sends an
ETag and a Last-Modified and answers a conditional request whose validator still holds with
304 and no body (`validators = False`: a server that sends neither and always answers 200),
and gzips what it sends to a client that accepts it.
`/robots.txt` is `robots` (None: 404), `redirect()` makes a path answer 301/302, and the
archive's faults apply (`faults.add(status=403)`, 404, 5xx, `kind="slow"`, resets).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from calendar import timegm
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from tracker.archive._http import LoopbackServer, text_response
from tracker.archive.index import Response

_TIMESTAMP = re.compile(r"\d{14}")


@dataclass(frozen=True)
class Published:
    """A body a page served from `timestamp` on."""

    timestamp: str
    body: bytes
    content_type: str = "text/html"

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'

    @property
    def seconds(self) -> int:
        t = self.timestamp
        return timegm((int(t[:4]), int(t[4:6]), int(t[6:8]), int(t[8:10]), int(t[10:12]), int(t[12:14])))


class LiveSite(LoopbackServer):
    """Pages by path (`/privacy`), each a history of `Published` bodies."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, now: str | None = None) -> None:
        super().__init__(host, port)
        self.pages: dict[str, list[Published]] = {}
        self.redirects: dict[str, tuple[int, str]] = {}
        self.robots: str | None = None
        self.validators = True
        self.now = now

    @property
    def now(self) -> str | None:
        return self._now

    @now.setter
    def now(self, timestamp: str | None) -> None:
        if timestamp is not None and not _TIMESTAMP.fullmatch(timestamp):
            raise ValueError(f"now must be a 14-digit timestamp or None, not {timestamp!r}")
        self._now = timestamp

    def page_url(self, path: str) -> str:
        return self.url + path

    def publish(self, path: str, body: bytes, at: str | None = None, content_type: str = "text/html") -> None:
        """Serve `body` at `path` from `at` on (default: `now`, else this second, UTC)."""
        at = at or self.now or datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        if not _TIMESTAMP.fullmatch(at):
            raise ValueError(f"a body is published at a 14-digit timestamp, not {at!r}")
        with self._lock:
            history = [p for p in self.pages.get(path, []) if p.timestamp != at]
            self.pages[path] = sorted([*history, Published(at, body, content_type)], key=lambda p: p.timestamp)

    def add_corpus_page(self, corpus_dir: str | Path, page_id: str, path: str | None = None) -> str:
        """Serve a corpus page's captures at `path` (default `/<page_id>`), each from its
        capture's timestamp on; returns the path."""
        folder = Path(corpus_dir) / "archive" / page_id
        rows = json.loads((folder / "cdx.json").read_text("utf-8"))[1:]
        path = path or f"/{page_id}"
        for row in rows:
            self.publish(path, (folder / f"{row[1]}.html").read_bytes(), at=row[1])
        return path

    def redirect(self, path: str, to: str, status: int = 301) -> None:
        """Answer `path` with a redirect to `to` (a path on this site or a whole URL)."""
        self.redirects[path] = (status, to)

    def served(self, path: str) -> Published | None:
        """What `path` serves now: its last body published at or before `now`."""
        history = self.pages.get(path, [])
        shown = [p for p in history if self.now is None or p.timestamp <= self.now]
        return shown[-1] if shown else None

    def _respond(self, target: str, headers, form: bytes | None = None) -> Response:
        path = target.partition("?")[0]
        if path == "/robots.txt":
            if self.robots is None:
                return text_response(404, "no robots.txt")
            return Response(200, self.robots.encode(), [("Content-Type", "text/plain; charset=utf-8")])
        if path in self.redirects:
            status, to = self.redirects[path]
            return Response(status, b"", [("Location", to)])
        page = self.served(path)
        if page is None:
            return Response(404, b"<html><body><h1>404 Not Found</h1></body></html>",
                            [("Content-Type", "text/html")])
        validators = [("ETag", page.etag), ("Last-Modified", formatdate(page.seconds, usegmt=True))]
        if not self.validators:
            validators = []
        elif _not_modified(page, headers):
            return Response(304, b"", validators)
        if "gzip" in headers.get("Accept-Encoding", ""):
            return Response(200, gzip.compress(page.body, mtime=0),
                            [("Content-Type", page.content_type), ("Content-Encoding", "gzip"), *validators])
        return Response(200, page.body, [("Content-Type", page.content_type), *validators])


def _not_modified(page: Published, headers) -> bool:
    """RFC 9110: If-None-Match decides when it is sent; else If-Modified-Since."""
    tags = headers.get("If-None-Match")
    if tags is not None:
        return any(tag.strip().removeprefix("W/") in ("*", page.etag) for tag in tags.split(","))
    since = headers.get("If-Modified-Since")
    if since is None:
        return False
    try:
        return page.seconds <= parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError):
        return False
