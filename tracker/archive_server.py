"""A local Wayback Machine: serves corpus folders over real HTTP on loopback.

Tests and `tracker demo` point TRACKER_WAYBACK_URL here instead of web.archive.org, so the
client is exercised over real sockets against the archive's protocol and quirks
(DESIGN.md, "Wayback facts that matter"):

- `GET /cdx/search/cdx`: the capture index, formatted like the real one (JSON or text,
  fl, from/to, filter, adjacent-only collapse, limit + showResumeKey paging);
- `GET /web/<timestamp>id_/<url>`: the raw capture with Memento-Datetime, a 302 to the
  nearest capture when the timestamp is not held, a 404 for a URL never archived;
- switchable faults (429/503, connection reset, truncated body, slow answer) for the
  client's politeness and error handling.

Corpus format (corpus README): <dir>/archive/<page_id>/cdx.json and <timestamp>.html bodies.
Only the cdx.json files are read at start; bodies are read when they are requested.
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import struct
import sys
import threading
import time
from calendar import timegm
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote_plus, unquote_plus

from tracker.surt import surt
from tracker.wayback import CDX_FIELDS, CdxRecord

FAULT_KINDS = ("status", "reset", "truncate", "slow")


class CorpusError(Exception):
    """A corpus folder or cdx.json is unusable: raised when the server is built, not later."""


class _BadRequest(Exception):
    """A CDX query the archive would refuse; answered 400 with this message."""


# -- the corpus index ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Capture(CdxRecord):
    """A CDX row of the corpus and where its body lies."""

    body_path: Path


def _load_index(corpus_dirs) -> dict[str, list[_Capture]]:
    """Captures by urlkey (sorted, like the real index), each list in time order.

    Rows are keyed by their own urlkey, not by page folder: a page whose URL moved has
    rows under several urlkeys, and two folders may add captures to one urlkey.
    """
    index: dict[str, list[_Capture]] = {}
    for corpus_dir in corpus_dirs:
        archive = Path(corpus_dir) / "archive"
        if not archive.is_dir():
            raise CorpusError(f"{corpus_dir}: no archive/ folder (archive/<page_id>/cdx.json)")
        for cdx_path in sorted(archive.glob("*/cdx.json")):
            for capture in _read_cdx_json(cdx_path):
                index.setdefault(capture.urlkey, []).append(capture)
    for captures in index.values():
        captures.sort(key=lambda c: c.timestamp)
    return dict(sorted(index.items()))


def _read_cdx_json(path: Path) -> list[_Capture]:
    try:
        table = json.loads(path.read_text("utf-8"))
        if not table:
            return []
        header, rows = table[0], table[1:]
        captures = []
        for row in rows:
            values = dict(zip(header, row, strict=True))
            captures.append(_Capture(
                **{name: str(values[name]) for name in CDX_FIELDS},
                body_path=path.parent / f"{values['timestamp']}.html",
            ))
        return captures
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorpusError(f"{path}: not a CDX JSON table ({exc})") from exc


# -- answers ------------------------------------------------------------------------------


@dataclass
class _Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


def _text(status: int, message: str) -> _Response:
    headers = [("Content-Type", "text/plain; charset=utf-8")]
    return _Response(status, (message + "\n").encode(), headers)


def _not_archived() -> _Response:
    """The real archive's 404 is an HTML page without Memento-Datetime."""
    body = b"<html><body><p>Hrm. The Wayback Machine has not archived that URL.</p></body></html>\n"
    return _Response(404, body, [("Content-Type", "text/html; charset=utf-8")])


def _redirect(location: str) -> _Response:
    return _Response(302, b"", [("Location", location)])


def _seconds(timestamp: str) -> int:
    """Epoch seconds of a 1-14 digit timestamp, padded down (2006 -> 2006-01-01 00:00:00).

    Lenient like the archive: an impossible month is clamped, day/time overflow rolls over.
    """
    padded = timestamp + "00000101000000"[len(timestamp):]
    year, month, day, hour, minute, second = (
        int(padded[i:j]) for i, j in ((0, 4), (4, 6), (6, 8), (8, 10), (10, 12), (12, 14))
    )
    return timegm((max(year, 1), min(max(month, 1), 12), day, hour, minute, second))


# -- CDX ----------------------------------------------------------------------------------


