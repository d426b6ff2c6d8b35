"""Storage growth and example-query time of the SQL store.

    scripts/with-postgres .venv/bin/python bench/store_growth.py [--versions 100]
        [--documents 10000] [--doc-versions 50] [--repeats 20] [--postgres URL]
        [--store FILE] [--examples FILE] [--json]

1. Bytes per version as one page's history grows: a real policy (the first LEX capture of
   tests/data/corpus, 96 clauses) gets a new version again and again, each changing 2
   clauses (and adding one every 10th), recorded by the tracker's own store
   (`versions.place_capture`). The baseline, measured in the same run and the same kind of
   database, is the naive store: every clause of every version as a row
   (versions x clauses). SQLite: the file's used pages; PostgreSQL (with --postgres or
   TRACKER_TEST_POSTGRES_URL): pg_total_relation_size of the tables.
2. The example queries of docs/sql.md, timed on a synthetic SQLite store of 10,000
   documents x 50 versions built with bulk inserts over the migrated schema (views, indexes
   and full-text search included), through `tracker sql`'s read-only runner, `--repeats`
   times each (median and 95th percentile). With --postgres (or TRACKER_TEST_POSTGRES_URL)
   the same store is copied into a scratch PostgreSQL database (migrated schema, COPY,
   VACUUM ANALYZE; bench/web.py serves the same copy) and the queries are timed there too, as the
   read-only role. Goal: each p95 under 200 ms. The baseline is a full scan of the
   clause_change table in the same run. (Synthetic clause changes carry a category on 10%
   and a flag on 3%; in the real corpus every clause change has a category, so
   changes-by-category reads more there.) `--store FILE` keeps the SQLite store, and reuses
   it when it exists: both benches can then measure one store of 100,000 documents (x 50
   versions: built in about 4 minutes, copied into PostgreSQL in 6, on the 2-core machine).
   `--examples FILE` times another file's queries instead (bench/store_wide.md: the
   examples that name providers, for the whole store).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlalchemy as sa

from tracker.config import Config
from tracker.normalize import (
    Block,
    normalize,
    word_count,
)
from tracker.read.sql import console_url, example_queries, run_query
from tracker.store.db import open_database
from tracker.store.models import Capture, Document, Provider
from tracker.store.readonly import grant_readonly
from tracker.versions import place_capture

PAGE = REPO / "tests" / "data" / "corpus" / "archive" / "dating--lex--privacy-policy" / "20220628092935.html"
CHECKPOINTS = (1, 10, 25, 50, 100, 200)
START = datetime(2005, 1, 1)
GOAL_MS = 200
TABLES = ("provider", "document", "clause", "version", "capture", "version_clause", "change", "clause_change")


# ---- 1. storage as a page's history grows -------------------------------------------------

def evolve(blocks: list[Block], step: int, rng: random.Random) -> list[Block]:
    """The next version: two clauses reworded, and one clause added every 10th version."""
    blocks = list(blocks)
    for index in rng.sample(range(len(blocks)), 2):
        b = blocks[index]
        blocks[index] = Block(b.kind, f"{b.text} (revised in version {step})", b.section, b.level)
    if step % 10 == 0:
        blocks.insert(rng.randrange(len(blocks)), Block("paragraph", f"A new clause of version {step}.", (), 0))
    return blocks


def storage_growth(url: str, naive_url: str, versions: int) -> list[dict]:
    sessions = open_database(url)
    naive = sa.create_engine(naive_url)
    with naive.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE naive_version_clause (version INTEGER, position INTEGER, "
                             "kind VARCHAR(16), section TEXT, text TEXT)")
    blocks = list(normalize(PAGE.read_bytes()).blocks)
    rng = random.Random(6)
    rows = []
    with sessions.begin() as session:
        provider = Provider(name="growth")
        session.add(provider)
        session.flush()
        document = Document(provider_id=provider.id, name="Privacy Policy")
        session.add(document)
        session.flush()
        document_id = document.id
    for step in range(1, versions + 1):
        if step > 1:
            blocks = evolve(blocks, step, rng)
        when = START + timedelta(days=30 * step)
        with sessions.begin() as session:
            capture = Capture(document_id=document_id, url="https://example.com/privacy",
                              timestamp=f"{when:%Y%m%d%H%M%S}", captured_at=when, urlkey="com,example)/privacy",
                              mimetype="text/html", statuscode="200", cdx_digest=f"D{step}", length="1",
                              state="fetched")
            session.add(capture)
            session.flush()
            place_capture(session, capture, tuple(blocks))
        with naive.begin() as conn:
            conn.execute(sa.text("INSERT INTO naive_version_clause VALUES (:v, :p, :k, :s, :t)"),
                         [{"v": step, "p": i, "k": b.kind, "s": json.dumps(b.section), "t": b.text}
                          for i, b in enumerate(blocks)])
        if step in CHECKPOINTS or step == versions:
            store = database_bytes(sessions.kw["bind"])
            baseline = database_bytes(naive, ["naive_version_clause"])
            previous = rows[-1] if rows else {"versions": 0, "store_bytes": 0, "naive_bytes": 0}
            span = step - previous["versions"]
            rows.append({"versions": step, "clauses": len(blocks), "store_bytes": store,
                         "naive_bytes": baseline, "store_per_version": store // step,
                         "naive_per_version": baseline // step,
                         "store_added_per_version": (store - previous["store_bytes"]) // span,
                         "naive_added_per_version": (baseline - previous["naive_bytes"]) // span,
                         "ratio": round(store / baseline, 3)})
    sessions.kw["bind"].dispose()
    naive.dispose()
    return rows


def database_bytes(engine: sa.Engine, tables: list[str] | None = None) -> int:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
            free = conn.exec_driver_sql("PRAGMA freelist_count").scalar()
            return (pages - free) * conn.exec_driver_sql("PRAGMA page_size").scalar()
        if tables is None:
            tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
        return sum(conn.execute(sa.text("SELECT pg_total_relation_size(:t)"), {"t": t}).scalar() for t in tables)


# ---- 2. example queries on a synthetic store ----------------------------------------------

def build_synthetic(path: Path, documents: int, versions: int, clauses: int = 30) -> dict:
    """A store of `documents` x `versions`, shaped as the tracker writes it (one clause
    reworded per version, occurrences valid over version ranges), inserted in bulk."""
    url = f"sqlite:///{path}"
    open_database(url).kw["bind"].dispose()  # the migrated schema: views, indexes, FTS
    rng = random.Random(6)
    base = [b.text for b in normalize(PAGE.read_bytes()).blocks if len(b.text) > 40]
    extra = ["Our Services are not aimed at children, and we do not knowingly collect their data.",
             "We do not sell your personal information to third parties.",
             "We keep your data for 30 days after you close your account."]
    pool = extra + [f"{rng.choice(base)} ({i})" for i in range(20000)]
    names = ["LEX", "DeepSeek", "voip.com"] + [f"provider-{i:05d}" for i in range(3, documents)]
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    with db:
        db.executemany("INSERT INTO clause (id, hash, text, word_count, categories) VALUES (?, ?, ?, ?, '[]')",
                       [(i + 1, hashlib.sha256(t.encode()).hexdigest(), t, word_count(t)) for i, t in enumerate(pool)])
        db.executemany("INSERT INTO provider (id, name, created_at) VALUES (?, ?, ?)",
                       [(d + 1, names[d], START) for d in range(documents)])
        db.executemany("INSERT INTO document (id, provider_id, name, created_at) VALUES (?, ?, 'Privacy Policy', ?)",
                       [(d + 1, d + 1, START) for d in range(documents)])
        for d in range(documents):
            _synthetic_document(db, rng, d + 1, versions, clauses, len(pool))
    db.close()
    return {"documents": documents, "versions_each": versions, "build_seconds": round(time.perf_counter() - started, 1),
            "bytes": path.stat().st_size}


def _synthetic_document(db, rng, doc, versions, clauses, pool_size) -> None:
    current = [rng.randrange(pool_size) + 1 for _ in range(clauses)]
    if doc <= 3 or doc % 50 == 0:  # children (DeepSeek's), selling (LEX's), retention (voip.com's)
        current[0] = {1: 2, 2: 1, 0: 3}[doc % 3]
    occurrence = [None] * clauses  # [first_seq, sort_key] of the open occurrence per position
    vc_rows, capture_rows, version_rows, change_rows, cc_rows = [], [], [], [], []
    base_id = (doc - 1) * versions
    for i in range(clauses):
        occurrence[i] = [1, (i + 1) * 1024]
    for seq in range(1, versions + 1):
        vid = base_id + seq
        when = START + timedelta(days=120 * seq, minutes=doc)
        capture_rows.append((vid, doc, "https://example.com/privacy", f"{when:%Y%m%d%H%M%S}", when, "k",
                             "text/html", "200", f"D{vid}", "1", "fetched", vid))
        if seq > 1:
            position = rng.randrange(clauses)
            first_seq, key = occurrence[position]
            vc_rows.append((doc, current[position], key, first_seq, seq - 1))
            old = current[position]
            current[position] = 2 if rng.random() < 0.002 else rng.randrange(pool_size) + 1
            occurrence[position] = [seq, key]
            change_rows.append((vid, doc, vid - 1, vid, when))
            flags = '["number_changed"]' if rng.random() < 0.03 else "[]"
            categories = '["third_party_sharing_collection"]' if rng.random() < 0.1 else "[]"
            cc_rows.append((vid, 1, "modified", old, current[position], position, position, 0.5, flags, categories))
        version_rows.append((vid, doc, seq, when, when + timedelta(days=119), vid, vid, clauses, 40 * clauses + seq))
    for i in range(clauses):
        vc_rows.append((doc, current[i], occurrence[i][1], occurrence[i][0], None))
    db.executemany("INSERT INTO capture (id, document_id, url, timestamp, captured_at, urlkey, mimetype, statuscode, "
                   "cdx_digest, length, state, attempts, version_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,0,?)", capture_rows)
    db.executemany("INSERT INTO version (id, document_id, seq, first_seen, last_seen, first_capture_id, last_capture_id, "
                   "capture_count, clause_hash, clause_count, word_count, normalizer_version, created_at) "
                   "VALUES (?,?,?,?,?,?,?,1,'h',?,?,'1',?)", [r + (START,) for r in version_rows])
    db.executemany("INSERT INTO version_clause (document_id, clause_id, sort_key, kind, level, section, first_seq, last_seq) "
                   "VALUES (?,?,?,'paragraph',0,'[]',?,?)", vc_rows)
    db.executemany("INSERT INTO change (id, document_id, from_version_id, to_version_id, added, removed, modified, moved, "
                   "unchanged, material, technical, created_at) VALUES (?,?,?,?,0,0,1,0,29,1,0,?)", change_rows)
    db.executemany("INSERT INTO clause_change (change_id, ordinal, kind, old_clause_id, new_clause_id, old_position, "
                   "new_position, similarity, moved, flags, categories) VALUES (?,?,?,?,?,?,?,?,0,?,?)", cc_rows)


def synthetic_store(path: Path, documents: int, versions: int) -> dict:
    """The synthetic store at `path`: built, or reused when the file exists (it must have
    been built with the same sizes; its schema is upgraded in place, as every command does)."""
    if path.exists():
        open_database(f"sqlite:///{path}").kw["bind"].dispose()
        return {"documents": documents, "versions_each": versions, "build_seconds": 0, "bytes": path.stat().st_size}
    return build_synthetic(path, documents, versions)


def copy_to_postgres(sqlite_path: Path, admin_url: str, prefix: str = "bench_synthetic") -> tuple[str, str]:
    """The synthetic store copied into a fresh PostgreSQL database on the server of
    `admin_url` (migrated schema, COPY, ANALYZE, the read-only role granted): its URL (as the
    owner) and its name, for drop_database."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"{prefix}_{os.getpid()}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    libpq = admin.url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    admin.dispose()
    open_database(url).kw["bind"].dispose()
    source = sqlite3.connect(sqlite_path)
    import psycopg

    with psycopg.connect(libpq) as target:
        for table in TABLES:
            cursor = source.execute(f'SELECT * FROM "{table}"')
            columns = ", ".join(f'"{d[0]}"' for d in cursor.description)
            with target.cursor().copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                for row in cursor:
                    copy.write_row(row)
    source.close()
    with psycopg.connect(libpq, autocommit=True) as owner:
        owner.execute("VACUUM ANALYZE")  # as autovacuum leaves a table that has settled
        grant_readonly(owner)  # `tracker sql` and `tracker serve` run as the read-only role
    return url, name


