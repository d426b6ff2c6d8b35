"""Running the web application: `serve` in the foreground for `tracker serve`, `WebServer`
in a background thread on loopback for the tests, the benchmark and the screenshots.

The socket is bound here, before uvicorn starts, so a port in use is one clear error
(`PortInUse`) rather than uvicorn's log and exit."""

from __future__ import annotations

import errno
import signal
import socket
import threading
import time

import uvicorn
from fastapi import FastAPI

from tracker.web.exceptions import PortInUse


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio turns Nagle off only on sockets that say TCP, and with
    # it on every keep-alive response waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = "the port is already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise PortInUse(f"cannot serve on {host}:{port}: {reason}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _server(app: FastAPI, sock: socket.socket, log_level: str) -> uvicorn.Server:
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False,
                            server_header=False, lifespan="off")
    return uvicorn.Server(config)


def serve(app: FastAPI, sock: socket.socket) -> None:
    """Serve on a bound socket until Ctrl-C or SIGTERM, which end it cleanly (exit 0)."""
    # uvicorn shuts down gracefully on either signal, then raises it again under the handler
    # it found; this handler makes that the normal end of the command.
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda *_: None) for s in stops}
    try:
        _server(app, sock, "warning").run(sockets=[sock])
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class WebServer:
    """The application on a free loopback port in a background thread: `url` once entered."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        self._sock = bind(host, port)
        self._server = _server(app, self._sock, "error")
        self.url = f"http://{host}:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def __enter__(self) -> WebServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self._server.started:
            raise RuntimeError("the web server did not start")
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()