@dataclass
class _CdxQuery:
    """One parsed `/cdx/search/cdx` query; errors raise _BadRequest (answered 400)."""

    urlkey: str
    match_type: str
    fields: list[str]
    from_ts: str
    to_ts: str
    filters: list[tuple[str, re.Pattern, bool]]  # field, regex, negated
    collapse: tuple[str, int | None] | None  # field, compared prefix length
    limit: int | None
    show_resume_key: bool
    resume_at: tuple[str, str] | None  # (urlkey, timestamp): rows from this position on
    as_json: bool

    @classmethod
    def parse(cls, params: dict[str, list[str]]) -> _CdxQuery:
        def one(name: str, default: str = "") -> str:
            return params.get(name, [default])[0]

        url, match_type = one("url"), one("matchType", "exact")
        if not url:
            raise _BadRequest("missing url parameter")
        if url.endswith("*"):
            url, match_type = url[:-1], "prefix"
        if url.startswith("*."):
            url, match_type = url[2:], "domain"
        if match_type not in ("exact", "prefix", "host", "domain"):
            raise _BadRequest(f"unsupported matchType {match_type!r}")
        fields = [f for f in one("fl").split(",") if f] or list(CDX_FIELDS)
        if unknown := [f for f in fields if f not in CDX_FIELDS]:
            raise _BadRequest(f"unknown fl field(s): {','.join(unknown)}")
        return cls(
            urlkey=surt(url),
            match_type=match_type,
            fields=fields,
            from_ts=_timestamp_bound(one("from"), "0"),
            to_ts=_timestamp_bound(one("to"), "9"),
            filters=[_parse_filter(f) for f in params.get("filter", [])],
            collapse=_parse_collapse(one("collapse")),
            limit=_parse_limit(one("limit")),
            show_resume_key=one("showResumeKey").lower() == "true",
            resume_at=_parse_resume_key(one("resumeKey")),
            as_json=one("output") == "json",
        )

    def answer(self, index: dict[str, list[_Capture]]) -> _Response:
        rows = [c for key, captures in index.items() if self._key_matches(key)
                for c in captures if self._kept(c)]
        rows = self._collapsed(rows)
        if self.resume_at:
            rows = [r for r in rows if _position(r) >= self.resume_at]
        resume_key = None
        if self.limit is not None and len(rows) > self.limit:
            end = self.limit
            while end < len(rows) and _position(rows[end]) == _position(rows[end - 1]):
                end += 1  # a key cannot point inside a run of one urlkey+timestamp
            if end < len(rows):
                rows = rows[:end]
                resume_key = _resume_key(rows[-1]) if self.show_resume_key else None
        return self._render([[getattr(r, f) for f in self.fields] for r in rows], resume_key)

    def _key_matches(self, urlkey: str) -> bool:
        host = self.urlkey.split(")", 1)[0]
        return {
            "exact": urlkey == self.urlkey,
            "prefix": urlkey.startswith(self.urlkey),
            "host": urlkey.startswith(host + ")"),
            "domain": urlkey.startswith(host + ")") or urlkey.startswith(host + ","),
        }[self.match_type]

    def _kept(self, capture: _Capture) -> bool:
        if not self.from_ts <= capture.timestamp <= self.to_ts:
            return False
        return all(bool(regex.fullmatch(getattr(capture, name))) != negated
                   for name, regex, negated in self.filters)

    def _collapsed(self, rows: list[_Capture]) -> list[_Capture]:
        """Drop a row equal to the previous kept row on the collapse field: adjacent only,
        as the real archive does, so A A B A keeps A B A."""
        if not self.collapse:
            return rows
        name, width = self.collapse
        kept: list[_Capture] = []
        for row in rows:
            if not kept or getattr(row, name)[:width] != getattr(kept[-1], name)[:width]:
                kept.append(row)
        return kept

    def _render(self, table: list[list[str]], resume_key: str | None) -> _Response:
        """Byte-for-byte the real layout: one row per line, header without spaces, `[]`
        (JSON) or an empty body (text) when nothing matched."""
        if self.as_json:
            body = "[]\n"
            if table:
                lines = [json.dumps(self.fields, separators=(",", ":"))]
                lines += [json.dumps(row) for row in table]
                if resume_key:
                    lines += ["[]", json.dumps([resume_key])]
                body = "[" + ",\n".join(lines) + "]\n"
            return _Response(200, body.encode(), [("Content-Type", "application/json")])
        body = "".join(" ".join(row) + "\n" for row in table)
        if resume_key:
            body += "\n" + resume_key + "\n"
        return _Response(200, body.encode(), [("Content-Type", "text/plain")])


def _timestamp_bound(value: str, pad: str) -> str:
    if not value:
        return pad * 14
    if not re.fullmatch(r"\d{1,14}", value):
        raise _BadRequest(f"bad from/to timestamp {value!r} (1-14 digits)")
    return value.ljust(14, pad)


