"""A local Wayback Machine: serves corpus folders over real HTTP on loopback.

Tests and `tracker demo` point TRACKER_WAYBACK_URL here instead of web.archive.org, so the
client is exercised over real sockets against the archive's protocol and quirks
(docs/wayback.md):

- `GET /cdx/search/cdx`: the capture index, formatted like the real one (index.py);
- `GET /web/<timestamp>id_/<url>`: the raw capture with Memento-Datetime, a 302 to the
  nearest capture when the timestamp is not held, a 404 for a URL never archived;
- `POST /save`, `GET /save/status/<job_id>`: Save Page Now 2 (saves.py), whose saves are
  captures the CDX lists afterwards;
- `visible_until`: the archive as it was at a moment (captures after it are not there yet);
- `add_capture(...)`: synthetic captures on top of the corpus, for what the corpus format
  cannot hold: captured redirects, the archive's own notice pages, PDFs, revisit rows;
- `faults`: switchable misbehaviour (faults.py), and `requests`, the access log.
"""

from __future__ import annotations

import gzip
import re
from calendar import timegm
from email.utils import formatdate
from pathlib import Path
from urllib.parse import parse_qs

from tracker.archive._http import LoopbackServer, text_response
from tracker.archive.index import (
    BadRequest,
    CdxQuery,
    CorpusError,
    IndexedCapture,
    Response,
    load_index,
    sorted_index,
    visible,
    wayback_digest,
)
from tracker.archive.saves import SaveJobs
from tracker.wayback import CDX_FIELDS, CdxRecord, surt

# The real archive's notice when a site asked to be excluded: a 200 without Memento-Datetime.
EXCLUSION_NOTICE = (b"<html><head><title>Wayback Machine</title></head><body><h2>Sorry.</h2>"
                    b"<p>This URL has been excluded from the Wayback Machine.</p></body></html>\n")

BLOCKED_SITE = "org.archive.wayback.exception.AdministrativeAccessControlException: Blocked Site Error"


# -- answers ------------------------------------------------------------------------------


def _not_archived() -> Response:
    """The real archive's 404 is an HTML page without Memento-Datetime."""
    body = b"<html><body><p>Hrm. The Wayback Machine has not archived that URL.</p></body></html>\n"
    return Response(404, body, [("Content-Type", "text/html; charset=utf-8")])


def _redirect(location: str) -> Response:
    return Response(302, b"", [("Location", location)])


def _seconds(timestamp: str) -> int:
    """Epoch seconds of a 1-14 digit timestamp, padded down (2006 -> 2006-01-01 00:00:00).

    Lenient like the archive: an impossible month is clamped, day/time overflow rolls over.
    """
    padded = timestamp + "00000101000000"[len(timestamp):]
    year, month, day, hour, minute, second = (
        int(padded[i:j]) for i, j in ((0, 4), (4, 6), (6, 8), (8, 10), (10, 12), (12, 14))
    )
    return timegm((max(year, 1), min(max(month, 1), 12), day, hour, minute, second))


# -- captures -----------------------------------------------------------------------------

_WEB_PATH = re.compile(r"^/web/(\d{1,14})([a-z]{2}_)?/(.+)$", re.DOTALL)
_COLLAPSED_SLASHES = re.compile(r"^([a-z][a-z0-9+.-]*):/+", re.IGNORECASE)


def _replay(index: dict[str, list[IndexedCapture]], target: str, base: str, gzip_ok: bool) -> Response:
    """Answer `/web/<ts>[id_]/<url>`; `target` is the raw request path with its query, which
    belongs to the archived URL."""
    match = _WEB_PATH.match(target)
    if not match:
        return _not_archived()
    timestamp, modifier, url = match.groups()
    url = _COLLAPSED_SLASHES.sub(r"\1://", url)  # some clients squash "https://" to "https:/"
    if modifier != "id_":
        return _redirect(f"{base}/web/{timestamp}id_/{url}")
    captures = index.get(surt(url))
    if not captures:
        return _not_archived()
    wanted = _seconds(timestamp)
    nearest = min(captures, key=lambda c: (abs(_seconds(c.timestamp) - wanted), c.timestamp))
    if nearest.timestamp != timestamp:
        return _redirect(f"{base}/web/{nearest.timestamp}id_/{nearest.original}")
    return _memento(nearest, base, gzip_ok)


