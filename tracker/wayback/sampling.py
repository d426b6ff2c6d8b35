"""Sampling for very long histories: at most one capture per month, half-year or year.

The rule: in each period, keep the *last* usable capture (2xx, 3xx or a revisit) and skip the
others. The sampled sequence is then the page's state at the end of every period, so a
digest change that lasts until a period ends is always seen, in the period it happened;
only a version that both appeared and vanished inside one period is not. The
Princeton-Leuven study sampled the same way, at most one capture per half-year.
"""

from __future__ import annotations

from collections.abc import Iterable

PERIODS = ("month", "half-year", "year")


def period_of(timestamp: str, period: str) -> str:
    """The period a 14-digit timestamp falls in: "200610", "2006H2", "2006"."""
    if period == "month":
        return timestamp[:6]
    if period == "half-year":
        return timestamp[:4] + ("H1" if timestamp[4:6] <= "06" else "H2")
    if period == "year":
        return timestamp[:4]
    raise ValueError(f"sample period must be one of {PERIODS}, not {period!r}")


def usable(statuscode: str) -> bool:
    """A CDX status worth downloading: 2xx, 3xx (a captured redirect, followed to the page
    it led to) or `-` (a revisit of an earlier capture)."""
    return statuscode[:1] in ("2", "3") or statuscode == "-"


def last_per_period(captures: Iterable[tuple[int, str, str]], period: str) -> set[int]:
    """Ids of the captures to keep from (id, timestamp, statuscode) rows: the last usable
    one of each period (ties on the timestamp go to the higher id)."""
    last: dict[str, tuple[str, int]] = {}
    for capture_id, timestamp, statuscode in captures:
        if usable(statuscode):
            key = period_of(timestamp, period)
            last[key] = max(last.get(key, ("", -1)), (timestamp, capture_id))
    return {capture_id for _, capture_id in last.values()}
