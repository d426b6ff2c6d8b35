"""rewritten: the step's count of rewritten clause changes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09

A clause change of kind `rewritten` is several consecutive old clauses rewritten as several
consecutive new ones (clause_change keeps both lists of clause ids, as a split or merge keeps
its many side). `clause_change.kind` is text, so the new kind needs no migration; the step's
count per kind does: `change.rewritten`, 0 for every step recorded before.
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


# Plain ALTER TABLE both ways (SQLite >= 3.35 has DROP COLUMN): a batch rebuild of `change`
# would break the views that name it.
def upgrade() -> None:
    op.add_column('change', sa.Column('rewritten', sa.Integer(), nullable=False, server_default=sa.text('0')))


def downgrade() -> None:
    op.execute("ALTER TABLE change DROP COLUMN rewritten")
