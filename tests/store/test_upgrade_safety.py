"""The tracker changes only its own databases, and changes them whole: another application's
database is refused untouched (no table added, SQLite's journal mode kept), and an upgrade
that fails midway leaves the schema and the rows as they were, on both databases."""

import hashlib
import shutil
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker.store.db import MIGRATIONS_DIR, make_engine, open_database, upgrade
from tracker.store.exceptions import DatabaseError


def schema(url: str) -> dict:
    """Tables, views, columns, indexes and the migration revision, read on a plain engine."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        tables = sorted(inspector.get_table_names())
        shape = {
            "tables": tables,
            "views": sorted(inspector.get_view_names()),
            "columns": {t: [c["name"] for c in inspector.get_columns(t)] for t in tables},
            "indexes": {t: sorted(i["name"] for i in inspector.get_indexes(t)) for t in tables},
        }
        if "alembic_version" in tables:
            shape["revision"] = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        if "provider" in tables:
            shape["providers"] = connection.exec_driver_sql("SELECT id, name FROM provider ORDER BY id").all()
    engine.dispose()
    return shape


def make_foreign(url: str, *statements: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    engine.dispose()


def sqlite_file(url: str) -> Path | None:
    return Path(sa.make_url(url).database) if url.startswith("sqlite") else None


NOTES_APP = ("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)", "INSERT INTO notes (id, body) VALUES (1, 'keep me')")
ALEMBIC_APP = ("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
               "INSERT INTO alembic_version VALUES ('3f2a9c1d7b44')",
               "CREATE TABLE clause (id INTEGER PRIMARY KEY, law TEXT)")


@pytest.mark.parametrize("statements", [NOTES_APP, ALEMBIC_APP], ids=["plain", "own-alembic"])
def test_another_applications_database_is_refused_untouched(tracker_cli, database_url, statements):
    make_foreign(database_url, *statements)
    before = schema(database_url)
    file = sqlite_file(database_url)
    digest = hashlib.sha256(file.read_bytes()).hexdigest() if file else None
    for _ in range(2):  # the second run says the same, not "table clause already exists"
        lines = tracker_cli("list", ok=False).output.strip().splitlines()
        assert len(lines) == 1 and "holds tables that are not the tracker's" in lines[0], lines
        assert "left untouched" in lines[0]
    assert schema(database_url) == before
    if file:
        assert hashlib.sha256(file.read_bytes()).hexdigest() == digest
        assert not file.with_name(file.name + "-wal").exists()
        with sa.create_engine(database_url).connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"


def test_an_empty_database_and_a_trackers_own_are_opened(database_url):
    """What the refusal must not catch: an empty database, and the tracker's own with a table
    someone added beside its tables."""
    open_database(database_url).kw["bind"].dispose()
    make_foreign(database_url, NOTES_APP[0])
    sessions = open_database(database_url)
    with sessions() as session:
        assert session.execute(sa.text("SELECT count(*) FROM provider")).scalar() == 0
    sessions.kw["bind"].dispose()


FAILING_MIGRATION = '''
    """fails midway: a table made, subscriber rebuilt, provider rows changed, then an error

    Revision ID: 9999
    Revises: {head}
    """
    from alembic import op
    import sqlalchemy as sa

    revision = '9999'
    down_revision = '{head}'
    branch_labels = None
    depends_on = None


    def upgrade():
        op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
        rebuild = "always" if op.get_bind().dialect.name == "sqlite" else "auto"  # SQLite: copy, drop, rename
        with op.batch_alter_table("subscriber", recreate=rebuild) as batch_op:
            batch_op.add_column(sa.Column("extra", sa.Text, nullable=True))
        op.create_index("ix_half_done", "subscriber", ["extra"])
        op.execute("UPDATE provider SET name = name || ' (changed)'")
        op.execute("INSERT INTO no_such_table VALUES (1)")


    def downgrade():
        pass
'''


def test_a_migration_that_fails_midway_leaves_the_schema_as_it_was(database_url, tmp_path):
    from alembic.script import ScriptDirectory

    from tracker.store.db import alembic_config

    sessions = open_database(database_url)
    sessions.kw["bind"].dispose()
    make_foreign(database_url, "INSERT INTO provider (name, created_at) VALUES ('voip.com', '2026-01-01')")
    before = schema(database_url)
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    engine = make_engine(database_url)
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    (migrations / "versions" / "9999_fails_midway.py").write_text(
        textwrap.dedent(FAILING_MIGRATION).replace("{head}", head))
    with pytest.raises(DatabaseError, match="cannot upgrade database .*no_such_table|does not exist"):
        upgrade(engine, migrations)
    engine.dispose()
    assert schema(database_url) == before
    assert before["providers"] == [(1, "voip.com")] and "half_done" not in before["tables"]


def test_processes_opening_a_new_database_together_all_find_it_migrated(database_url):
    """Workers started at once on a new database: each opens (and so upgrades) it; one
    migrates, the others wait for it and find the schema current, and none fails."""
    import subprocess
    import sys

    opener = "import sys; from tracker.store.db import open_database; open_database(sys.argv[1])"
    processes = [subprocess.Popen([sys.executable, "-c", opener, database_url], stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
    errors = [process.communicate(timeout=120)[1] for process in processes]
    assert [process.returncode for process in processes] == [0] * 4, errors
    assert len(schema(database_url)["revision"]) == 1
