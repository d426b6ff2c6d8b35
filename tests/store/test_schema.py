"""The schema: the migrations and the models agree (the CI check), an old database holding
real data upgrades to the newest schema without losing a row, 0004 upgrades a populated
database in place, and 0005, 0006 and 0014 downgrade cleanly."""

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from readonly_role import read_only_url
from sqlalchemy import text

from tracker.read.sql import run_query
from tracker.store.db import alembic_config, make_engine, upgrade
from tracker.store.models import Base

# What migration 0005 creates outside the models: full-text search (the FTS5 table and the
# shadow tables SQLite makes for it, the PostgreSQL GIN index). Views are not reflected.
FTS_OBJECTS = {"clause_fts", "clause_fts_data", "clause_fts_idx", "clause_fts_docsize",
               "clause_fts_config", "ix_clause_text_fts"}
VIEWS = {"policy_timeline", "clause_changes", "latest_policy_text", "clause_history",
         "clause_change_flag", "clause_change_category"}

# Tables of migration 0001, in an order that satisfies their foreign keys.
TABLES_0001 = ["provider", "document", "document_url", "clause", "version", "capture",
               "version_clause", "change", "clause_change", "subscriber", "digest"]


def not_fts(_object, name, type_, _reflected, _compare_to) -> bool:
    return name not in FTS_OBJECTS


def test_models_and_migrations_agree(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": not_fts, "target_metadata": Base.metadata})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == [], "models and migrations disagree: write a migration for these"


def copy_rows(source: sa.Engine, target: sa.Engine) -> dict[str, tuple[list[str], list[tuple]]]:
    """Copy every row of the 0001 tables from `source` (at head) into `target` (at 0001),
    with the columns 0001 has; return (columns, rows ordered by id) per table."""
    copied = {}
    source_meta, target_meta = sa.MetaData(), sa.MetaData()
    source_meta.reflect(source)
    target_meta.reflect(target)
    with source.connect() as read, target.begin() as write:
        for name in TABLES_0001:
            columns = [c.name for c in target_meta.tables[name].columns]
            table = source_meta.tables[name]
            rows = [tuple(r) for r in read.execute(
                sa.select(*[table.c[c] for c in columns]).order_by(table.c.id))]
            if rows:
                write.execute(target_meta.tables[name].insert(), [dict(zip(columns, r)) for r in rows])
            copied[name] = (columns, rows)
    return copied


def test_database_at_0001_with_real_data_upgrades_keeping_every_row(corpus_database_url, database_url):
    old = make_engine(database_url)
    command.upgrade(alembic_config(old), "0001")
    source = make_engine(corpus_database_url)
    copied = copy_rows(source, old)
    source.dispose()
    assert len(copied["version"][1]) == 21 and len(copied["clause_change"][1]) > 500

    upgrade(old)  # what every command does on an older database

    meta = sa.MetaData()
    meta.reflect(old)
    with old.connect() as read:
        for name, (columns, rows) in copied.items():
            table = meta.tables[name]
            kept = [tuple(r) for r in read.execute(sa.select(*[table.c[c] for c in columns]).order_by(table.c.id))]
            assert kept == rows, name
        views = read.execute(sa.text("SELECT count(*) FROM clause_changes")).scalar()
        assert views == len(copied["clause_change"][1])
    # Full-text search covers the rows that were there before the upgrade.
    match = ("SELECT count(*) FROM clause_fts WHERE clause_fts MATCH 'children'"
             if old.dialect.name == "sqlite" else
             "SELECT count(*) FROM clause WHERE to_tsvector('english', text) @@ plainto_tsquery('english', 'children')")
    assert run_query(read_only_url(database_url), match).rows[0][0] >= 10
    old.dispose()


def test_0005_downgrades_to_nothing_of_its_own_and_upgrades_again(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    command.downgrade(alembic_config(engine), "0004")
    inspector = sa.inspect(engine)
    assert not VIEWS & set(inspector.get_view_names())
    assert not FTS_OBJECTS & set(inspector.get_table_names())
    assert "ix_clause_text_fts" not in {i["name"] for i in inspector.get_indexes("clause")}
    upgrade(engine)
    assert VIEWS <= set(sa.inspect(engine).get_view_names())
    engine.dispose()


def test_0006_downgrades_to_0005s_timeline_and_upgrades_again(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    command.downgrade(alembic_config(engine), "0005")
    inspector = sa.inspect(engine)
    assert "returns_to_id" not in {c["name"] for c in inspector.get_columns("version")}
    assert "scope" not in {c["name"] for c in inspector.get_columns("capture")}
    assert "returns_to_seq" not in {c["name"] for c in inspector.get_columns("policy_timeline")}
    upgrade(engine)
    assert "returns_to_seq" in {c["name"] for c in sa.inspect(engine).get_columns("policy_timeline")}
    engine.dispose()


def test_0014_downgrades_to_the_narrow_new_clause_index_and_upgrades_again(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    command.downgrade(alembic_config(engine), "0013")
    assert {"ix_clause_change_new_clause_id"} == clause_change_indexes(engine) & NEW_CLAUSE_INDEXES
    upgrade(engine)
    assert {"ix_clause_change_new_clause"} == clause_change_indexes(engine) & NEW_CLAUSE_INDEXES
    engine.dispose()


NEW_CLAUSE_INDEXES = {"ix_clause_change_new_clause_id", "ix_clause_change_new_clause"}


def clause_change_indexes(engine) -> set[str]:
    return {i["name"] for i in sa.inspect(engine).get_indexes("clause_change")}


def test_migration_0004_upgrades_a_populated_database_in_place(database_url):
    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0003")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO provider (id, name, created_at) VALUES (1, 'p', '2020-01-01')"))
        connection.execute(text("INSERT INTO document (id, provider_id, name, created_at) VALUES (1, 1, 'd', '2020-01-01')"))
        connection.execute(text("INSERT INTO subscriber (id, email, filters, frequency, all_changes, created_at) "
                                "VALUES (1, 'r@example.org', '{}', 'daily', false, '2020-01-01')"))
        connection.execute(text("INSERT INTO digest (subscriber_id, period_start, period_end, state, message_id, "
                                "attempts, created_at) VALUES (1, '2020-01-01', '2020-01-02', 'sent', '<m@x>', 1, "
                                "'2020-01-02')"))
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name, check_interval_hours, next_check_at FROM document")).one() == ("d", 24, None)
        assert connection.execute(text("SELECT state, change_count, message FROM digest")).one() == ("sent", 0, None)
        assert connection.execute(text("SELECT count(*) FROM job_run")).scalar() == 0
    engine.dispose()
