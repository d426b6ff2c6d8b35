"""How many archive requests a backfill spends per version it records, with and without faults.

    .venv/bin/python bench/fetch_economy.py [--corpus DIR ...] [--json]

Default corpus: ../shared/corpus when present, else the in-repo copies. The whole corpus is
backfilled through the local archive server twice, into fresh databases: once clean, once
with the real archive's bad days injected (a 429 burst on CDX, 503s, connection resets,
truncated bodies, corrupt gzip, a timeout, malformed CDX rows). The baseline, measured in
the same run, is the floor: one download per distinct digest plus the CDX pages needed.
Also counted: requests the server saw while a 429 pause was in force (must be 0), and
whether the faulty run lost anything (failed captures, fewer versions).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select

from tracker.archive import (
    ArchiveServer,
    corpus_pages,
)
from tracker.backfill import backfill
from tracker.store.db import open_database
from tracker.store.documents import add_document, find_documents
from tracker.store.models import Capture, Version
from tracker.store.rawstore import RawStore
from tracker.wayback import Pacer, WaybackClient

SHARED = REPO.parent / "shared" / "corpus"
LOCAL = [REPO / "tests" / "data" / "corpus", REPO / "tracker" / "sample" / "corpus"]
RATE_LIMIT_PAUSE = 0.3  # seconds; the real default is 60, the ratio is what matters here
TIMEOUT = 0.5


def inject_faults(server: ArchiveServer) -> None:
    """Each kind on captures of its own year, so that no capture meets more failures in a
    row than the client retries (more would rightly stop the run: see the tests)."""
    faults = server.faults
    faults.add(status=429, times=3, path_prefix="/cdx")  # a burst: three in a row
    faults.add(kind="malformed", times=3, path_prefix="/cdx")
    faults.add(status=503, times=2, path_prefix="/web/2018")
    faults.add(kind="reset", times=2, path_prefix="/web/2019")
    faults.add(kind="truncate", times=2, path_prefix="/web/2020")
    faults.add(kind="badgzip", times=2, path_prefix="/web/2021")
    faults.add(kind="slow", delay=TIMEOUT * 2, path_prefix="/web/2022")
    faults.add(status=429, times=2, path_prefix="/web/2023")


def measure(corpus_dirs: list[Path], faulty: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="fetch-economy-") as tmp:
        sessions = open_database(f"sqlite:///{tmp}/economy.db")
        with sessions.begin() as session:
            for corpus in corpus_dirs:
                for page in corpus_pages(corpus):
                    for url in page.urls:
                        add_document(session, url, page.provider, page.document)
        with sessions() as session:
            documents = find_documents(session)
        with ArchiveServer(*corpus_dirs) as server:
            if faulty:
                inject_faults(server)
            started = time.perf_counter()
            with WaybackClient(server.url, cdx_interval=0, capture_interval=0, backoff=0.05,
                               timeout=TIMEOUT, rate_limit_pause=RATE_LIMIT_PAUSE, pacer=Pacer()) as client:
                backfill(sessions, client, RawStore(Path(tmp) / "snapshots"), documents)
            seconds = time.perf_counter() - started
            log = list(server.requests)
        with sessions() as session:
            versions = session.scalar(select(func.count(Version.id)))
            digests = session.scalar(select(func.count(func.distinct(Capture.cdx_digest))))
            failed = session.scalar(select(func.count(Capture.id)).where(Capture.state == "failed"))
        sessions.kw["bind"].dispose()
    cdx_ok = sum(1 for r in log if r.path.startswith("/cdx") and r.status == 200)
    floor = digests + cdx_ok
    return {
        "run": "with faults" if faulty else "clean",
        "requests": len(log),
        "cdx_pages": cdx_ok,
        "downloads": sum(1 for r in log if r.path.startswith("/web")),
        "faults_injected": sum(1 for r in log if r.fault),
        "versions": versions,
        "floor": floor,
        "requests_per_version": round(len(log) / versions, 3),
        "floor_per_version": round(floor / versions, 3),
        "ratio_to_floor": round(len(log) / floor, 3),
        "requests_in_429_pause": _requests_in_pause(log),
        "failed_captures": failed,
        "seconds": round(seconds, 2),
    }


def _requests_in_pause(log) -> int:
    """Requests answered while a 429 pause was in force: within RATE_LIMIT_PAUSE after a
    429 (the pause grows after each one; the first length is the lower bound)."""
    limits = [r.at for r in log if r.status == 429]
    return sum(1 for r in log for t in limits if t < r.at < t + RATE_LIMIT_PAUSE)


COLUMNS = [("run", 12), ("requests", 8), ("cdx_pages", 9), ("downloads", 9), ("faults_injected", 6),
           ("versions", 8), ("requests_per_version", 12), ("floor_per_version", 11),
           ("ratio_to_floor", 8), ("requests_in_429_pause", 14), ("failed_captures", 6), ("seconds", 7)]
HEADERS = {"faults_injected": "faults", "requests_per_version": "req/version",
           "floor_per_version": "floor/vers.", "ratio_to_floor": "/floor",
           "requests_in_429_pause": "in 429 pause", "failed_captures": "failed", "cdx_pages": "CDX pages"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", type=Path, help="corpus folder (repeatable)")
    parser.add_argument("--json", action="store_true", help="one JSON object of the figures")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the skipped malformed rows are expected here
    corpus_dirs = args.corpus or ([SHARED] if SHARED.is_dir() else LOCAL)
    rows = [measure(corpus_dirs, faulty=False), measure(corpus_dirs, faulty=True)]
    result = {"corpus": [str(c) for c in corpus_dirs], "runs": rows,
              "rate_limit_pause_s": RATE_LIMIT_PAUSE}
    if args.json:
        print(json.dumps(result))
        return
    print(f"corpus: {', '.join(result['corpus'])}  (429 pause {RATE_LIMIT_PAUSE}s, timeout {TIMEOUT}s)")
    header = "  ".join(HEADERS.get(name, name).ljust(width) for name, width in COLUMNS)
    print(header)
    print("-" * len(header))
    for row in rows:
        print("  ".join(str(row[name]).ljust(width) for name, width in COLUMNS))
    clean, faulty = rows
    print()
    print(f"floor: one download per distinct digest + the CDX pages = {clean['floor']} requests "
          f"for {clean['versions']} versions")
    print(f"faults cost {faulty['requests'] - clean['requests']} extra requests "
          f"(ratio faulty/clean {faulty['requests'] / clean['requests']:.2f}); "
          f"versions {faulty['versions']} vs {clean['versions']}, failed captures {faulty['failed_captures']}; "
          f"requests inside a 429 pause: {faulty['requests_in_429_pause']}")


if __name__ == "__main__":
    main()
