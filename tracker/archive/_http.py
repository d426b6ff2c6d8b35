"""What the project's loopback servers share (the archive, the live site): real HTTP/1.1 with
keep-alive on a socket of their own, switchable faults, an access log, and a stop that drops
idle connections so no client waits on them. A server says what it answers in `_respond`."""

from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from tracker.archive.faults import Faults, corrupt_gzip, garble_cdx
from tracker.archive.index import Response

POST_LIMIT = 1_000_000  # a form posted to us (Save Page Now's `url=`) is short


def text_response(status: int, message: str) -> Response:
    headers = [("Content-Type", "text/plain; charset=utf-8")]
    return Response(status, (message + "\n").encode(), headers)


@dataclass(frozen=True)
class RequestRecord:
    """One request as served: tests count CDX and capture calls and check faults with it."""

    method: str
    path: str  # without the query string
    query: str  # raw query string ("" if none); for /web/ it belongs to the archived URL
    status: int | None  # None when the connection was reset without an answer
    fault: str | None  # kind of the fault injected into this request, if any
    client_port: int  # the same port on several requests means one keep-alive connection
    at: float = field(default_factory=time.monotonic)  # when it was answered (monotonic clock)

    @property
    def params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True)


class _Handler(BaseHTTPRequestHandler):
    """One client connection, kept alive across requests (HTTP/1.1 + exact Content-Length)."""

    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without NODELAY, Nagle plus the client's
        # delayed ACK would add ~40 ms to every answer on loopback.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.site._track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.site._track(self.connection, open_=False)
        super().finish()

    def do_GET(self) -> None:
        self._answer(None)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 <= length <= POST_LIMIT:
            self.close_connection = True
            self._send(text_response(413, "request body too large"), truncate=False)
            return
        self._answer(self.rfile.read(length))

    def _answer(self, form: bytes | None) -> None:
        site = self.server.site
        path, _, query = self.path.partition("?")
        fault = site.faults.take(path)
        kind = fault.kind if fault else None

        def record(status: int | None) -> None:
            port = self.client_address[1]
            site._record(RequestRecord(self.command, path, query, status, kind, port))

        if kind == "reset":
            record(None)
            self._reset()
            return
        if fault is not None and kind == "slow":
            time.sleep(fault.delay)
        if fault is not None and fault.status is not None and kind == "status":
            response = text_response(fault.status, f"{fault.status} (injected fault)")
        else:
            response = site._respond(self.path, self.headers, form)
        if kind == "badgzip":
            zipped = ("Content-Encoding", "gzip") in response.headers
            response.body = corrupt_gzip(response.body, zipped)
            if not zipped:
                response.headers.append(("Content-Encoding", "gzip"))
        if kind == "malformed" and path == "/cdx/search/cdx" and response.status == 200:
            as_json = response.headers[0][1] == "application/json"
            response.body = garble_cdx(response.body, as_json)
        record(response.status)
        self._send(response, truncate=kind == "truncate")

    def _send(self, response: Response, *, truncate: bool) -> None:
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
        """Silenced: the server's `requests` is the access log."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for idle keep-alive connections

    def __init__(self, address: tuple[str, int], site: LoopbackServer) -> None:
        self.site = site
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:
        """Client hang-ups are routine here (timeouts, fault tests); other errors are bugs."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LoopbackServer:
    """A server on a real socket: `with Server(...) as server:` starts it in a thread (port 0
    picks a free port); `requests` logs every request served and `faults` makes the next ones
    misbehave."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._address = (host, port)
        self.requests: list[RequestRecord] = []
        self.faults = Faults()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None

    def _respond(self, target: str, headers, form: bytes | None) -> Response:
        """The answer to one request (`form`: a POST's body, None for a GET); faults are
        applied around it."""
        raise NotImplementedError

    @property
    def url(self) -> str:
        """Base URL, e.g. "http://127.0.0.1:54321"; known once the socket is bound."""
        if self._url is None:
            raise RuntimeError(f"{type(self).__name__}.url is known only after start()")
        return self._url

    def start(self):
        """Serve in a daemon thread (tests, `tracker demo`)."""
        httpd = self._bind()
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__} {self.url}", daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the foreground until interrupted (`tracker serve-archive`)."""
        httpd = self._bind()
        try:
            httpd.serve_forever(poll_interval=0.2)
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

    def __enter__(self):
        return self if self._httpd else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _bind(self) -> _HTTPServer:
        if self._httpd is not None:
            raise RuntimeError(f"{type(self).__name__} already serving at {self.url}")
        httpd = self._httpd = _HTTPServer(self._address, self)
        host, port = httpd.server_address[:2]
        self._url = f"http://{host!s}:{port}"
        return httpd

    def _close(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its client
        if self._httpd is not None:
            self._httpd.server_close()
        self._httpd = None

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)

    def _track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._lock:
            (self._connections.add if open_ else self._connections.discard)(connection)
