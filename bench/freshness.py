"""Freshness: how soon after a policy changes the tracker holds its version, with live checks
beside the archive against the archive alone, measured in the same run.

    .venv/bin/python bench/freshness.py [--corpus DIR ...] [--page SUBSTRING ...]
        [--every HOURS] [--archive-every DAYS] [--json]

Each corpus page from Open Terms Archive (its captures are dated within hours of each change
of the page's bytes; the Princeton-Leuven pages, captured years apart, are left out) is
replayed by a live site of its own on loopback (its own robots.txt, its own interval) as a
page that changes at its captures' dates. The
local archive captures it on its own schedule, every --archive-every days from the page's
first capture (the Wayback Machine's visits: most policy pages are captured every few weeks;
a popular page every few days), and lists a capture from the moment it is made. Time is
simulated: every --every hours (at a fixed offset from its first capture, out of step with the
corpus's capture times), each page's document is checked as
the daemon checks it (`tracker.jobs.check_document`), in two runs over fresh databases:

- live + archive: `source = both`, Save Page Now on (three rounds of the queue a minute
  apart after each check: submit, the archive's job pending, done);
- archive only: `source = wayback`.

A change is the first capture of a version of a reference derivation that placed every
capture of the page; its delay is the time from that capture's date to the end of the first
check after which the run held a capture of that version's text (a live capture, or an
archive capture made while the page showed it). A change the run never held (the page
changed again before the archive came by) is missed. Requests are the tracker's own: live
(robots.txt included; the 304 share is of the page requests), archive (CDX and captures),
Save Page Now (submissions and status polls) per version a live check started.
Goal (issue 24): a median delay of 12 hours or less with live checks.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import json
import logging
import statistics
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select

from tracker.archive import ArchiveServer, LiveSite
from tracker.backfill import backfill
from tracker.jobs import check_document
from tracker.live import LiveFetcher, RobotsCache, advance_saves
from tracker.store.db import open_database
from tracker.store.documents import add_document, find_documents
from tracker.store.models import Capture, Version
from tracker.store.rawstore import RawStore
from tracker.wayback import Pacer, SavePageNow, WaybackClient

SHARED = REPO.parent / "shared" / "corpus"
LOCAL = [REPO / "tests" / "data" / "corpus"]
STAMP = "%Y%m%d%H%M%S"


@dataclass
class Page:
    page_id: str
    provider: str
    document: str
    urls: tuple[str, ...]
    captures: list[tuple[datetime, bytes]]  # (date, body), in date order
    changes: dict[int, datetime] = field(default_factory=dict)  # reference versions after the first: their start
    version_of: list[int | None] = field(default_factory=list)  # each capture's reference version (None: invalid)


def load_pages(corpus_dirs: list[Path], wanted: list[str]) -> list[Page]:
    pages = []
    for corpus in corpus_dirs:
        with open(corpus / "pages.csv", newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            if not row["source"].startswith("OpenTermsArchive") or (wanted and not any(w in row["page_id"] for w in wanted)):
                continue
            folder = corpus / "archive" / row["page_id"]
            cdx = json.loads((folder / "cdx.json").read_text("utf-8"))[1:]
            captures = [(datetime.strptime(r[1], STAMP), (folder / f"{r[1]}.html").read_bytes()) for r in cdx]
            if len(captures) > 1:
                pages.append(Page(row["page_id"], row["provider"], row["document"],
                                  tuple(dict.fromkeys(r[2] for r in cdx)), captures))
    return pages


def reference(corpus_dirs: list[Path], pages: list[Page], tmp: Path) -> None:
    """Derive every capture of each page once (the archive holding them all): its versions'
    starts are the changes, and each capture's version says which change it shows."""
    sessions = open_database(f"sqlite:///{tmp}/reference.db")
    with sessions.begin() as session:
        for page in pages:
            for url in page.urls:
                add_document(session, url, page.provider, page.document)
    with sessions() as session:
        documents = find_documents(session)
    with ArchiveServer(*corpus_dirs) as server, WaybackClient(server.url, cdx_interval=0, capture_interval=0,
                                                              pacer=Pacer()) as client:
        backfill(sessions, client, RawStore(tmp / "reference-snapshots"), documents)
    with sessions() as session:
        by_provider = {d.provider.name: d.id for d in documents}
        for page in pages:
            document_id = by_provider[page.provider]
            version = dict(session.execute(select(Capture.timestamp, Capture.version_id).where(
                Capture.document_id == document_id)).all())
            page.version_of = [version.get(when.strftime(STAMP)) for when, _ in page.captures]
            page.changes = dict(session.execute(select(Version.id, Version.first_seen).where(
                Version.document_id == document_id, Version.seq > 1)).all())
    sessions.kw["bind"].dispose()


