"""The dates people give (`2013`, `2013-05`, `2013-05-23` or a 14-digit timestamp) and the
period each names, for the command line and the web view alike (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tracker.errors import TrackerError


class BadDate(TrackerError, ValueError):
    """Raised when a date is not YYYY, YYYY-MM, YYYY-MM-DD or a 14-digit timestamp."""


def period_end(text: str) -> datetime:
    """The end of the period a date names: '2013' is the end of 2013, '2013-05-23' the end of
    that day; so 'the version in force at DATE' includes captures made on that date. A period
    that ends with the year 9999 ends at the last moment Python has."""
    start, unit = _period(text)
    try:
        if unit == "years":
            return start.replace(year=start.year + 1) - timedelta(microseconds=1)
        if unit == "months":
            following = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
            return following - timedelta(microseconds=1)
        if unit == "days":
            return start + timedelta(days=1) - timedelta(microseconds=1)
    except (ValueError, OverflowError):
        return datetime.max
    return start


def period_start(text: str) -> datetime:
    """The start of the period a date names, for --since: '2018' includes all of 2018."""
    return _period(text)[0]


def _period(text: str) -> tuple[datetime, str | None]:
    text = text.strip()
    digits = text.replace("-", "")
    formats = {4: ("%Y", "years"), 6: ("%Y%m", "months"), 8: ("%Y%m%d", "days"), 14: ("%Y%m%d%H%M%S", None)}
    if not digits.isdigit() or len(digits) not in formats:
        raise BadDate(f"not a date: {text!r} (use YYYY, YYYY-MM, YYYY-MM-DD or a 14-digit timestamp)")
    fmt, unit = formats[len(digits)]
    try:
        return datetime.strptime(digits, fmt), unit
    except ValueError:
        raise BadDate(f"not a date: {text!r}") from None
