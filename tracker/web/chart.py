"""A document's timeline as shapes for an SVG drawn on the server (templates/timeline_chart.svg):
versions as bands, each step's material and cosmetic clause changes as stacked bars, the
archive's captures as ticks, invalid captures marked, and long stretches without a capture
shaded as coverage gaps. No script and nothing fetched: the page stays a plain document.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tracker.read import VersionRow
from tracker.web.data import CaptureMark

WIDTH, HEIGHT = 960, 260
LEFT, RIGHT = 48, 16
BAR_TOP, BAR_BOTTOM = 24, 150  # the step bars grow up from BAR_BOTTOM
BAND_Y, BAND_H = 160, 22  # the version bands
TICK_Y = 194  # the capture ticks
AXIS_Y = 226
GAP = timedelta(days=365)  # no capture for longer than this is a coverage gap


@dataclass(frozen=True)
class Band:
    seq: int
    x: float
    width: float
    shade: int  # alternates 0/1 so neighbouring versions are told apart
    label: str


@dataclass(frozen=True)
class Bar:
    to_seq: int
    x: float
    material_y: float
    material_h: float
    cosmetic_y: float
    cosmetic_h: float
    label: str


@dataclass(frozen=True)
class Tick:
    x: float
    invalid: bool
    label: str


@dataclass(frozen=True)
class Span:
    x: float
    width: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    bands: list[Band] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    gaps: list[Span] = field(default_factory=list)
    years: list[tuple[float, int]] = field(default_factory=list)
    most: int = 0  # clause changes of the biggest step: the bars' scale
    geometry: dict = field(default_factory=lambda: {"bar_top": BAR_TOP, "bar_bottom": BAR_BOTTOM,
                                                    "band_y": BAND_Y, "band_h": BAND_H,
                                                    "tick_y": TICK_Y, "axis_y": AXIS_Y, "left": LEFT,
                                                    "right": WIDTH - RIGHT})


def timeline_chart(rows: list[VersionRow], captures: list[CaptureMark]) -> Chart:
    if not rows:
        return Chart()
    moments = [r.first_seen for r in rows] + [r.last_seen for r in rows] + [c.captured_at for c in captures]
    start, end = min(moments), max(moments)
    span = max((end - start).total_seconds(), 86400.0)

    def x(when: datetime) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (when - start).total_seconds() / span, 1)

    # A version is drawn while it was in force: from its first sighting to the next version's.
    ends = [r.first_seen for r in rows[1:]] + [rows[-1].last_seen]
    bands = [Band(r.seq, x(r.first_seen), max(x(until) - x(r.first_seen), 2.0), r.seq % 2,
                  f"v{r.seq}: seen {r.first_seen:%Y-%m-%d} .. {r.last_seen:%Y-%m-%d}, {r.captures} capture(s)")
             for r, until in zip(rows, ends)]
    most = max([(r.material_count or 0) + (r.cosmetic_count or 0) for r in rows] + [1])
    scale = (BAR_BOTTOM - BAR_TOP) / math.sqrt(most)  # square root: one big rewrite must not flatten the rest
    bars = []
    for r in rows[1:]:
        material, cosmetic = r.material_count or 0, r.cosmetic_count or 0
        total_h = math.sqrt(material + cosmetic) * scale
        material_h = total_h * material / (material + cosmetic) if material + cosmetic else 0
        bars.append(Bar(r.seq, x(r.first_seen), round(BAR_BOTTOM - material_h, 1), round(material_h, 1),
                        round(BAR_BOTTOM - total_h, 1), round(total_h - material_h, 1),
                        f"v{r.seq - 1} → v{r.seq} ({r.first_seen:%Y-%m-%d}): {material} material, "
                        f"{cosmetic} cosmetic clause change(s)"))
    ticks = [Tick(x(c.captured_at), c.invalid_reason is not None,
                  f"{c.captured_at:%Y-%m-%d}: {c.invalid_reason or c.state}") for c in captures]
    seen = sorted({c.captured_at for c in captures} | {r.first_seen for r in rows} | {r.last_seen for r in rows})
    gaps = [Span(x(a), x(b) - x(a), f"no capture from {a:%Y-%m-%d} to {b:%Y-%m-%d}")
            for a, b in zip(seen, seen[1:]) if b - a > GAP]
    years = [(x(datetime(year, 1, 1)), year) for year in range(start.year + 1, end.year + 1)]
    step = max(1, math.ceil(len(years) / 16))
    return Chart(bands=bands, bars=bars, ticks=ticks, gaps=gaps, years=years[::step], most=most)
