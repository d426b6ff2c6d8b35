"""Real `tracker worker` processes on a database of their own on the test PostgreSQL server,
for the distributed mode's tests: start them, wait for the queue to drain, kill or stop them."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa


@contextlib.contextmanager
def queue_database(admin: sa.Engine):
    """The URL of a new, empty PostgreSQL database (dropped afterwards, connections and all)."""
    name = f"t_queue_{uuid.uuid4().hex}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def tracker_env(url: str, workdir: Path, wayback_url: str = "http://127.0.0.1:9", **settings: str) -> dict[str, str]:
    """The environment of a `tracker` process on that database, with no config file."""
    return {**os.environ, "TRACKER_CONFIG": os.devnull, "TRACKER_DATABASE_URL": url,
            "TRACKER_WAYBACK_URL": wayback_url, "TRACKER_SNAPSHOTS_DIR": str(workdir / "snapshots"),
            "TRACKER_STALLED_AFTER": "4", **{f"TRACKER_{k.upper()}": v for k, v in settings.items()}}


def tracker(env: dict[str, str], *args: str) -> str:
    """Run `tracker ARGS` as a subprocess; its output (it must succeed)."""
    done = subprocess.run([sys.executable, "-m", "tracker.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


class Workers:
    """`tracker worker` processes, each logging to a file of its own."""

    def __init__(self, env: dict[str, str], workdir: Path, count: int, *args: str) -> None:
        self.env, self.logs, self.processes = env, [], []
        for index in range(count):
            self.logs.append(workdir / f"worker-{index}.log")
            with open(self.logs[-1], "w") as out:
                self.processes.append(subprocess.Popen(
                    [sys.executable, "-m", "tracker.cli", "worker", *args], env=env, stdout=out,
                    stderr=subprocess.STDOUT))

    def output(self, index: int | None = None) -> str:
        chosen = self.logs if index is None else [self.logs[index]]
        return "\n".join(f"--- {log.name}\n{log.read_text()}" for log in chosen)

    def alive(self) -> list[int]:
        return [i for i, p in enumerate(self.processes) if p.poll() is None]

    def kill(self, index: int) -> None:
        self.processes[index].send_signal(signal.SIGKILL)
        self.processes[index].wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM to every live worker: each must finish and exit 0."""
        live = self.alive()
        for index in live:
            self.processes[index].send_signal(signal.SIGTERM)
        for index in live:
            assert self.processes[index].wait(timeout=120) == 0, self.output(index)

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def wait_for(condition, workers: Workers, what: str, limit: float = 240.0) -> None:
    """Poll until `condition()` holds; the limit only turns a hang into a readable failure."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}:\n{workers.output()}")
        time.sleep(0.1)


def scalar(url: str, query: str, **params):
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(query), params).scalar()
    finally:
        engine.dispose()


def jobs_left(url: str) -> int:
    """Jobs waiting or running (the queue's tables exist once a producer ran)."""
    return scalar(url, "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")


def workers_registered(url: str) -> int:
    """Workers started (0 until the first made the queue's tables)."""
    if not scalar(url, "SELECT to_regclass('procrastinate_workers') IS NOT NULL"):
        return 0
    return scalar(url, "SELECT count(*) FROM procrastinate_workers")


class Proxy:
    """A TCP relay on loopback between the workers and the database server, which `cut()`
    takes away (connections reset, new ones refused) and `restore()` brings back on the same
    port: the database going away, as a network outage or a restarted server does."""

    def __init__(self, url: str) -> None:
        parsed = sa.engine.make_url(url)
        self.target = (parsed.host, parsed.port)
        self.port = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = self._listen(0)
        self.url = parsed.set(port=self.port).render_as_string(hide_password=False)

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen()
        self.port = listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return listener

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self._lock:
                if listener.fileno() == -1:  # cut while this one was being accepted: it goes too
                    for end in (client, server):
                        end.close()
                    return
                self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self._lock:  # under the lock: a connection accepted just before is cut too (_accept)
            # shutdown first: a close alone leaves the port listening while _accept's thread
            # blocks in accept(), and the first connection after the cut would get through it.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            for end in self._sockets:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
            self._sockets.clear()

    def restore(self) -> None:
        self._listener = self._listen(self.port)