def simulate(pages: list[Page], *, live: bool, every: timedelta, archive_every: timedelta, tmp: Path) -> dict:
    name = "live+archive" if live else "archive only"
    empty = tmp / f"empty-{int(live)}"
    (empty / "archive").mkdir(parents=True)
    sessions = open_database(f"sqlite:///{tmp}/{int(live)}.db")
    raw = RawStore(tmp / f"snapshots-{int(live)}")
    clock = {"now": datetime(2000, 1, 1)}
    started = time.perf_counter()
    sites = {page.page_id: LiveSite().start() for page in pages}  # a site per page, as on the web
    with ArchiveServer(empty) as archive:
        paths = {}
        with sessions.begin() as session:
            for page in pages:
                for when, body in page.captures:
                    sites[page.page_id].publish("/privacy", body, at=when.strftime(STAMP))
                paths[page.page_id] = add_document(session, sites[page.page_id].page_url("/privacy"), page.provider,
                                                   page.document, "both" if live else "wayback").id
        with sessions() as session:
            documents = {d.id: d for d in find_documents(session)}
        archive.saves.clock = lambda: clock["now"].strftime(STAMP)
        robots = RobotsCache(clock=lambda: clock["now"].timestamp())
        events = []
        for page in pages:
            start, end = page.captures[0][0], page.captures[-1][0] + timedelta(days=1)
            when = start + _phase(page.page_id, every)
            while when <= end:
                events.append((when, page.page_id))
                when += every
        events.sort()
        visits = {p.page_id: p.captures[0][0] for p in pages}  # the archive's next visit of each page
        by_id = {p.page_id: p for p in pages}
        known: dict[int, datetime] = {}
        last_capture = 0
        with WaybackClient(archive.url, cdx_interval=0, capture_interval=0, pacer=Pacer()) as client, \
                LiveFetcher(interval=0, pacer=Pacer(), robots=robots, timeout=30) as fetcher, \
                SavePageNow(archive.url, "bench", "bench") as spn:
            for when, page_id in events:
                page = by_id[page_id]
                while visits[page_id] <= when:  # the archive came by: it captured what the page showed then
                    body = _served(page, visits[page_id])
                    archive.add_capture(sites[page_id].page_url("/privacy"), visits[page_id].strftime(STAMP), body)
                    visits[page_id] += archive_every
                clock["now"] = when
                sites[page_id].now = when.strftime(STAMP)
                check_document(sessions, client, raw, documents[paths[page_id]], live=fetcher if live else None,
                               save=live, now=when)
                if live:
                    for minute in (1, 2, 3):
                        clock["now"] = when + timedelta(minutes=minute)
                        advance_saves(sessions, spn, interval=0, now=clock["now"])
                with sessions() as session:
                    for capture_id in session.scalars(select(Capture.id).where(Capture.id > last_capture)):
                        known[capture_id] = when
                        last_capture = max(last_capture, capture_id)
        # Only the tracker asks for robots.txt and sends validators (Save Page Now's fetches are
        # the archive's, not counted here): its page requests are its requests but robots.txt.
        served = [r for site in sites.values() for r in site.requests]
        robots_requests = sum(1 for r in served if r.path == "/robots.txt")
        not_modified = sum(1 for r in served if r.status == 304)
        spn_requests, archive_requests, live_requests = spn.request_count, client.request_count, fetcher.request_count
    for site in sites.values():
        site.stop()
    seconds = time.perf_counter() - started
    delays, missed = _delays(sessions, pages, paths, known)
    with sessions() as session:
        live_versions = session.scalar(select(func.count(Version.id)).join(
            Capture, Capture.id == Version.first_capture_id).where(Capture.source == "live"))
    sessions.kw["bind"].dispose()
    days = sum((p.captures[-1][0] + timedelta(days=1) - p.captures[0][0]).total_seconds() / 86400 for p in pages)
    page_requests = live_requests - robots_requests
    hours = [d.total_seconds() / 3600 for d in delays]
    return {
        "run": name,
        "changes": len(delays) + missed,
        "missed": missed,
        "median_delay_h": round(statistics.median(hours), 1) if hours else None,
        "p90_delay_h": round(_percentile(hours, 0.9), 1) if hours else None,
        "live_requests_per_doc_day": round(live_requests / days, 2),
        "share_304": round(not_modified / page_requests, 3) if page_requests else None,
        "archive_requests_per_doc_day": round(archive_requests / days, 2),
        "spn_requests": spn_requests,
        "versions_found_live": live_versions,
        "spn_requests_per_change": round(spn_requests / live_versions, 2) if live_versions else None,
        "checks": len(events),
        "document_days": round(days, 1),
        "seconds": round(seconds, 1),
    }


