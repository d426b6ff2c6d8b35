"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clause',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clause')),
    sa.UniqueConstraint('hash', name=op.f('uq_clause_hash'))
    )
    op.create_table('provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider')),
    sa.UniqueConstraint('name', name=op.f('uq_provider_name'))
    )
    op.create_table('subscriber',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('filters', sa.Text(), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('all_changes', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriber')),
    sa.UniqueConstraint('email', name=op.f('uq_subscriber_email'))
    )
    op.create_table('digest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.DateTime(), nullable=False),
    sa.Column('period_end', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('message_id', sa.String(length=300), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscriber.id'], name=op.f('fk_digest_subscriber_id_subscriber')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest')),
    sa.UniqueConstraint('subscriber_id', 'period_end', name=op.f('uq_digest_subscriber_id'))
    )
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_document_provider_id_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document')),
    sa.UniqueConstraint('provider_id', 'name', name=op.f('uq_document_provider_id'))
    )
    op.create_table('document_url',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_url_document_id_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_url')),
    sa.UniqueConstraint('document_id', 'url', name=op.f('uq_document_url_document_id'))
    )
    op.create_table('version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.Column('first_capture_id', sa.Integer(), nullable=False),
    sa.Column('last_capture_id', sa.Integer(), nullable=False),
    sa.Column('capture_count', sa.Integer(), nullable=False),
    sa.Column('clause_hash', sa.String(length=64), nullable=False),
    sa.Column('clause_count', sa.Integer(), nullable=False),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.Column('normalizer_version', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_version_document_id_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_version')),
    sa.UniqueConstraint('document_id', 'seq', name=op.f('uq_version_document_id'))
    )
    op.create_table('version_clause',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('clause_id', sa.Integer(), nullable=False),
    sa.Column('sort_key', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('section', sa.Text(), nullable=False),
    sa.Column('first_seq', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['clause_id'], ['clause.id'], name=op.f('fk_version_clause_clause_id_clause')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_version_clause_document_id_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_version_clause'))
    )
    with op.batch_alter_table('version_clause', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_version_clause_clause_id'), ['clause_id'], unique=False)
        batch_op.create_index('ix_version_clause_doc_seq', ['document_id', 'first_seq', 'last_seq'], unique=False)

    op.create_table('capture',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('timestamp', sa.String(length=14), nullable=False),
    sa.Column('captured_at', sa.DateTime(), nullable=False),
    sa.Column('urlkey', sa.String(length=2000), nullable=False),
    sa.Column('mimetype', sa.String(length=200), nullable=False),
    sa.Column('statuscode', sa.String(length=3), nullable=False),
    sa.Column('cdx_digest', sa.String(length=64), nullable=False),
    sa.Column('length', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('raw_digest', sa.String(length=64), nullable=True),
    sa.Column('served_timestamp', sa.String(length=14), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('fetched_at', sa.DateTime(), nullable=True),
    sa.Column('invalid_reason', sa.Text(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_capture_document_id_document')),
    sa.ForeignKeyConstraint(['version_id'], ['version.id'], name=op.f('fk_capture_version_id_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capture')),
    sa.UniqueConstraint('document_id', 'timestamp', 'url', name=op.f('uq_capture_document_id'))
    )
    with op.batch_alter_table('capture', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capture_cdx_digest'), ['cdx_digest'], unique=False)
        batch_op.create_index(batch_op.f('ix_capture_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_capture_state', ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_capture_version_id'), ['version_id'], unique=False)

    op.create_table('change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('from_version_id', sa.Integer(), nullable=False),
    sa.Column('to_version_id', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Integer(), nullable=False),
    sa.Column('modified', sa.Integer(), nullable=False),
    sa.Column('moved', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('material', sa.Boolean(), nullable=False),
    sa.Column('technical', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_change_document_id_document')),
    sa.ForeignKeyConstraint(['from_version_id'], ['version.id'], name=op.f('fk_change_from_version_id_version')),
    sa.ForeignKeyConstraint(['to_version_id'], ['version.id'], name=op.f('fk_change_to_version_id_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change')),
    sa.UniqueConstraint('to_version_id', name=op.f('uq_change_to_version_id'))
    )
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_document_id'), ['document_id'], unique=False)

    op.create_table('clause_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('change_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('old_clause_id', sa.Integer(), nullable=True),
    sa.Column('new_clause_id', sa.Integer(), nullable=True),
    sa.Column('old_position', sa.Integer(), nullable=True),
    sa.Column('new_position', sa.Integer(), nullable=True),
    sa.Column('old_section', sa.Text(), nullable=True),
    sa.Column('new_section', sa.Text(), nullable=True),
    sa.Column('similarity', sa.Float(), nullable=False),
    sa.Column('word_ops', sa.Text(), nullable=True),
    sa.Column('moved', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['change_id'], ['change.id'], name=op.f('fk_clause_change_change_id_change')),
    sa.ForeignKeyConstraint(['new_clause_id'], ['clause.id'], name=op.f('fk_clause_change_new_clause_id_clause')),
    sa.ForeignKeyConstraint(['old_clause_id'], ['clause.id'], name=op.f('fk_clause_change_old_clause_id_clause')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clause_change')),
    sa.UniqueConstraint('change_id', 'ordinal', name=op.f('uq_clause_change_change_id'))
    )


def downgrade() -> None:
    op.drop_table('clause_change')
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_document_id'))

    op.drop_table('change')
    with op.batch_alter_table('capture', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capture_version_id'))
        batch_op.drop_index('ix_capture_state')
        batch_op.drop_index(batch_op.f('ix_capture_document_id'))
        batch_op.drop_index(batch_op.f('ix_capture_cdx_digest'))

    op.drop_table('capture')
    with op.batch_alter_table('version_clause', schema=None) as batch_op:
        batch_op.drop_index('ix_version_clause_doc_seq')
        batch_op.drop_index(batch_op.f('ix_version_clause_clause_id'))

    op.drop_table('version_clause')
    op.drop_table('version')
    op.drop_table('document_url')
    op.drop_table('document')
    op.drop_table('digest')
    op.drop_table('subscriber')
    op.drop_table('provider')
    op.drop_table('clause')
