"""Alembic environment: the engine comes from tracker.store.db (never from an ini file).

Processes that open a new or older database at once (workers started together) upgrade it
one at a time: on PostgreSQL the transaction first takes an advisory lock, on SQLite it
begins IMMEDIATE (tracker.store.db). The next one then reads the revision the first
committed, and has nothing left to run."""

from alembic import context

from tracker.store.models import Base

engine = context.config.attributes["engine"]
MIGRATION_LOCK = 0x7472616D6967  # pg_advisory_xact_lock key; released at commit or rollback

with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
