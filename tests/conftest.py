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

# The `archive` and `inbox` fixtures of the digest, mailer and scheduler tests.
pytest_plugins = ["mail_world"]

POSTGRES_ENV = "TRACKER_TEST_POSTGRES_URL"
POSTGRES_SKIP = f"{POSTGRES_ENV} not set (run the tests through scripts/with-postgres or make test)"


def read_only_url(url: str) -> str:
    """The URL `tracker sql` uses for database `url`, its read-only role set up first on
    PostgreSQL (as `tracker db grant-readonly` does)."""
    if url.startswith("sqlite"):
        return url
    import psycopg

    from tracker.config import Config
    from tracker.read.sql import console_url
    from tracker.store.readonly import grant_readonly

    libpq = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as connection:
        grant_readonly(connection)
    return console_url(Config(database_url=url))


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


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def corpus_database_url(request, tmp_path_factory):
    """A database holding the backfill of the sample and test corpora (voip.com, onebox.com,
    avoxi.com, LEX, DeepSeek, Bolt.new) through the archive server on loopback, made once per
    session on each backend. Tests only read it."""
    from tracker.archive import ArchiveServer, corpus_pages
    from tracker.backfill import backfill
    from tracker.store.db import open_database
    from tracker.store.documents import add_document, find_documents
    from tracker.store.rawstore import RawStore
    from tracker.wayback import Pacer, WaybackClient

    workdir = tmp_path_factory.mktemp(f"corpus-{request.param}")
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{workdir / 'tracker.db'}"
    else:
        admin = request.getfixturevalue("postgres_admin_engine")
        name = f"t_corpus_{uuid.uuid4().hex}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = admin.url.set(database=name).render_as_string(hide_password=False)
    sessions = open_database(url)
    with sessions.begin() as session:
        for corpus in (SAMPLE_CORPUS, TEST_CORPUS):
            for page in corpus_pages(corpus):
                for page_url in page.urls:
                    add_document(session, page_url, page.provider, page.document)
    with sessions() as session:
        documents = find_documents(session)
    with ArchiveServer(SAMPLE_CORPUS, TEST_CORPUS) as server:
        with WaybackClient(server.url, cdx_interval=0, capture_interval=0, backoff=0.01,
                           pacer=Pacer()) as client:
            backfill(sessions, client, RawStore(workdir / "snapshots"), documents)
    sessions.kw["bind"].dispose()
    yield url
    if name is not None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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

    def invoke(*args, ok=True):
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        assert "Traceback" not in result.output
        return result

    invoke.env = env
    return invoke
