"""Shared test fixtures: database URLs (SQLite and PostgreSQL) and corpus paths.

PostgreSQL tests need TRACKER_TEST_POSTGRES_URL, which `make test` sets by
running pytest through scripts/with-postgres (a throwaway server). Without it
the postgresql parametrisation is skipped, never failed.
"""

import os
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from corpora import SAMPLE_CORPUS, SHARED_CORPUS, TEST_CORPUS, register_corpora
from readonly_role import read_only_url

# The `archive` and `inbox` fixtures of the digest, mailer and scheduler tests.
pytest_plugins = ["mail_world"]

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


def pytest_configure(config):
    config.addinivalue_line("markers", "migrated: `database_url` gives a database already at the current schema "
                                       "(a copy of one migrated once per session), not an empty one")


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory) -> Path:
    """A SQLite file migrated to the current schema once per session, for `database_url` to
    copy in tests marked `migrated` (WAL checkpointed: the file alone is the database)."""
    from tracker.store.db import open_database

    path = tmp_path_factory.mktemp("migrated-sqlite") / "tracker.db"
    open_database(f"sqlite:///{path}").kw["bind"].dispose()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()  # the last connection: SQLite removes the -wal file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="session")
def migrated_postgres_database(postgres_admin_engine):
    """The name of a PostgreSQL database migrated to the current schema once per session, the
    template `database_url` copies in tests marked `migrated` (no connection is left on it:
    CREATE DATABASE ... TEMPLATE needs it idle)."""
    from tracker.store.db import open_database

    name = f"t_migrated_{uuid.uuid4().hex}"
    with postgres_admin_engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = postgres_admin_engine.url.set(database=name).render_as_string(hide_password=False)
        open_database(url).kw["bind"].dispose()
        yield name
    finally:
        with postgres_admin_engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A URL to an empty database of its own for each test, on each backend. In a test marked
    `migrated` the database is already at the current schema, copied from one migrated once
    per session (about 0.3 s of migrations saved a test): for tests whose subject is not the
    schema, its migrations or a first opening (docs/development.md)."""
    migrated = request.node.get_closest_marker("migrated") is not None
    if request.param == "sqlite":
        if migrated:
            shutil.copyfile(request.getfixturevalue("migrated_sqlite_file"), tmp_path / "tracker.db")
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return

    admin = request.getfixturevalue("postgres_admin_engine")
    template = f' TEMPLATE "{request.getfixturevalue("migrated_postgres_database")}"' if migrated else ""
    name = f"t_{uuid.uuid4().hex}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"{template}'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        # FORCE: a connection the test forgot to close must not keep it alive.
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def sessions(database_url):
    """A session factory on the test's own database (`database_url`), upgraded to the current
    schema; its engine is disposed at teardown, so no connection outlives the test."""
    from tracker.store.db import open_database

    factory = open_database(database_url)
    yield factory
    factory.kw["bind"].dispose()


def backfill_corpora(url: str, snapshots: Path) -> None:
    """Track every page of the sample and test corpora in the database at `url` and backfill
    them through the archive server on loopback."""
    from tracker.archive import ArchiveServer
    from tracker.backfill import backfill
    from tracker.store.db import open_database
    from tracker.store.documents import find_documents
    from tracker.store.rawstore import RawStore
    from tracker.wayback import Pacer, WaybackClient

    register_corpora(url, SAMPLE_CORPUS, TEST_CORPUS)
    sessions = open_database(url)
    with sessions() as session:
        documents = find_documents(session)
    with ArchiveServer(SAMPLE_CORPUS, TEST_CORPUS) as server:
        with WaybackClient(server.url, cdx_interval=0, capture_interval=0, backoff=0.01,
                           pacer=Pacer()) as client:
            backfill(sessions, client, RawStore(snapshots), documents)
    sessions.kw["bind"].dispose()


@pytest.fixture(scope="session")
def corpus_sqlite_url(tmp_path_factory):
    """The SQLite database of `corpus_database_url`, for a test that wants it whatever backend
    it runs on (the crash-safety test compares its own runs with it). Tests only read it."""
    workdir = tmp_path_factory.mktemp("corpus-sqlite")
    url = f"sqlite:///{workdir / 'tracker.db'}"
    backfill_corpora(url, workdir / "snapshots")
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def corpus_database_url(request, tmp_path_factory):
    """A database holding the backfill of the sample and test corpora (voip.com, onebox.com,
    avoxi.com, LEX, DeepSeek, Bolt.new) through the archive server on loopback, made once per
    session on each backend. Tests only read it."""
    if request.param == "sqlite":
        yield request.getfixturevalue("corpus_sqlite_url")
        return
    admin = request.getfixturevalue("postgres_admin_engine")
    name = f"t_corpus_{uuid.uuid4().hex}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        backfill_corpora(url, tmp_path_factory.mktemp("corpus-postgresql") / "snapshots")
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def corpus_sessions(corpus_database_url):
    """A session factory on the backfilled corpus database of `corpus_database_url`: read only."""
    from tracker.store.db import open_database

    factory = open_database(corpus_database_url)
    yield factory
    factory.kw["bind"].dispose()


@pytest.fixture
def tracker_cli(tmp_path, database_url):
    """The `tracker` command line, run in-process against a fresh database and raw store, with
    no pacing and no config file. Set `tracker_cli.env["TRACKER_WAYBACK_URL"]` to an
    ArchiveServer's url before commands that reach the archive."""
    from click.testing import CliRunner

    from tracker.cli import main

    (tmp_path / "absent.toml").write_text("")
    env = {
        "TRACKER_DATABASE_URL": database_url,
        "TRACKER_SNAPSHOTS_DIR": str(tmp_path / "snapshots"),
        "TRACKER_CDX_INTERVAL": "0",
        "TRACKER_CAPTURE_INTERVAL": "0",
        "TRACKER_CONFIG": str(tmp_path / "absent.toml"),
    }
    if database_url.startswith("postgresql"):
        # `tracker sql` runs only as the read-only role: set up on the empty database, it
        # reads every table the migrations create (default privileges).
        read_only_url(database_url)

    def invoke(*args, ok=True):
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        assert "Traceback" not in result.output
        return result

    invoke.env = env
    return invoke
