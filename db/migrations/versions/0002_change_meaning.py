"""what a change means: flags, categories, split/merge, cosmetic counts, effective date

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Columns only; every new column has a server default or is nullable, so an existing
database upgrades in place. JSON lists are stored as text ('[]' when empty).
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

EMPTY_LIST = sa.text("'[]'")


def upgrade() -> None:
    with op.batch_alter_table('clause', schema=None) as batch_op:
        batch_op.add_column(sa.Column('categories', sa.Text(), nullable=False, server_default=EMPTY_LIST))
    with op.batch_alter_table('version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('effective_date', sa.Date(), nullable=True))
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('split', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('merged', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('material_count', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('cosmetic_count', sa.Integer(), nullable=False, server_default=sa.text('0')))
    with op.batch_alter_table('clause_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('old_clause_ids', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('new_clause_ids', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('flags', sa.Text(), nullable=False, server_default=EMPTY_LIST))
        batch_op.add_column(sa.Column('categories', sa.Text(), nullable=False, server_default=EMPTY_LIST))
        batch_op.add_column(sa.Column('cosmetic', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('clause_change', schema=None) as batch_op:
        for name in ('cosmetic', 'categories', 'flags', 'new_clause_ids', 'old_clause_ids'):
            batch_op.drop_column(name)
    with op.batch_alter_table('change', schema=None) as batch_op:
        for name in ('cosmetic_count', 'material_count', 'merged', 'split'):
            batch_op.drop_column(name)
    with op.batch_alter_table('version', schema=None) as batch_op:
        batch_op.drop_column('effective_date')
    with op.batch_alter_table('clause', schema=None) as batch_op:
        batch_op.drop_column('categories')