def _memento(capture: IndexedCapture, base: str, gzip_ok: bool) -> Response:
    if capture.notice:
        return Response(200, EXCLUSION_NOTICE, [("Content-Type", "text/html; charset=utf-8")])
    try:
        body = capture.read_body()
    except OSError:
        return text_response(500, f"corpus body missing for {capture.timestamp} {capture.original}")
    when = formatdate(_seconds(capture.timestamp), usegmt=True)
    headers = [
        ("Content-Type", capture.mimetype),
        ("Memento-Datetime", when),
        ("Link", f'<{capture.original}>; rel="original", <{base}/web/{capture.timestamp}/'
                 f'{capture.original}>; rel="memento"; datetime="{when}"'),
    ]
    if capture.location is not None:
        headers.append(("Location", capture.location))
    if gzip_ok and body:
        body = gzip.compress(body, compresslevel=6, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    return Response(capture.status, body, headers)


class ArchiveServer(LoopbackServer):
    """The Wayback Machine protocol over one or more corpus folders, on a real socket.

    `with ArchiveServer(corpus) as archive:` starts it; point the client at `archive.url`.
    Port 0 picks a free port. `requests` logs every request served and `faults`
    makes the next ones misbehave. `visible_until` (a 14-digit timestamp, None = all)
    hides later captures from CDX and replay, as if they had not been made yet; it may be
    moved while the server runs, like a clock. `saves` is its Save Page Now (its `keys`,
    `pending_polls`, `clock` and `submitted`).
    """

    def __init__(self, *corpus_dirs: str | Path, host: str = "127.0.0.1", port: int = 0,
                 visible_until: str | None = None) -> None:
        if not corpus_dirs:
            raise CorpusError("no corpus folder given")
        super().__init__(host, port)
        self._index = load_index(corpus_dirs)
        self.visible_until = visible_until
        self.excluded: set[str] = set()  # urlkeys of sites excluded from the archive (exclude())
        self.saves = SaveJobs(self.add_capture, self._holds)

    @property
    def visible_until(self) -> str | None:
        return self._visible_until

    @visible_until.setter
    def visible_until(self, timestamp: str | None) -> None:
        if timestamp is not None and not re.fullmatch(r"\d{14}", timestamp):
            raise ValueError(f"visible_until must be a 14-digit timestamp or None, not {timestamp!r}")
        self._visible_until = timestamp

    def add_capture(self, url: str, timestamp: str, body: bytes = b"", *, status: int = 200,
                    mimetype: str = "text/html", location: str | None = None,
                    notice: bool = False, statuscode: str | None = None,
                    digest: str | None = None, length: str | None = None) -> CdxRecord:
        """Add a synthetic capture of `url` at `timestamp` on top of the corpus.

        `status`/`location` make a captured redirect (Location sent exactly as given:
        absolute, `/web/...` or `//host/...`); `notice=True` makes replay answer the
        archive's 200 exclusion notice without Memento-Datetime; the CDX fields default to
        what the real index would list and may be overridden (a revisit row: statuscode
        "-", mimetype "warc/revisit", length "-"). Returns the CDX row.
        """
        if not re.fullmatch(r"\d{14}", timestamp):
            raise ValueError(f"timestamp must have 14 digits, not {timestamp!r}")
        capture = IndexedCapture(
            urlkey=surt(url), timestamp=timestamp, original=url, mimetype=mimetype,
            statuscode=str(status) if statuscode is None else statuscode,
            digest=digest or wayback_digest(body),
            length=str(len(body)) if length is None else length,
            body=body, status=status, location=location, notice=notice,
        )
        with self._lock:
            index = {key: list(captures) for key, captures in self._index.items()}
            index.setdefault(capture.urlkey, []).append(capture)
            self._index = sorted_index(index)
        return CdxRecord(**{name: getattr(capture, name) for name in CDX_FIELDS})

    def exclude(self, url: str) -> None:
        """Exclude a site's page, as at an owner's request: its CDX query answers 403
        "Blocked Site Error" and its captures replay as the 200 exclusion notice."""
        self.excluded.add(surt(url))

    def _holds(self, url: str, timestamp: str) -> bool:
        return any(c.timestamp == timestamp for c in self._index.get(surt(url), ()))

    def _respond(self, target: str, headers, form: bytes | None = None) -> Response:
        """Answer one request from the corpus (faults are applied by the handler)."""
        path, _, query = target.partition("?")
        if path == "/save" or path.startswith("/save/"):
            return self.saves.respond("GET" if form is None else "POST", path, headers, form)
        index = visible(self._index, self._visible_until)
        if path == "/cdx/search/cdx":
            try:
                cdx_query = CdxQuery.parse(parse_qs(query, keep_blank_values=True))
            except BadRequest as exc:
                return text_response(400, str(exc))
            if cdx_query.urlkey in self.excluded:
                return text_response(403, BLOCKED_SITE)
            return cdx_query.answer(index)
        match = _WEB_PATH.match(target)
        if match and surt(_COLLAPSED_SLASHES.sub(r"\1://", match.group(3))) in self.excluded:
            return Response(200, EXCLUSION_NOTICE, [("Content-Type", "text/html; charset=utf-8")])
        if path.startswith("/web/"):
            # Redirects stay on the host the client used, as the real archive's do.
            base = f"http://{headers['Host']}" if headers.get("Host") else self.url
            accepted = headers.get("Accept-Encoding", "").split(",")
            gzip_ok = "gzip" in [coding.split(";")[0].strip().lower() for coding in accepted]
            return _replay(index, target, base, gzip_ok)
        return _not_archived()