def drop_database(admin_url: str, name: str) -> None:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


def time_queries(url: str, repeats: int, examples: Path) -> list[dict]:
    """Each example query of `examples` (in the database's dialect) `repeats` times through
    `tracker sql`'s runner, after one untimed run."""
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    console = console_url(Config(database_url=url))  # on PostgreSQL the read-only role

    def timed(sql: str) -> tuple[list[float], int]:
        times, count = [], len(run_query(console, sql).rows)
        for _ in range(repeats):
            started = time.perf_counter()
            count = len(run_query(console, sql).rows)
            times.append((time.perf_counter() - started) * 1000)
        return times, count

    baseline, _ = timed("SELECT count(*) FROM clause_change WHERE similarity >= 0")
    floor = statistics.median(baseline)
    results = []
    for example in [*example_queries(examples), None]:
        key = example.key if example else "(baseline: full scan of clause_change)"
        times, count = timed(example.sql[dialect]) if example else (baseline, 1)
        ms = statistics.median(times)
        results.append({"query": key, "ms": round(ms, 1), "p95_ms": round(p95(times), 1), "rows": count,
                        "vs_full_scan": round(ms / floor, 2), "under_200ms": p95(times) < GOAL_MS})
    return results


# ---- output --------------------------------------------------------------------------------

