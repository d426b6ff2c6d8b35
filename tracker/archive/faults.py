"""Switchable faults for the local archive: the real archive's bad days, on demand.

A test adds rules (`archive.faults.add(...)`); each request consumes one use of the first
rule whose path prefix matches. Kinds:

- `status`: answer `status` instead (429 bursts, 503...; no Retry-After, as the real one);
- `reset`: drop the connection with a TCP RST and no answer (a firewall, a crashed node);
- `truncate`: announce the full Content-Length, send half the body, close;
- `slow`: wait `delay` seconds, then answer normally (client timeouts);
- `badgzip`: a gzip body whose deflate stream is corrupt;
- `malformed`: a CDX answer with a duplicated row, a short row and a row with a bad
  timestamp mixed in (the real index has all three).
"""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import dataclass

FAULT_KINDS = ("status", "reset", "truncate", "slow", "badgzip", "malformed")


@dataclass
class Fault:
    """Misbehave on the next `times` requests whose path starts with `path_prefix`."""

    kind: str  # one of FAULT_KINDS
    times: int = 1
    path_prefix: str = ""
    status: int | None = None  # kind "status": answer this instead
    delay: float = 0.0  # kind "slow": wait this long, then answer normally


class Faults:
    """A plain list of rules, consumed in order; safe to change while the server runs."""

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


def corrupt_gzip(body: bytes, already_gzipped: bool) -> bytes:
    """A gzip stream with a valid header and a garbled deflate body."""
    zipped = body if already_gzipped else gzip.compress(body, mtime=0)
    return zipped[:10] + bytes(b ^ 0xFF for b in zipped[10:])


def garble_cdx(body: bytes, as_json: bool) -> bytes:
    """A CDX page with the odd rows the real index serves: the first row twice, a row with
    too few fields, a row whose timestamp is not 14 digits."""
    if as_json:
        lines = body.decode().rstrip("\n").split(",\n")
        if len(lines) < 2:
            return body
        closes = lines[1].endswith("]]")  # a single row: its line closes the table
        first = json.loads(lines[1][:-1] if closes else lines[1])
        bad_stamp = [first[0], "2001", *first[2:]] if len(first) > 2 else ["x"]
        extra = [json.dumps(first), json.dumps(first[:2]), json.dumps(bad_stamp)]
        if closes:
            lines[1] = lines[1][:-1]
            extra[-1] += "]"
        return (",\n".join(lines[:2] + extra + lines[2:]) + "\n").encode()
    rows = body.decode().split("\n")
    if not rows or not rows[0]:
        return body
    fields = rows[0].split(" ")
    odd = [rows[0], " ".join(fields[:2]), " ".join([fields[0], "2001", *fields[2:]])]
    return "\n".join(rows[:1] + odd + rows[1:]).encode()
