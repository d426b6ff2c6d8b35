"""Politeness towards the archive: minimum intervals between requests, and pauses.

A 429 (rate limited) or a refused connection (a likely IP block) pauses every request of
the process, not just the one that saw it; with a pause file, every process sharing it
(workers over one snapshots folder) pauses too. Nothing is sent during a pause.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path


class Pacer:
    """Minimum intervals between requests of one kind, and a shared pause.

    `pause_file` (optional) holds the wall-clock end of the pause, so that separate
    processes honour each other's pauses; a missing or unreadable file means no pause.
    """

    def __init__(self, pause_file: str | Path | None = None) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._paused_until = 0.0
        self.pause_file = Path(pause_file) if pause_file else None
        self.pauses = 0  # pauses ordered so far (a test's and the bench's witness)

    def wait(self, kind: str, interval: float) -> None:
        with self._lock:
            now = time.monotonic()
            paused_until = max(self._paused_until, self._file_pause_until(now))
            ready = max(self._last.get(kind, float("-inf")) + interval, paused_until)
            delay = max(0.0, ready - now)
            self._last[kind] = now + delay
        if delay:
            time.sleep(delay)

    def pause(self, seconds: float) -> None:
        with self._lock:
            self.pauses += 1
            now = time.monotonic()
            self._paused_until = max(self._paused_until, now + seconds)
            if self.pause_file and self._file_pause_until(now) < now + seconds:
                self._write_pause_file(time.time() + seconds)

    def _file_pause_until(self, now: float) -> float:
        """The pause file's end on this process's monotonic clock (0 when none)."""
        if not self.pause_file:
            return 0.0
        try:
            until = float(self.pause_file.read_text("ascii"))
        except (OSError, ValueError):
            return 0.0
        return now + (until - time.time())

    def _write_pause_file(self, until: float) -> None:
        if self.pause_file is None:
            return
        try:
            self.pause_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.pause_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(f"{until:.3f}", "ascii")
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
