"""Flips: a part of the page that one capture lacks (or alone shows) and the next capture has
as before. A collapsible section rendered in one capture and not the next, a regional notice
served to one crawl only: the policy did not change twice. A capture that differs from the
latest version by one run of consecutive clauses, missing or added, while the next capture
shows the latest version again, is a capture of that version (`derive` looks one capture
ahead). Without a next capture to tell (the newest capture of a history), it is a version.
"""

from __future__ import annotations

from collections.abc import Sequence

_TITLE_CHARS = 60


def one_run_apart(old: Sequence[str], new: Sequence[str]) -> str | None:
    """How `new` differs from `old` when it is by one run of consecutive clauses, missing
    or added ("'Cookies' and 3 more clauses missing"), else None."""
    shortest = min(len(old), len(new))
    start = 0
    while start < shortest and old[start] == new[start]:
        start += 1
    end = 0
    while end < shortest - start and old[-1 - end] == new[-1 - end]:
        end += 1
    removed, added = old[start:len(old) - end], new[start:len(new) - end]
    if removed and added or not (removed or added):
        return None
    run = removed or added
    title = run[0] if len(run[0]) <= _TITLE_CHARS else run[0][:_TITLE_CHARS] + "…"
    more = f" and {len(run) - 1} more clause{'s' if len(run) > 2 else ''}" if len(run) > 1 else ""
    return f"{title!r}{more} {'missing' if removed else 'shown'}"


def flip_note(run: str) -> str:
    """The capture's note: why it is a capture of the version before it."""
    return f"a flip: {run} in this capture only (the captures before and after agree); a capture of the version before"
