"""Crash safety: a `tracker backfill` process killed (SIGKILL) at random points and started
again ends with exactly the rows of an uninterrupted run.

The interrupted runs are real processes against the archive server on loopback; the
reference is the session's uninterrupted backfill of the same corpora (`corpus_sqlite_url`).
The dump compares every table of the schema, with ids (also inside JSON id lists) replaced
by the natural key of the row they point to and wall-clock columns (created_at,
fetched_at...) left out: ids may legitimately differ (PostgreSQL sequences do not roll back).
"""

import os
import random
import signal
import subprocess
import sys
import time

import sqlalchemy as sa

from tracker.archive import ArchiveServer, corpus_pages
from tracker.store.db import open_database
from tracker.store.documents import add_document
from tracker.store.models import Base

WALL_CLOCK = {"created_at", "fetched_at", "added_at", "updated_at", "sent_at", "started_at",
              "finished_at"}
ID_COLUMNS = {("version", "first_capture_id"): "capture", ("version", "last_capture_id"): "capture"}
# JSON lists of ids (split/merged clause changes): ids differ legitimately between runs too.
ID_LIST_COLUMNS = {("clause_change", "old_clause_ids"): "clause", ("clause_change", "new_clause_ids"): "clause"}
KILLS = 3


def register(url, *corpora):
    sessions = open_database(url)
    with sessions.begin() as session:
        for corpus in corpora:
            for page in corpus_pages(corpus):
                for page_url in page.urls:
                    add_document(session, page_url, page.provider, page.document)
    sessions.kw["bind"].dispose()


def dump(url) -> dict[str, list[str]]:
    """Every table's rows, ids replaced by natural keys, sorted."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    with engine.connect() as conn:
        rows = {name: conn.execute(sa.select(t)).mappings().all() for name, t in tables.items()}
    engine.dispose()
    by_id = {name: {r["id"]: r for r in table_rows} for name, table_rows in rows.items()
             if "id" in tables[name].c}

    def target(table, column):
        if (table.name, column.name) in ID_COLUMNS:
            return ID_COLUMNS[table.name, column.name]
        return next((fk.column.table.name for fk in column.foreign_keys), None)

    def value(table, column, raw):
        listed = ID_LIST_COLUMNS.get((table.name, column.name))
        if listed and raw is not None:
            return tuple(natural(listed, i) for i in raw)
        referenced = target(table, column)
        return natural(referenced, raw) if referenced and raw is not None else raw

    def natural(name, row_id):
        table, row = tables[name], by_id[name][row_id]
        unique = next((list(c.columns) for c in table.constraints
                       if isinstance(c, sa.UniqueConstraint)), None)
        unique = unique or [c for c in table.c if c.unique] or [c for c in table.c if c.name != "id"]
        return (name, *(value(table, c, row[c.name]) for c in unique))

    out = {}
    for name, table in tables.items():
        columns = [c for c in table.c if c.name != "id" and c.name not in WALL_CLOCK]
        out[name] = sorted(repr(tuple(value(table, c, r[c.name]) for c in columns)) for r in rows[name])
    return out


def test_killed_backfills_end_with_the_rows_of_an_uninterrupted_run(database_url, corpus_sqlite_url, sample_corpus,
                                                                    test_corpus, tmp_path):
    seed = int(os.environ.get("TRACKER_RESUME_SEED", random.randrange(10**6)))
    chance = random.Random(seed)
    register(database_url, sample_corpus, test_corpus)
    with ArchiveServer(sample_corpus, test_corpus) as archive:
        env = {**os.environ, "TRACKER_DATABASE_URL": database_url, "TRACKER_WAYBACK_URL": archive.url,
               "TRACKER_SNAPSHOTS_DIR": str(tmp_path / "snapshots"), "TRACKER_CDX_INTERVAL": "0",
               "TRACKER_CAPTURE_INTERVAL": "0.04", "TRACKER_CONFIG": os.devnull}
        command = [sys.executable, "-m", "tracker.cli", "-v", "backfill", "--quiet"]
        killed = 0
        for _ in range(KILLS):
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            time.sleep(chance.uniform(0.6, 2.5))  # from start-up to the last derivations
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed += 1
            process.wait()
        final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    assert killed >= 1, f"no run was interrupted (seed {seed})"
    # The person following along sees one line per document.
    assert "INFO tracker.backfill: LEX / Privacy Policy: listed" in final.stderr
    expected = dump(corpus_sqlite_url)
    assert len(expected["capture"]) == 43 and expected["version"] and expected["clause_change"]
    got = dump(database_url)
    differences = {name: {"missing": sorted(set(rows) - set(got[name]))[:2],
                          "extra": sorted(set(got[name]) - set(rows))[:2]}
                   for name, rows in expected.items() if got[name] != rows}
    assert not differences, f"seed {seed}: {differences}"