def _phase(page_id: str, every: timedelta) -> timedelta:
    """Where in the check interval a page's checks fall: fixed per page, and not in step with
    the corpus's capture times (Open Terms Archive crawls at the same hours every day), which
    would make every delay a whole interval or none."""
    return timedelta(seconds=zlib.crc32(page_id.encode()) % int(every.total_seconds()))


def _served(page: Page, when: datetime) -> bytes:
    """What the page showed at `when`: its last capture dated then or before."""
    index = bisect.bisect_right([c[0] for c in page.captures], when) - 1
    return page.captures[max(index, 0)][1]


def _delays(sessions, pages: list[Page], paths: dict[str, int], known: dict[int, datetime]):
    """Each reference change's delay: from its date to the first check after which the run
    held a capture of its text; and how many it never held."""
    delays, missed = [], 0
    with sessions() as session:
        for page in pages:
            held: dict[int, datetime] = {}
            dates = [c[0] for c in page.captures]
            for capture_id, shown_at in session.execute(select(Capture.id, Capture.captured_at).where(
                    Capture.document_id == paths[page.page_id], Capture.version_id.is_not(None))):
                index = bisect.bisect_right(dates, shown_at) - 1  # the capture the page showed then
                version = page.version_of[index] if index >= 0 else None
                if version is not None and capture_id in known:
                    held[version] = min(held.get(version, known[capture_id]), known[capture_id])
            for version, start in page.changes.items():
                if version in held:
                    delays.append(held[version] - start)
                else:
                    missed += 1
    return delays, missed


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


COLUMNS = [("run", 13), ("changes", 7), ("missed", 6), ("median_delay_h", 9), ("p90_delay_h", 9),
           ("live_requests_per_doc_day", 10), ("share_304", 6), ("archive_requests_per_doc_day", 10),
           ("spn_requests_per_change", 9), ("seconds", 7)]
HEADERS = {"median_delay_h": "median h", "p90_delay_h": "p90 h", "live_requests_per_doc_day": "live/doc/d",
           "share_304": "304s", "archive_requests_per_doc_day": "arch/doc/d", "spn_requests_per_change": "SPN/chg"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", type=Path, help="corpus folder (repeatable)")
    parser.add_argument("--page", action="append", default=[], help="only pages whose id holds this (repeatable)")
    parser.add_argument("--every", type=float, default=12.0, help="hours between two checks of a document")
    parser.add_argument("--archive-every", type=float, default=14.0, help="days between two of the archive's visits")
    parser.add_argument("--json", action="store_true", help="one JSON object of the figures")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    corpus_dirs = args.corpus or ([SHARED] if SHARED.is_dir() else LOCAL)
    pages = load_pages(corpus_dirs, args.page)
    every, archive_every = timedelta(hours=args.every), timedelta(days=args.archive_every)
    with tempfile.TemporaryDirectory(prefix="freshness-") as tmp:
        reference(corpus_dirs, pages, Path(tmp))
        rows = [simulate(pages, live=True, every=every, archive_every=archive_every, tmp=Path(tmp)),
                simulate(pages, live=False, every=every, archive_every=archive_every, tmp=Path(tmp))]
    result = {"corpus": [str(c) for c in corpus_dirs], "pages": len(pages), "check_every_h": args.every,
              "archive_every_days": args.archive_every, "runs": rows,
              "goal_median_h": 12.0, "goal_met": rows[0]["median_delay_h"] is not None
              and rows[0]["median_delay_h"] <= 12.0}
    if args.json:
        print(json.dumps(result))
        return
    print(f"corpus: {', '.join(result['corpus'])}: {len(pages)} pages; checks every {args.every:g} h, "
          f"the archive visits each page every {args.archive_every:g} days")
    header = "  ".join(HEADERS.get(name, name).ljust(width) for name, width in COLUMNS)
    print(header)
    print("-" * len(header))
    for row in rows:
        print("  ".join(str(row[name]).ljust(width) for name, width in COLUMNS))
    live, archive_only = rows
    print()
    print(f"goal: median delay <= 12 h with live checks: {live['median_delay_h']} h "
          f"({'met' if result['goal_met'] else 'not met'}); the archive alone: {archive_only['median_delay_h']} h, "
          f"{archive_only['missed']} of {archive_only['changes']} changes never seen")


if __name__ == "__main__":
    main()
