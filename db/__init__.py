"""Alembic migrations (db/migrations) and SQL for analysts; see docs/schema.md."""
