"""Shared test fixtures: database URLs (SQLite and PostgreSQL) and corpus paths.

PostgreSQL tests need TRACKER_TEST_POSTGRES_URL, which `make test` sets by
running pytest through scripts/with-postgres (a throwaway server). Without it
the postgresql parametrisation is skipped, never failed.
"""

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
SAMPLE_CORPUS = REPO / "tracker" / "sample" / "corpus"
TEST_CORPUS = REPO / "tests" / "data" / "corpus"
SHARED_CORPUS = REPO.parent / "shared" / "corpus"

POSTGRES_ENV = "TRACKER_TEST_POSTGRES_URL"
POSTGRES_SKIP = f"{POSTGRES_ENV} not set (run the tests through scripts/with-postgres or make test)"


@pytest.fixture
def sample_corpus() -> Path:
    return SAMPLE_CORPUS


@pytest.fixture
def test_corpus() -> Path:
    return TEST_CORPUS


@pytest.fixture
def shared_corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus not present (full-corpus test)")
    return SHARED_CORPUS


@pytest.fixture(scope="session")
def postgres_admin_engine():
    """AUTOCOMMIT engine on the server's tracker_test db (CREATE/DROP DATABASE
    cannot run inside a transaction). Skips when no server was given."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(POSTGRES_SKIP)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A URL to an empty database of its own for each test, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return

    admin = request.getfixturevalue("postgres_admin_engine")
    name = f"t_{uuid.uuid4().hex}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        # FORCE: a connection the test forgot to close must not keep it alive.
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