def _parse_filter(value: str) -> tuple[str, re.Pattern, bool]:
    match = re.fullmatch(r"(!?)(\w+):(.*)", value, re.DOTALL)
    if not match or match.group(2) not in CDX_FIELDS:
        raise _BadRequest(f"bad filter {value!r} (expected [!]field:regex)")
    try:
        return match.group(2), re.compile(match.group(3)), match.group(1) == "!"
    except re.error as exc:
        raise _BadRequest(f"bad filter regex {match.group(3)!r}: {exc}") from None


def _parse_collapse(value: str) -> tuple[str, int | None] | None:
    """`collapse=digest`, or `collapse=timestamp:8` to compare the first 8 characters."""
    if not value:
        return None
    name, _, width = value.partition(":")
    if name not in CDX_FIELDS or (width and not width.isdigit()):
        raise _BadRequest(f"bad collapse {value!r} (expected field or field:N)")
    return name, int(width) if width else None


def _parse_limit(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or int(value) == 0:
        raise _BadRequest(f"unsupported limit {value!r} (a positive integer)")
    return int(value)


def _position(capture: _Capture) -> tuple[str, str]:
    """Where a row sits in the index order; resume keys point between positions."""
    return capture.urlkey, capture.timestamp


def _resume_key(last: _Capture) -> str:
    """Like the real key: url-quoted "urlkey timestamp" where the timestamp's last character
    is incremented, i.e. the first position after `last` (the archive sends e.g.
    `com%2Ccnn%29%2F+2001041400593%3A` after 20010414005939)."""
    after = last.timestamp[:-1] + chr(ord(last.timestamp[-1]) + 1)
    return quote_plus(f"{last.urlkey} {after}")


def _parse_resume_key(value: str) -> tuple[str, str] | None:
    if not value:
        return None
    urlkey, space, position = unquote_plus(value).rpartition(" ")
    if not (urlkey and space and position):
        raise _BadRequest(f"bad resumeKey {value!r}")
    return urlkey, position


# -- captures -----------------------------------------------------------------------------

_WEB_PATH = re.compile(r"^/web/(\d{1,14})([a-z]{2}_)?/(.+)$", re.DOTALL)
_COLLAPSED_SLASHES = re.compile(r"^([a-z][a-z0-9+.-]*):/+", re.IGNORECASE)


def _replay(index: dict[str, list[_Capture]], target: str, base: str, gzip_ok: bool) -> _Response:
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


def _memento(capture: _Capture, base: str, gzip_ok: bool) -> _Response:
    try:
        body = capture.body_path.read_bytes()
    except OSError:
        return _text(500, f"corpus body missing for {capture.timestamp} {capture.original}")
    when = formatdate(_seconds(capture.timestamp), usegmt=True)
    headers = [
        ("Content-Type", capture.mimetype),
        ("Memento-Datetime", when),
        ("Link", f'<{capture.original}>; rel="original", <{base}/web/{capture.timestamp}/'
                 f'{capture.original}>; rel="memento"; datetime="{when}"'),
    ]
    if gzip_ok:
        body = gzip.compress(body, compresslevel=6, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    return _Response(200, body, headers)


# -- faults and the request log -----------------------------------------------------------


@dataclass
class Fault:
    """Misbehave on the next `times` requests whose path starts with `path_prefix`."""

    kind: str  # one of FAULT_KINDS
    times: int = 1
    path_prefix: str = ""
    status: int | None = None  # kind "status": answer this instead (no Retry-After, as real)
    delay: float = 0.0  # kind "slow": wait this long, then answer normally


class Faults:
    """Switchable faults: a plain list of rules; each request consumes one use of the first
    rule whose prefix matches its path."""

    def __init__(self) -> None:
        self._rules: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, *, status: int | None = None, kind: str | None = None, times: int = 1,
            path_prefix: str = "", delay: float = 0.0) -> Fault:
        """`add(status=429, times=3, path_prefix="/cdx")`, `add(kind="reset")`,
        `add(kind="truncate", path_prefix="/web")`, `add(kind="slow", delay=2.0)`."""
        kind = kind or ("status" if status is not None else None)
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {FAULT_KINDS}, not {kind!r}")
        if (kind == "status") != (status is not None):
            raise ValueError("status= goes with kind='status' (the default when status is given)")
        if times < 1 or (kind == "slow" and delay <= 0):
            raise ValueError("a fault needs times >= 1, and a slow one a delay > 0")
        rule = Fault(kind, times, path_prefix, status, delay)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, path: str) -> Fault | None:
        """Consume one use of the first rule matching `path`; the server calls this per request."""
        with self._lock:
            for rule in self._rules:
                if path.startswith(rule.path_prefix):
                    rule.times -= 1
                    if rule.times == 0:
                        self._rules.remove(rule)
                    return rule
        return None


