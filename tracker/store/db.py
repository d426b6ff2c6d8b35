"""Opening the database and bringing its schema up to date (Alembic, in db/migrations)."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, NullPool, QueuePool, create_engine, event, inspect, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

import db as migrations_package
from tracker.store.exceptions import DatabaseError, ForeignDatabase
from tracker.urls import mask_credentials, mask_url

MIGRATIONS_DIR = Path(migrations_package.__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    try:
        engine = create_engine(url, future=True)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise DatabaseError(f"cannot use database URL {mask_url(url)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(foreign_keys=True))
    return engine


def _sqlite_pragmas(*, foreign_keys: bool):
    """A connect listener: foreign keys on (off only while migrating, see _migration_engine);
    WAL so the scheduler and a reader can share the file."""
    def on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
    return on_connect


def alembic_config(engine: Engine, migrations: Path = MIGRATIONS_DIR) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(migrations))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, migrations: Path = MIGRATIONS_DIR) -> None:
    """Create or upgrade the schema in place to the newest migration; a no-op when current.

    Another application's database is refused untouched (ForeignDatabase). The upgrade is one
    transaction on either database: a migration that fails leaves the schema as it was."""
    scripts = ScriptDirectory.from_config(alembic_config(engine, migrations))
    if _revision(engine, scripts) == scripts.get_current_head():
        return
    migrating = _migration_engine(engine)
    try:
        command.upgrade(alembic_config(migrating, migrations), "head")
        if migrating is not engine:
            with migrating.connect() as connection:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
            if broken is not None:
                raise DatabaseError(f"upgrade left a broken reference in table {broken[0]} (row {broken[1]})")
    except DBAPIError as exc:
        raise DatabaseError(f"cannot upgrade database {mask_url(engine.url)}: {one_line_error(exc.orig)}") from None
    finally:
        if migrating is not engine:
            migrating.dispose()


def _revision(engine: Engine, scripts: ScriptDirectory) -> str | None:
    """The database's revision of our migrations, None when it has no table at all; a
    database with tables but no revision of ours is another application's (ForeignDatabase).
    Read on a connection of its own, without the pragmas: looking must not change the file
    (WAL mode persists in it)."""
    probe = create_engine(engine.url, poolclass=NullPool) if engine.dialect.name == "sqlite" else engine
    try:
        with probe.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            versions = ({row[0] for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")}
                        if "alembic_version" in tables else set())
    except DBAPIError as exc:
        raise DatabaseError(f"cannot open database {mask_url(engine.url)}: {one_line_error(exc.orig)}") from None
    finally:
        if probe is not engine:
            probe.dispose()
    ours = {script.revision for script in scripts.walk_revisions()}
    if len(versions) == 1 and versions <= ours:
        return versions.pop()
    if not tables:
        return None
    shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
    raise ForeignDatabase(f"database {mask_url(engine.url)} holds tables that are not the tracker's ({shown}) "
                          f"and no revision of its migrations: left untouched; point database_url at an "
                          f"empty database or a tracker's")


def _migration_engine(engine: Engine) -> Engine:
    """The engine migrations run on. SQLite's batch mode rebuilds a table (copy, drop the
    original, rename): with foreign keys enforced the drop fails as soon as another table's
    rows point at it, so on SQLite migrations run with them off and are checked afterwards.
    SQLite's DDL is transactional, but Python's driver commits before each DDL statement
    unless it is told to leave transactions alone: here it is, and BEGIN is ours, so the
    whole upgrade is one transaction (as on PostgreSQL). IMMEDIATE: a second process
    upgrading at once waits for the first's commit before it reads the revision."""
    if engine.dialect.name != "sqlite":
        return engine
    migrating = create_engine(engine.url)
    event.listen(migrating, "connect", _sqlite_pragmas(foreign_keys=False))
    event.listen(migrating, "connect", _leave_transactions_to_us)
    event.listen(migrating, "begin", lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE"))
    return migrating


def _leave_transactions_to_us(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None


def is_current(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision() == head
    except DBAPIError as exc:
        raise DatabaseError(f"cannot open database {mask_url(engine.url)}: {one_line_error(exc.orig)}") from None


def one_line_error(exc: BaseException | None) -> str:
    """A database driver's error as one line without credentials: its first line (psycopg
    adds context lines, SQLAlchemy a link)."""
    lines = str(exc).strip().splitlines()
    return mask_credentials(lines[0].strip() if lines else type(exc).__name__)


def open_database(url: str) -> sessionmaker[Session]:
    """Engine for `url`, upgraded to the current schema, as a session factory."""
    engine = make_engine(url)
    upgrade(engine)
    return sessionmaker(engine, expire_on_commit=False)


# Pragmas that take a table or index name but only read; any other pragma with an argument
# is a setting change and is refused on a read-only connection.
READING_PRAGMAS = {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo",
                   "foreign_key_list"}


@contextmanager
def read_only_connection(url: str, *, timeout: float | None = None):
    """A DB-API connection that cannot change the database, whatever SQL it is given.

    SQLite: the file opened with `mode=ro`, `PRAGMA query_only`, and an authorizer that
    refuses ATTACH/DETACH (which could create files) and pragma assignments. PostgreSQL: the
    role must be a read-only one (store.readonly, checked first), in a `READ ONLY`
    transaction. `timeout` (seconds) stops a statement that runs longer (SQLite: the
    connection's `deadline` attribute, which a progress handler checks). Either way the
    transaction is rolled back at the end.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"cannot use database URL {mask_url(url)}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        connection = _sqlite_read_only(parsed.database)
    elif parsed.get_backend_name() == "postgresql":
        connection = _postgres_read_only(parsed, timeout)
    else:
        raise DatabaseError(f"read-only queries support SQLite and PostgreSQL, not {parsed.get_backend_name()}")
    try:
        yield connection
    finally:
        connection.rollback()
        connection.close()


def read_only_engine(url: str) -> Engine:
    """An engine whose every connection is a `read_only_connection`'s, for readers that use
    sessions (the web view): the same guards, pooled, usable from any thread."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"cannot use database URL {mask_url(url)}: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _sqlite_read_only(parsed.database).close()  # a missing file is one clear line now
        return create_engine("sqlite://", creator=lambda: _sqlite_read_only(parsed.database, shared=True),
                             poolclass=QueuePool)
    if backend == "postgresql":
        _postgres_read_only(parsed).close()  # a role that can write is refused here, once
        return create_engine("postgresql+psycopg://", creator=lambda: _postgres_read_only(parsed))
    raise DatabaseError(f"read-only access supports SQLite and PostgreSQL, not {backend}")


def _sqlite_read_only(path: str | None, *, shared: bool = False):
    """`shared`: the connection may be used by other threads (one at a time, through a pool)."""
    if not path or path == ":memory:" or not Path(path).is_file():
        raise DatabaseError(f"no SQLite database file at {path!r}")
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, check_same_thread=not shared)
        connection.execute("PRAGMA busy_timeout=30000")
        connection.execute("PRAGMA query_only=ON")
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open database {path}: {exc}") from None
    connection.set_authorizer(_refuse_sqlite_writes)
    return connection


def _refuse_sqlite_writes(action, arg1, arg2, _database, _trigger) -> int:
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and arg2 is not None and arg1.lower() not in READING_PRAGMAS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _postgres_read_only(parsed, timeout: float | None = None):
    """A connection as a role that can only read (tracker.store.readonly refuses any other),
    in read-only transactions: the console and the web view alike."""
    try:
        import psycopg
    except ImportError:
        raise DatabaseError("PostgreSQL needs psycopg: pip install -e '.[postgres]'") from None
    from tracker.store.readonly import SETUP_HINT, refuse_writer

    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    options = "-c default_transaction_read_only=on"
    if timeout:
        options += f" -c statement_timeout={max(1, round(timeout * 1000))}"
    try:
        connection = psycopg.connect(conninfo, options=options)
    except psycopg.Error as exc:
        message = one_line_error(exc)
        if "does not exist" in message and "role" in message:
            message += f"; {SETUP_HINT}"
        raise DatabaseError(f"cannot open database {mask_url(parsed)}: {message}") from None
    connection.read_only = True
    try:
        refuse_writer(connection)
    except BaseException:
        connection.close()
        raise
    return connection
