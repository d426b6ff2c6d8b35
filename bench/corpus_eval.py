"""Backfill a whole corpus through the local archive server and score it against labels.csv.

    .venv/bin/python bench/corpus_eval.py [--corpus DIR ...] [--json]

Default corpus: ../shared/corpus when present, else the in-repo copies (tests/data/corpus and
the bundled sample). For each page: captures, versions recorded, and agreement with the
labels: every `change` transition should start a new version (missed = a change we did not
record); `noise` and `markup` transitions should not (false = a version that is no policy
change). The baseline, measured in the same run, is the naive tracker that records a version
whenever the archived bytes differ. A second backfill of the same pages must download
nothing: its request count is printed beside the first run's and the floor (one download per
distinct digest plus the CDX pages).

Labels are silver, so each false version is also checked against the references. A `noise`
label means Open Terms Archive recorded no new version from that capture; when OTA was not
extracting the page (a run of `noise` closed by a `technical` re-extraction whose reference
text differs from the run's last reference), the policy text changed somewhere in the run
and the labels cannot say where. A version recorded inside such a run is listed as "labels
silent" and set aside from both sides of the false-version ratio, which is printed with and
without them; every other false version stays counted.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from bisect import bisect_right
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from extraction import labels_silent
from sqlalchemy import select

from tracker.archive import (
    ArchiveServer,
    corpus_pages,
    read_labels,
)
from tracker.backfill import backfill
from tracker.store.db import open_database
from tracker.store.documents import add_document, find_documents
from tracker.store.models import Capture, Version
from tracker.store.rawstore import RawStore
from tracker.wayback import Pacer, WaybackClient

SHARED = REPO.parent / "shared" / "corpus"
LOCAL = [REPO / "tests" / "data" / "corpus", REPO / "tracker" / "sample" / "corpus"]


def evaluate(corpus_dirs: list[Path]) -> dict:
    with tempfile.TemporaryDirectory(prefix="corpus-eval-") as tmp:
        sessions = open_database(f"sqlite:///{tmp}/eval.db")
        pages = [(corpus, page) for corpus in corpus_dirs for page in corpus_pages(corpus)]
        with sessions.begin() as session:
            for _, page in pages:
                for url in page.urls:
                    add_document(session, url, page.provider, page.document)
        raw = RawStore(Path(tmp) / "snapshots")
        with ArchiveServer(*corpus_dirs) as server:
            started = time.perf_counter()
            first = _run(sessions, server, raw)
            seconds = time.perf_counter() - started
            second = _run(sessions, server, raw)
            cdx_pages = sum(1 for r in server.requests[:first] if r.path.startswith("/cdx"))
        rows = [_score(sessions, corpus, page) for corpus, page in pages]
    total = {key: sum(r[key] for r in rows) for key in rows[0] if key not in ("page", "labels_silent")}
    total["labels_silent"] = sum(len(r["labels_silent"]) for r in rows)
    digests = sum(r["distinct_digests"] for r in rows)
    return {
        "pages": rows,
        "total": total,
        "requests": {"first_run": first, "second_run": second, "floor": digests + cdx_pages,
                     "cdx_pages": cdx_pages},
        "seconds": round(seconds, 2),
    }


def _run(sessions, server, raw) -> int:
    before = len(server.requests)
    with sessions() as session:
        documents = find_documents(session)
    with WaybackClient(server.url, cdx_interval=0, capture_interval=0, pacer=Pacer()) as client:
        backfill(sessions, client, raw, documents)
    return len(server.requests) - before


def _score(sessions, corpus: Path, page) -> dict:
    labels = read_labels(page.folder(corpus))
    with sessions() as session:
        (document,) = [d for d in find_documents(session, page.provider) if d.name == page.document]
        captures = session.execute(
            select(Capture.timestamp, Capture.version_id, Capture.cdx_digest, Capture.invalid_reason)
            .where(Capture.document_id == document.id)).all()
        versions = len(session.scalars(select(Version.id).where(Version.document_id == document.id)).all())
    placed = sorted((c.timestamp, c.version_id) for c in captures if c.version_id is not None)
    version_of = {c.timestamp: c.version_id for c in captures}
    digest_of = {c.timestamp: c.cdx_digest for c in captures}
    ours, naive = Counter(), Counter()
    silent = []
    for ts, (prev, label) in labels.items():
        # The page's version at `prev` is that of the last placed capture up to it: a capture
        # not stored (the CDX collapses a repeated digest) or invalid shows the one before.
        before = bisect_right(placed, (prev, float("inf"))) - 1
        prev_version = placed[before][1] if before >= 0 else None
        new_version = version_of.get(ts) is not None and version_of.get(ts) != prev_version
        ours[label, new_version] += 1
        if label in ("noise", "markup") and labels_silent(page.folder(corpus), {t: lab for t, (_, lab) in labels.items()}, ts):
            silent.append((ts, new_version))
        naive[label, digest_of.get(ts) != digest_of.get(prev)] += 1
    return {
        "page": page.page_id,
        "captures": len(captures),
        "distinct_digests": len({c.cdx_digest for c in captures}),
        "invalid": sum(1 for c in captures if c.invalid_reason),
        "versions": versions,
        "changes": ours["change", True] + ours["change", False],
        "missed_changes": ours["change", False],
        "noise": ours["noise", True] + ours["noise", False],
        "false_noise": ours["noise", True],
        "markup": ours["markup", True] + ours["markup", False],
        "false_markup": ours["markup", True],
        "technical_versions": ours["technical", True],
        "labels_silent": [ts for ts, new in silent if new],
        "silent_transitions": len(silent),
        "baseline_false": naive["noise", True] + naive["markup", True],
        "baseline_missed": naive["change", False],
    }


COLUMNS = [("page", 44), ("captures", 8), ("versions", 8), ("changes", 7), ("missed_changes", 6),
           ("false_noise", 11), ("false_markup", 12), ("technical_versions", 9), ("invalid", 7),
           ("baseline_false", 14)]
HEADERS = {"missed_changes": "missed", "false_noise": "false/noise", "false_markup": "false/markup",
           "technical_versions": "technical", "baseline_false": "baseline false"}


def print_table(result: dict) -> None:
    header = "  ".join(HEADERS.get(name, name).ljust(width) for name, width in COLUMNS)
    print(header)
    print("-" * len(header))
    for row in result["pages"] + [{"page": "TOTAL", **result["total"]}]:
        print("  ".join(str(row[name]).ljust(width) for name, width in COLUMNS))
    t, r = result["total"], result["requests"]
    false, transitions, silent = t["false_noise"] + t["false_markup"], t["noise"] + t["markup"], t["labels_silent"]
    print()
    print(f"changes recorded:    {t['changes'] - t['missed_changes']}/{t['changes']}"
          f"   (baseline, bytes differ: {t['changes'] - t['baseline_missed']}/{t['changes']})")
    print(f"false versions:      {false}/{transitions} noise+markup transitions ({false / transitions:.1%})"
          f"   (baseline: {t['baseline_false']}; ratio ours/baseline "
          f"{false / t['baseline_false'] if t['baseline_false'] else 0:.2f})")
    if silent:
        where = ", ".join(f"{row['page']} {ts}" for row in result["pages"] for ts in row["labels_silent"])
        quiet = t["silent_transitions"]
        print(f"  labels silent:     {silent} of them, among {quiet} transitions inside OTA extraction outages ({where})")
        print(f"  without those:     {false - silent}/{transitions - quiet} "
              f"({(false - silent) / (transitions - quiet):.1%})")
    print(f"archive requests:    first run {r['first_run']}, second run {r['second_run']} "
          f"(CDX only), floor {r['floor']} = {r['floor'] - r['cdx_pages']} digests + {r['cdx_pages']} CDX pages;"
          f" ratio first/floor {r['first_run'] / r['floor']:.2f}")
    print(f"backfill time:       {result['seconds']} s for {t['captures']} captures")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", type=Path, help="corpus folder (repeatable)")
    parser.add_argument("--json", action="store_true", help="print one JSON object of the figures")
    args = parser.parse_args()
    corpus_dirs = args.corpus or ([SHARED] if SHARED.is_dir() else LOCAL)
    result = evaluate(corpus_dirs)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"corpus: {', '.join(map(str, corpus_dirs))}\n")
        print_table(result)


if __name__ == "__main__":
    main()