def print_growth(title: str, rows: list[dict]) -> None:
    print(f"\n{title}: bytes per version, tracker store vs naive versions x clauses")
    print("(B/ver: total / versions; +B/ver: bytes added per version since the previous line)")
    print(f"{'versions':>8} {'clauses':>7} {'store B':>11} {'naive B':>11} {'store B/ver':>11} "
          f"{'naive B/ver':>11} {'store +B/ver':>12} {'naive +B/ver':>12} {'store/naive':>11}")
    for r in rows:
        print(f"{r['versions']:>8} {r['clauses']:>7} {r['store_bytes']:>11,} {r['naive_bytes']:>11,} "
              f"{r['store_per_version']:>11,} {r['naive_per_version']:>11,} "
              f"{r['store_added_per_version']:>12,} {r['naive_added_per_version']:>12,} {r['ratio']:>11}")


def print_queries(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    print(f"{'query':<42} {'median ms':>9} {'p95 ms':>8} {'rows':>7} {'x scan':>7}  p95 < {GOAL_MS} ms")
    for r in rows:
        print(f"{r['query']:<42} {r['ms']:>9} {r['p95_ms']:>8} {r['rows']:>7} {r['vs_full_scan']:>7}  "
              f"{'yes' if r['under_200ms'] else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=100, help="versions of the growing page")
    parser.add_argument("--documents", type=int, default=10000)
    parser.add_argument("--doc-versions", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=20, help="timed runs of each example query")
    parser.add_argument("--postgres", default=os.environ.get("TRACKER_TEST_POSTGRES_URL"),
                        help="a PostgreSQL URL (an empty database, or the test server's) for the PostgreSQL half")
    parser.add_argument("--store", type=Path, help="keep the synthetic SQLite store in this file, "
                        "and reuse it when it exists (it must have been built with the same sizes)")
    parser.add_argument("--examples", type=Path, default=REPO / "docs" / "sql.md",
                        help="the Markdown file whose example queries are timed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        figures["growth_sqlite"] = storage_growth(f"sqlite:///{tmp}/growth.db", f"sqlite:///{tmp}/naive.db",
                                                  args.versions)
        if args.postgres:
            figures["growth_postgresql"] = postgres_growth(args.postgres, args.versions)
        path = args.store or Path(tmp) / "synthetic.db"
        figures["synthetic"] = synthetic_store(path, args.documents, args.doc_versions)
        figures["queries_sqlite"] = time_queries(f"sqlite:///{path}", args.repeats, args.examples)
        if args.postgres:
            started = time.perf_counter()
            url, name = copy_to_postgres(path, args.postgres)
            figures["synthetic"]["copy_seconds"] = round(time.perf_counter() - started, 1)
            try:
                figures["queries_postgresql"] = time_queries(url, args.repeats, args.examples)
            finally:
                drop_database(args.postgres, name)
    if args.json:
        print(json.dumps(figures))
        return
    print_growth("SQLite", figures["growth_sqlite"])
    if "growth_postgresql" in figures:
        print_growth("PostgreSQL", figures["growth_postgresql"])
    s = figures["synthetic"]
    shape = (f"{s['documents']:,} documents x {s['versions_each']} versions ({s['bytes'] / 1e6:,.0f} MB on SQLite, "
             f"built in {s['build_seconds']} s); {args.repeats} runs each")
    print_queries(f"Example queries of {args.examples.name} on SQLite, {shape}", figures["queries_sqlite"])
    if "queries_postgresql" in figures:
        print_queries(f"The same on PostgreSQL (copied in {s['copy_seconds']} s)", figures["queries_postgresql"])


def postgres_growth(admin_url: str, versions: int) -> list[dict]:
    """The growth figures on PostgreSQL, in two scratch databases made on that server."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    suffix = os.getpid()
    names = [f"bench_store_{suffix}", f"bench_naive_{suffix}"]
    with admin.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    urls = [admin.url.set(database=n).render_as_string(hide_password=False) for n in names]
    admin.dispose()
    try:
        return storage_growth(*urls, versions)
    finally:
        for name in names:
            drop_database(admin_url, name)


if __name__ == "__main__":
    main()
