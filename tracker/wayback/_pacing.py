"""Politeness towards the archive: minimum intervals between requests, and pauses.

A 429 (rate limited) or a refused connection (a likely IP block) pauses every request of
the process, not just the one that saw it; with a pause file, every process sharing it
(workers over one snapshots folder) pauses too. Nothing is sent during a pause. Workers on
several machines share one budget in the database instead (tracker.jobs.budget: a Pacer
whose `turn` holds a row lock while the request goes out).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

PAUSE_FILE = ".archive-pause"  # in the snapshots folder, shared by the processes using it


@dataclass(frozen=True)
class Pause:
    """A pause of every request to the archive: why, and until when (wall clock, UTC)."""

    reason: str
    until: float  # time.time() at its end

    @property
    def remaining(self) -> float:
        return max(0.0, self.until - time.time())

    def line(self) -> str:
        end = datetime.fromtimestamp(self.until, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"archive requests paused until {end} ({self.remaining:.0f} s more): {self.reason}"


def read_pause(pause_file: str | Path) -> Pause | None:
    """The pause a file announces, if it is still running (`tracker status` shows it)."""
    try:
        text = Path(pause_file).read_text("utf-8")
    except OSError:
        return None
    try:
        data = json.loads(text)
        pause = (Pause(str(data["reason"]), float(data["until"])) if isinstance(data, dict)
                 else Pause("a pause ordered by an earlier run", float(data)))
    except (ValueError, KeyError, TypeError):
        return None
    return pause if pause.remaining > 0 else None


class Pacer:
    """Minimum intervals between requests of one kind, and a shared pause.

    `pause_file` (optional) holds the wall-clock end of the pause, so that separate
    processes honour each other's pauses; a missing or unreadable file means no pause.
    """

    def __init__(self, pause_file: str | Path | None = None) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._pause: Pause | None = None
        self.pause_file = Path(pause_file) if pause_file else None
        self.pauses = 0  # pauses ordered so far (a test's and the bench's witness)
        # Told every second of a pause (the pause, seconds left); e.g. the progress bar.
        self.on_pause: Callable[[Pause, float], None] | None = None

    def wait(self, kind: str, interval: float) -> None:
        """Sleep until a request of `kind` may go: its interval since the last one, and the
        end of any pause. A pause is never silent: one log line with its reason and end."""
        with self._lock:
            now = time.monotonic()
            pause = self.current_pause()
            ready = self._last.get(kind, float("-inf")) + interval
            if pause is not None:
                ready = max(ready, now + pause.remaining)
            delay = max(0.0, ready - now)
            self._last[kind] = now + delay
        if pause is not None and delay:
            log.warning("%s", pause.line())
            self._sleep_through(pause, delay)
        elif delay:
            time.sleep(delay)

    @contextmanager
    def turn(self, kind: str, interval: float) -> Iterator[None]:
        """Send one request of `kind` inside this block: here, after `wait`. A pause the
        request leads to is ordered inside the block (a shared budget holds its lock there)."""
        self.wait(kind, interval)
        yield

    def _sleep_through(self, pause: Pause, delay: float) -> None:
        end = time.monotonic() + delay
        while (left := end - time.monotonic()) > 0:
            if self.on_pause is not None:
                self.on_pause(pause, left)
            time.sleep(min(1.0, left))

    def pause(self, seconds: float, reason: str = "the archive asked to slow down") -> None:
        if seconds <= 0:
            return
        with self._lock:
            self.pauses += 1
            pause = Pause(reason, time.time() + seconds)
            current = self.current_pause()
            if current is None or current.until < pause.until:
                self._pause = pause
                self._write_pause_file(pause)

    def current_pause(self) -> Pause | None:
        """The pause in force (this process's or the shared file's, whichever ends last)."""
        pauses = [p for p in (self._pause, read_pause(self.pause_file) if self.pause_file else None)
                  if p is not None and p.remaining > 0]
        return max(pauses, key=lambda p: p.until) if pauses else None

    def _write_pause_file(self, pause: Pause) -> None:
        if self.pause_file is None:
            return
        try:
            self.pause_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.pause_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"until": round(pause.until, 3), "reason": pause.reason}), "utf-8")
            os.replace(tmp, self.pause_file)
        except OSError:
            pass  # the in-process pause still holds; other processes only lose the hint


SHARED_PACER = Pacer()
_FILE_PACERS: dict[Path, Pacer] = {}
_FILE_PACERS_LOCK = threading.Lock()


def shared_pacer(pause_file: str | Path | None = None) -> Pacer:
    """The process's Pacer for this pause file (one per file, so all clients share it)."""
    if pause_file is None:
        return SHARED_PACER
    key = Path(pause_file).resolve()
    with _FILE_PACERS_LOCK:
        return _FILE_PACERS.setdefault(key, Pacer(key))
