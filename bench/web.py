"""Response times of the web view (`tracker serve`) on a large store.

    scripts/with-postgres .venv/bin/python bench/web.py [--documents 10000] [--doc-versions 50]
        [--requests 40] [--postgres URL] [--store FILE] [--json]

The store is the one bench/store_growth.py builds (10,000 documents x 50 versions by
default, built with its builder), on SQLite and, with --postgres or
TRACKER_TEST_POSTGRES_URL, copied into a scratch PostgreSQL database. `tracker serve` runs as
its own process (as a person would run it); this process asks each page and API route
`--requests` times, spreading the requests over 20 documents, after 3 warm-up requests, and
prints the median and 95th percentile. Goal: every route's p95 under 150 ms. The baseline,
measured in the same run, is the static stylesheet (HTTP and framework, no database).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from store_growth import copy_to_postgres, drop_database, p95, synthetic_store

GOAL_MS = 150
CATEGORY = "third_party_sharing_collection"  # the synthetic store's one category


def routes(documents: int, versions: int) -> dict[str, object]:
    """Route name -> a function of the request number giving the path (20 documents in turn)."""
    mid = versions // 2

    def doc(i: int) -> int:
        return 1 + (i * 7919) % documents if i % 20 else documents // 2

    return {
        "(baseline: static stylesheet)": lambda i: "/static/style.css",
        "page: providers": lambda i: "/",
        "page: providers, a later page": lambda i: f"/?after={doc(i)}",
        "page: timeline": lambda i: f"/documents/{doc(i)}",
        "page: version": lambda i: f"/documents/{doc(i)}/versions/{mid}",
        "page: step": lambda i: f"/documents/{doc(i)}/diff?from=v{mid - 1}&to=v{mid}",
        "page: step, two dates, material, side": lambda i: f"/documents/{doc(i)}/diff?from=2008&to=2015&material=true&view=side",
        "page: clause history": lambda i: f"/documents/{doc(i)}/clauses/{1 + (i * 131) % 20000}",
        "page: search": lambda i: "/search?q=sell+your+personal+information",
        "api: documents": lambda i: f"/api/documents?after={doc(i)}",
        "api: document": lambda i: f"/api/documents/{doc(i)}",
        "api: versions": lambda i: f"/api/documents/{doc(i)}/versions",
        "api: version": lambda i: f"/api/documents/{doc(i)}/versions/{mid}",
        "api: version at a date": lambda i: f"/api/documents/{doc(i)}/at/2012-06-30",
        "api: changes since a date": lambda i: "/api/changes?since=2020&limit=100",
        "api: changes, category + material": lambda i: f"/api/changes?category={CATEGORY}&material=true&limit=100",
        "api: one change": lambda i: f"/api/changes/{(doc(i) - 1) * versions + mid}",
        "feed: all material changes": lambda i: "/feeds/changes.atom",
        "feed: provider": lambda i: f"/feeds/providers/provider-{max(doc(i) - 1, 3):05d}.atom",
        "feed: document": lambda i: f"/feeds/documents/{doc(i)}.atom",
        "feed: category": lambda i: f"/feeds/categories/{CATEGORY}.atom",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(database_url: str, documents: int, versions: int, count: int) -> list[dict]:
    port = free_port()
    env = {**os.environ, "TRACKER_DATABASE_URL": database_url, "TRACKER_CONFIG": "/dev/null"}
    server = subprocess.Popen([sys.executable, "-c", "from tracker.cli import main; main()", "serve",
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    http = requests.Session()
    try:
        for _ in range(600):
            try:
                http.get(base + "/static/style.css", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        results = []
        for name, path in routes(documents, versions).items():
            for i in range(3):
                http.get(base + path(i), timeout=60)
            times = []
            for i in range(count):
                started = time.perf_counter()
                response = http.get(base + path(i + 3), timeout=60)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{name}: {path(i + 3)} answered {response.status_code}: {response.text[:200]}")
            times.sort()
            results.append({"route": name, "median_ms": round(statistics.median(times), 1),
                            "p95_ms": round(p95(times), 1),
                            "bytes": len(response.content)})
        floor = results[0]["median_ms"]
        for row in results:
            row["vs_baseline"] = round(row["median_ms"] / floor, 1)
            row["p95_under_goal"] = row["p95_ms"] < GOAL_MS
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    print(f"{'route':<40} {'median ms':>9} {'p95 ms':>8} {'x static':>8} {'bytes':>9}  p95 < {GOAL_MS} ms")
    for r in rows:
        print(f"{r['route']:<40} {r['median_ms']:>9} {r['p95_ms']:>8} {r['vs_baseline']:>8} {r['bytes']:>9,}  "
              f"{'yes' if r['p95_under_goal'] else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10000)
    parser.add_argument("--doc-versions", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per route")
    parser.add_argument("--postgres", default=os.environ.get("TRACKER_TEST_POSTGRES_URL"),
                        help="a PostgreSQL server URL for the PostgreSQL half")
    parser.add_argument("--store", type=Path, help="keep the synthetic SQLite store in this file, "
                        "and reuse it when it exists (it must have been built with the same sizes)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or Path(tmp) / "synthetic.db"
        figures["store"] = synthetic_store(path, args.documents, args.doc_versions)
        figures["sqlite"] = measure(f"sqlite:///{path}", args.documents, args.doc_versions, args.requests)
        if args.postgres:
            url, name = copy_to_postgres(path, args.postgres, "bench_web")
            try:
                figures["postgresql"] = measure(url, args.documents, args.doc_versions, args.requests)
            finally:
                drop_database(args.postgres, name)
    if args.json:
        import json

        print(json.dumps(figures))
        return
    s = figures["store"]
    shape = f"{s['documents']:,} documents x {s['versions_each']} versions, {args.requests} requests per route"
    print_table(f"tracker serve on SQLite ({shape}, {s['bytes'] / 1e6:,.0f} MB)", figures["sqlite"])
    if "postgresql" in figures:
        print_table(f"tracker serve on PostgreSQL ({shape})", figures["postgresql"])


if __name__ == "__main__":
    main()
