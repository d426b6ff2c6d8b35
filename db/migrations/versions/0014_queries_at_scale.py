"""queries at scale: the clause changes of a clause, read from the index alone

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10

`ix_clause_change_new_clause_id` (0005) led from a full-text match to its clause changes,
but each of them was then read from the table for its kind and step. At 100,000 documents
(bench/store_growth.py) PostgreSQL judged those random reads dearer than a parallel scan of
every clause change, and "which providers added a clause about selling after 2018" took
430 ms. `ix_clause_change_new_clause` (new_clause_id, kind, change_id) answers it from the
index alone (95 ms); it replaces the narrower index, whose lookups it serves as well.
"""

from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_clause_change_new_clause_id', table_name='clause_change')
    op.create_index('ix_clause_change_new_clause', 'clause_change', ['new_clause_id', 'kind', 'change_id'])


def downgrade() -> None:
    op.drop_index('ix_clause_change_new_clause', table_name='clause_change')
    op.create_index('ix_clause_change_new_clause_id', 'clause_change', ['new_clause_id'])
