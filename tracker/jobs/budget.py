"""One politeness budget for every worker, in the database (distributed mode).

The archive's limits are per client, not per process: workers on several machines must
together keep its minimum intervals and honour a 429 any of them saw. `DatabasePacer` is a
`tracker.wayback.Pacer` whose state is a `request_pace` row. A paced request takes its turn
under that row's lock (SELECT ... FOR UPDATE) once the kind's interval since the end of
its last request, and any pause, are over; the request goes out while the lock is held, and
the turn ends by recording when it ended. So no two requests of a kind are ever closer
than the interval, and a pause ordered inside a turn (the 429 was seen there) is committed
before any other worker can take a turn: nobody sends during it. The price is one archive
request in flight at a time across all workers, as in one process.

An unpaced kind (interval 0: a loopback archive, as today) takes no lock; it only waits out
a pause. Times are the database server's clock, so machines' clocks need not agree.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from tracker.wayback import Pacer, Pause

log = logging.getLogger(__name__)

ARCHIVE = "archive"  # the budget of every request to the archive (CDX, captures, Save Page Now)
LIVE = "live"  # live sites: one budget per site (`live:<site>`)

_NOW = "CAST(extract(epoch from clock_timestamp()) AS double precision)"


class DatabasePacer(Pacer):
    """A Pacer shared through the database. `per_kind`: each kind is a budget of its own
    (live sites: requests to two sites do not wait for each other); else all kinds share
    one lock and one pause (the archive)."""

    def __init__(self, engine: Engine, budget: str = ARCHIVE, *, per_kind: bool = False) -> None:
        super().__init__()
        self.engine = engine
        self.budget = budget
        self.per_kind = per_kind
        self._turn = threading.local()  # the connection of the turn this thread is in

    def _key(self, kind: str) -> str:
        return f"{self.budget}:{kind}" if self.per_kind else self.budget

    def wait(self, kind: str, interval: float) -> None:
        with self.turn(kind, interval):
            pass

    @contextmanager
    def turn(self, kind: str, interval: float) -> Iterator[None]:
        if interval <= 0:
            self._wait_out_pause()
            yield
            return
        key = self._key(kind)
        while True:
            connection = self.engine.connect()
            transaction = connection.begin()
            try:
                last, pause_until, reason, now = _lock(connection, key)
                ready = max(last.get(kind, float("-inf")) + interval, pause_until or float("-inf"))
            except BaseException:
                connection.close()
                raise
            if ready <= now:
                break
            transaction.rollback()
            connection.close()
            if pause_until is not None and pause_until > now:
                pause = Pause(reason or "a pause ordered by another worker", time.time() + (pause_until - now))
                log.warning("%s", pause.line())
                self._sleep_through(pause, ready - now)
            else:
                time.sleep(ready - now)
        self._turn.connection = connection
        try:
            yield
        finally:
            self._turn.connection = None
            try:
                connection.execute(text(
                    f"UPDATE request_pace SET last_at = CAST(CAST(last_at AS jsonb) || "
                    f"jsonb_build_object(CAST(:kind AS text), {_NOW}) AS text) WHERE key = :key"),
                    {"kind": kind, "key": key})
                transaction.commit()
            finally:
                connection.close()

    def pause(self, seconds: float, reason: str = "the archive asked to slow down") -> None:
        """Pause every worker `seconds` from now (a longer pause in force stays). Inside a
        turn it is written in the turn's transaction, which holds the row."""
        if seconds <= 0:
            return
        self.pauses += 1
        held = getattr(self._turn, "connection", None)
        if held is not None and not self.per_kind:
            _order_pause(held, self.budget, seconds, reason)
            return
        with self.engine.begin() as connection:
            _order_pause(connection, self.budget, seconds, reason)

    def current_pause(self) -> Pause | None:
        with self.engine.connect() as connection:
            row = connection.execute(text(
                f"SELECT pause_until, pause_reason, {_NOW} FROM request_pace WHERE key = :key"),
                {"key": self.budget}).first()
        if row is None or row[0] is None or row[0] <= row[2]:
            return None
        return Pause(row[1] or "a pause ordered by another worker", time.time() + (row[0] - row[2]))

    def _wait_out_pause(self) -> None:
        while (pause := self.current_pause()) is not None:
            log.warning("%s", pause.line())
            self._sleep_through(pause, pause.remaining)


def _lock(connection: Connection, key: str) -> tuple[dict, float | None, str | None, float]:
    """The budget's row, locked until the transaction ends (made on first use)."""
    connection.execute(text("INSERT INTO request_pace (key, last_at) VALUES (:key, '{}') ON CONFLICT DO NOTHING"),
                       {"key": key})
    row = connection.execute(text(
        f"SELECT CAST(last_at AS jsonb), pause_until, pause_reason, {_NOW} FROM request_pace "
        f"WHERE key = :key FOR UPDATE"), {"key": key}).one()
    return dict(row[0]), row[1], row[2], row[3]


def _order_pause(connection: Connection, key: str, seconds: float, reason: str) -> None:
    connection.execute(text("INSERT INTO request_pace (key, last_at) VALUES (:key, '{}') ON CONFLICT DO NOTHING"),
                       {"key": key})
    connection.execute(text(
        f"UPDATE request_pace SET pause_started = {_NOW}, pause_until = {_NOW} + :seconds, pause_reason = :reason "
        f"WHERE key = :key AND (pause_until IS NULL OR pause_until < {_NOW} + :seconds)"),
        {"key": key, "seconds": seconds, "reason": reason})


def recorded_pause(session: Session) -> Pause | None:
    """The archive pause the workers share, if one is in force (`tracker status`)."""
    row = session.execute(text("SELECT pause_until, pause_reason FROM request_pace WHERE key = :key"),
                          {"key": ARCHIVE}).first()
    if row is None or row[0] is None or row[0] <= time.time():
        return None
    return Pause(row[1] or "a pause ordered by a worker", row[0])
