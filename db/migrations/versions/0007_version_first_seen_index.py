"""an index on version.first_seen, for changes listed by date

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

The web view's "changes since a date" (`/api/changes`) and its Atom feeds walk recorded
steps in the order their new versions were first seen, newest or oldest first, a page at a
time. Without an index on version.first_seen every such page sorts all steps
(bench/web.py: 250-640 ms on SQLite at 10,000 documents x 50 versions); with it, a page reads
only its own rows. Partial, of the versions after a document's first (only they start a
step): walked oldest first, a full index would first pass every document's first version.
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_version_first_seen", "version", ["first_seen"],
                    sqlite_where=sa.text("seq > 1"), postgresql_where=sa.text("seq > 1"))


def downgrade() -> None:
    op.drop_index("ix_version_first_seen", table_name="version")
