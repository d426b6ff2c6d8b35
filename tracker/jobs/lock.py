"""One process per database: a file lock beside SQLite, an advisory lock on PostgreSQL.

The daemon, `tracker backfill` and `digest --send` take it, so two processes never check or
mail the same store at once."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import TextIO

from sqlalchemy import Connection, func, select, text
from sqlalchemy.engine import make_url

from tracker.config import ConfigError
from tracker.jobs.exceptions import AlreadyRunning
from tracker.store.db import make_engine

# pg_try_advisory_lock key: "tracker" in ASCII, one key per database; a just-killed process's
# lock may linger this many seconds.
ADVISORY_KEY = 0x747261636B6572
ADVISORY_GRACE = 3.0


class InstanceLock:
    """Held for the daemon's lifetime: a file lock beside a SQLite database, a session-level
    advisory lock on PostgreSQL. The operating system or the server drops either when the
    process dies, even by SIGKILL, so a crash never leaves a stale lock behind."""

    def __init__(self, database_url: str, grace: float = ADVISORY_GRACE, holder: str = "tracker daemon") -> None:
        self.url = make_url(database_url)
        self.grace = grace
        self.holder = holder  # what this process is, as another one is told
        self._file: TextIO | None = None
        self._connection: Connection | None = None

    def acquire(self) -> InstanceLock:
        backend = self.url.get_backend_name()
        if backend == "sqlite":
            self._lock_file()
        elif backend == "postgresql":
            self._lock_advisory()
        else:
            raise ConfigError(f"the daemon supports SQLite and PostgreSQL, not {backend}")
        return self

    def _lock_file(self) -> None:
        database = self.url.database
        if not database or database == ":memory:":
            return  # a private in-memory database: no other process can reach it
        path = Path(database + ".lock")
        file = open(path, "a+")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder, _, pid = file.read().strip().partition("\n")
            file.close()
            raise AlreadyRunning(f"a {holder or 'tracker process'} is already running on this database "
                                 f"({pid or 'pid unknown'}; lock {path})") from None
        file.truncate(0)
        file.write(f"{self.holder}\npid {os.getpid()}\n")
        file.flush()
        self._file = file

    def _lock_advisory(self) -> None:
        """Tried for `grace` seconds: a process killed a moment ago holds the lock until
        PostgreSQL notices its connection is gone."""
        url = self.url.update_query_dict({"application_name": self.holder[:63]})
        engine = make_engine(url.render_as_string(hide_password=False))
        connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        deadline = time.monotonic() + self.grace
        while not connection.scalar(select(func.pg_try_advisory_lock(ADVISORY_KEY))):
            if time.monotonic() >= deadline:
                holder = connection.scalar(text(
                    "SELECT a.application_name || ' is already running on this database (server pid ' "
                    "|| a.pid || ')' FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1"))
                connection.close()
                raise AlreadyRunning(f"a {holder or 'tracker process is already running on this database'}"
                                     f" (advisory lock held)")
            time.sleep(0.2)
        self._connection = connection

    def release(self) -> None:
        if self._file is not None:
            self._file.truncate(0)
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            self._connection.close()
            self._connection = None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
