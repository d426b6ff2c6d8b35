"""Checks of the test harness itself (tests/conftest.py, scripts/with-postgres)."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from corpora import SAMPLE_CORPUS, TEST_CORPUS

_seen: dict[str, list[str]] = {"sqlite": [], "postgresql": []}


def test_database_url_connects(database_url):
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                version = conn.execute(sa.text("SELECT version()")).scalar_one()
                assert "PostgreSQL" in version
            else:
                assert engine.dialect.name == "sqlite"
                conn.execute(sa.text("SELECT sqlite_version()")).scalar_one()
    finally:
        engine.dispose()


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_gets_a_fresh_database(database_url, run):
    """Run twice per backend: each run must get a new, empty database, and the
    previous run's database must be gone (PostgreSQL) or elsewhere (SQLite)."""
    engine = sa.create_engine(database_url)
    backend = engine.dialect.name
    try:
        if backend == "sqlite":
            assert not Path(engine.url.database).exists()
        with engine.begin() as conn:
            assert not sa.inspect(conn).has_table("marker")
            conn.execute(sa.text("CREATE TABLE marker (id INTEGER)"))
            if backend == "postgresql":
                # Databases of earlier tests were dropped at their teardown.
                names = conn.execute(sa.text("SELECT datname FROM pg_database")).scalars().all()
                assert not set(_seen[backend]) & set(names)
                _seen[backend].append(engine.url.database)
            else:
                _seen[backend].append(str(engine.url.database))
    finally:
        engine.dispose()
    assert len(set(_seen[backend])) == len(_seen[backend])


def test_corpus_paths(sample_corpus, test_corpus):
    assert sample_corpus == SAMPLE_CORPUS and sample_corpus.is_dir()
    assert test_corpus == TEST_CORPUS and test_corpus.is_dir()
