"""`tracker sql` on PostgreSQL cannot write, by construction: it runs only as a role that can
read the product's tables and views, and every trick of issue 13 changes nothing (no file,
no process, no row changed). The server is the real one `make test` starts, with dblink and
file_fdw installed in the test database."""

import os
import uuid

import psycopg
import pytest
import sqlalchemy as sa


@pytest.fixture
def database_url(postgres_admin_engine):
    """A fresh PostgreSQL database (this file is about PostgreSQL only), with dblink and
    file_fdw installed by the superuser, as an attacker would hope to find them."""
    name = f"t_{uuid.uuid4().hex}"
    with postgres_admin_engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = postgres_admin_engine.url.set(database=name)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE EXTENSION dblink"))
        conn.execute(sa.text("CREATE EXTENSION file_fdw"))
    engine.dispose()
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with postgres_admin_engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def libpq(url: str) -> str:
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def console(tracker_cli, database_url):
    """A tracked page, and the read-only role set up as the README says."""
    tracker_cli("add", "https://example.com/privacy", "--provider", "example.com")
    tracker_cli("db", "grant-readonly")
    return tracker_cli


@pytest.fixture
def victim(database_url):
    """Another session (the superuser's) that a trick may try to terminate."""
    with psycopg.connect(libpq(database_url), autocommit=True) as connection:
        yield connection


@pytest.fixture
def drop(tmp_path):
    """A folder the server's own user may write to, where a trick would leave a file."""
    folder = tmp_path / "drop"
    folder.mkdir()
    folder.chmod(0o777)
    return folder


def state(url: str) -> tuple:
    with psycopg.connect(libpq(url)) as connection:
        providers = connection.execute("SELECT name FROM provider ORDER BY id").fetchall()
        servers = connection.execute("SELECT count(*) FROM pg_foreign_server").fetchone()
        loaded = connection.execute("SELECT pg_conf_load_time()").fetchone()
        objects = connection.execute("SELECT count(*) FROM pg_largeobject_metadata").fetchone()
        return providers, servers, loaded, objects


def tricks(url: str, drop) -> dict[str, str]:
    parts = sa.make_url(url)
    writer = f"host={parts.host} port={parts.port} dbname={parts.database} user={parts.username}"
    return {
        "copy to program": f"COPY (SELECT 1) TO PROGRAM 'touch {drop}/program'",
        "copy to file": f"COPY (SELECT 1) TO '{drop}/file'",
        "dblink_exec": f"SELECT dblink_exec('{writer}', 'UPDATE provider SET name = ''pwned''')",
        "dblink_connect": f"SELECT dblink_connect('{writer}')",
        "pg_read_file": "SELECT pg_read_file('/etc/passwd')",
        "pg_ls_dir": "SELECT pg_ls_dir('.')",
        "pg_reload_conf": "SELECT pg_reload_conf()",
        "pg_switch_wal": "SELECT pg_switch_wal()",
        "pg_rotate_logfile": "SELECT pg_rotate_logfile()",
        "lo_export": f"SELECT lo_export(lo_from_bytea(0, 'x'), '{drop}/lo')",
        "lo_import": "SELECT lo_import('/etc/passwd')",
        "file_fdw server": "CREATE SERVER files FOREIGN DATA WRAPPER file_fdw",
        "update": "UPDATE provider SET name = 'pwned'",
        "set role": "SET ROLE tracker",
        "set_config role": "SELECT set_config('role', 'tracker', false)",
        "read-write in a cte": "WITH t AS (SELECT set_config('transaction_read_only', 'off', true)) "
                               "UPDATE provider SET name = 'pwned' FROM t",
        "alter system": "ALTER SYSTEM SET log_statement = 'all'",
        "grant": "GRANT INSERT ON provider TO PUBLIC",
    }


@pytest.mark.parametrize("trick", list(tricks("postgresql://u@h:1/d", "/tmp")))
def test_no_trick_changes_anything(console, database_url, victim, drop, trick):
    before = state(database_url)
    result = console("sql", tricks(database_url, drop)[trick], ok=False)
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not list(drop.iterdir())
    assert state(database_url) == before
    assert victim.execute("SELECT 1").fetchone() == (1,)


def test_terminating_another_session_is_refused(console, victim):
    pid = victim.info.backend_pid
    result = console("sql", f"SELECT pg_terminate_backend({pid}), pg_cancel_backend({pid})", ok=False)
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert victim.execute("SELECT 1").fetchone() == (1,)


def test_reading_works_as_the_read_only_role(console):
    result = console("sql", "SELECT current_user AS who, name FROM provider")
    assert "tracker_readonly" in result.output and "example.com" in result.output


def test_a_role_that_can_write_is_refused_with_the_way_to_set_one_up(tracker_cli, database_url):
    tracker_cli("init")
    tracker_cli.env["TRACKER_SQL_DATABASE_URL"] = database_url  # the superuser
    result = tracker_cli("sql", "SELECT 1", ok=False)
    assert "superuser" in result.output and "tracker db grant-readonly" in result.output
    assert len(result.output.strip().splitlines()) == 1

    role = f"writer_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq(database_url), autocommit=True) as connection:
        connection.execute(f"CREATE ROLE {role} LOGIN")
        connection.execute(f"GRANT SELECT, INSERT ON provider TO {role}")
    try:
        tracker_cli.env["TRACKER_SQL_DATABASE_URL"] = sa.make_url(database_url).set(username=role) \
            .render_as_string(hide_password=False)
        result = tracker_cli("sql", "SELECT 1", ok=False)
        assert "can write public.provider" in result.output
    finally:
        with psycopg.connect(libpq(database_url), autocommit=True) as connection:
            connection.execute(f"DROP OWNED BY {role}")
            connection.execute(f"DROP ROLE {role}")


def test_statement_timeout_and_row_cap(console):
    console.env["TRACKER_SQL_TIMEOUT"] = "0.5"
    result = console("sql", "SELECT pg_sleep(30)", ok=False)
    assert "query stopped after 0.5 s" in result.output
    console.env["TRACKER_SQL_MAX_ROWS"] = "10"
    result = console("sql", "SELECT n FROM generate_series(1, 100) AS n")
    assert "(10 rows)" in result.output and "only the first 10 rows" in result.output


def test_grant_readonly_is_idempotent_and_sets_a_password_from_the_environment(console, database_url):
    os.environ["TRACKER_TEST_RO_PASSWORD"] = "s3cret-" + uuid.uuid4().hex
    try:
        result = console("db", "grant-readonly", "--password-env", "TRACKER_TEST_RO_PASSWORD")
    finally:
        del os.environ["TRACKER_TEST_RO_PASSWORD"]
    assert "s3cret" not in result.output
    with psycopg.connect(libpq(database_url)) as connection:
        assert connection.execute("SELECT rolpassword IS NOT NULL FROM pg_authid "
                                  "WHERE rolname = 'tracker_readonly'").fetchone() == (True,)
        connection.execute("ALTER ROLE tracker_readonly PASSWORD NULL")


def test_a_role_not_granted_this_database_is_told_to_run_grant_readonly(tracker_cli, database_url):
    tracker_cli("add", "https://example.com/privacy", "--provider", "example.com")
    with psycopg.connect(libpq(database_url), autocommit=True) as connection:
        connection.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM tracker_readonly")
        connection.execute("REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM tracker_readonly")
    result = tracker_cli("sql", "SELECT name FROM provider", ok=False)
    assert "permission denied for table provider" in result.output
    assert "tracker db grant-readonly" in result.output
    tracker_cli("db", "grant-readonly")
    assert "example.com" in tracker_cli("sql", "SELECT name FROM provider").output
