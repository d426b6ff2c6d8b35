"""normalizer overrides: per-document CSS select/remove rules with a validity date range

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

A new table only (tracker/overrides.py), so an existing database upgrades in place.
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'normalizer_override',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('select_json', sa.Text(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column('remove_json', sa.Text(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column('valid_from', sa.DateTime(), nullable=True),
        sa.Column('valid_until', sa.DateTime(), nullable=True),
        sa.Column('source', sa.String(length=300), nullable=False, server_default=sa.text("'manual'")),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'],
                                name=op.f('fk_normalizer_override_document_id_document')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_normalizer_override')),
    )
    op.create_index(op.f('ix_normalizer_override_document_id'), 'normalizer_override', ['document_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_normalizer_override_document_id'), table_name='normalizer_override')
    op.drop_table('normalizer_override')