@dataclass(frozen=True)
class RequestRecord:
    """One request as served: tests count CDX and capture calls and check faults with it."""

    method: str
    path: str  # without the query string
    query: str  # raw query string ("" if none); for /web/ it belongs to the archived URL
    status: int | None  # None when the connection was reset without an answer
    fault: str | None  # kind of the fault injected into this request, if any
    client_port: int  # the same port on several requests means one keep-alive connection

    @property
    def params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True)


# -- HTTP ---------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    """One client connection, kept alive across requests (HTTP/1.1 + exact Content-Length)."""

    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without NODELAY, Nagle plus the client's
        # delayed ACK would add ~40 ms to every answer on loopback.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.archive._track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.archive._track(self.connection, open_=False)
        super().finish()

    def do_GET(self) -> None:
        archive = self.server.archive
        path, _, query = self.path.partition("?")
        fault = archive.faults.take(path)
        kind = fault.kind if fault else None

        def record(status: int | None) -> None:
            port = self.client_address[1]
            archive._record(RequestRecord(self.command, path, query, status, kind, port))

        if kind == "reset":
            record(None)
            self._reset()
            return
        if kind == "slow":
            time.sleep(fault.delay)
        if kind == "status":
            response = _text(fault.status, f"{fault.status} (injected fault)")
        else:
            response = archive._respond(self.path, self.headers)
        record(response.status)
        self._send(response, truncate=kind == "truncate")

    def _send(self, response: _Response, *, truncate: bool) -> None:
        """Send with an exact Content-Length; `truncate` sends only half the body, then closes."""
        body = response.body
        try:
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if truncate:
                body = body[: len(body) // 2]
                self.close_connection = True
            self.wfile.write(body)
        except ConnectionError:  # the client gave up (e.g. its timeout during a slow fault)
            self.close_connection = True

    def _reset(self) -> None:
        """Drop the connection with a TCP RST and no answer, as a firewall would."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def log_message(self, format: str, *args) -> None:
        """Silenced: ArchiveServer.requests is the access log."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for idle keep-alive connections

    def __init__(self, address: tuple[str, int], archive: ArchiveServer) -> None:
        self.archive = archive
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:
        """Client hang-ups are routine here (timeouts, fault tests); other errors are bugs."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ArchiveServer:
    """The Wayback Machine protocol over one or more corpus folders, on a real socket.

    `with ArchiveServer(corpus) as archive:` starts it; point the client at `archive.url`.
    Port 0 picks a free port. `requests` logs every request served and `faults`
    makes the next ones misbehave.
    """

    def __init__(self, *corpus_dirs: str | Path, host: str = "127.0.0.1", port: int = 0) -> None:
        if not corpus_dirs:
            raise CorpusError("no corpus folder given")
        self._index = _load_index(corpus_dirs)
        self._address = (host, port)
        self.requests: list[RequestRecord] = []
        self.faults = Faults()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. "http://127.0.0.1:54321"; known once the socket is bound."""
        if self._url is None:
            raise RuntimeError("ArchiveServer.url is known only after start()")
        return self._url

    def start(self) -> ArchiveServer:
        """Serve in a daemon thread (tests, `tracker demo`)."""
        self._bind()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"archive-server {self.url}", daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the foreground until interrupted (`tracker serve-archive`)."""
        self._bind()
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._close()

    def stop(self) -> None:
        """Stop serving and drop open keep-alive connections so no client waits on them."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        if self._thread is not None:  # started by start(); serve_forever() closes by itself
            self._thread.join()
            self._thread = None
            self._close()

    def __enter__(self) -> ArchiveServer:
        return self if self._httpd else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _bind(self) -> None:
        if self._httpd is not None:
            raise RuntimeError(f"ArchiveServer already serving at {self.url}")
        self._httpd = _HTTPServer(self._address, self)
        host, port = self._httpd.server_address[:2]
        self._url = f"http://{host}:{port}"

    def _close(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its client
        self._httpd.server_close()
        self._httpd = None

    def _respond(self, target: str, headers) -> _Response:
        """Answer one request from the corpus (faults are applied by the handler)."""
        path, _, query = target.partition("?")
        if path == "/cdx/search/cdx":
            try:
                return _CdxQuery.parse(parse_qs(query, keep_blank_values=True)).answer(self._index)
            except _BadRequest as exc:
                return _text(400, str(exc))
        if path.startswith("/web/"):
            # Redirects stay on the host the client used, as the real archive's do.
            base = f"http://{headers['Host']}" if headers.get("Host") else self.url
            accepted = headers.get("Accept-Encoding", "").split(",")
            gzip_ok = "gzip" in [coding.split(";")[0].strip().lower() for coding in accepted]
            return _replay(self._index, target, base, gzip_ok)
        return _not_archived()

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)

    def _track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._lock:
            (self._connections.add if open_ else self._connections.discard)(connection)
