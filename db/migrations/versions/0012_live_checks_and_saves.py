"""live checks and Save Page Now: where a document is checked, its live page, the saves

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08

- document.source: `wayback` (every existing document), `live` or `both`: where a check
  looks for new captures (tracker.live fetches the page itself; its captures have
  `capture.source` = `live`).
- live_page: one row per document checked live: the validators of its last answer (ETag,
  Last-Modified) for the next conditional request, its outcome, and whether it refuses the
  tracker (a 403, a bot wall, robots.txt) and until when it is left alone.
- save_request: one row per live capture that started a version and was given to Save Page
  Now: its job, attempts and next attempt, and the archive's capture (timestamp, URL) or why
  it failed.

The new column has a server default and the tables are new, so a database upgrades in place.
`document` is altered without a batch rebuild (ADD COLUMN), which would break the views on it.
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('document', sa.Column('source', sa.String(length=8), nullable=False,
                                        server_default='wayback'))
    op.create_table(
        'live_page',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('checked_at', sa.DateTime(), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=False),
        sa.Column('http_status', sa.Integer(), nullable=True),
        sa.Column('etag', sa.Text(), nullable=True),
        sa.Column('last_modified', sa.Text(), nullable=True),
        sa.Column('blocked_since', sa.DateTime(), nullable=True),
        sa.Column('retry_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'],
                                name=op.f('fk_live_page_document_id_document')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_page')),
        sa.UniqueConstraint('document_id', name=op.f('uq_live_page_document_id')),
    )
    op.create_table(
        'save_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('capture_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('job_id', sa.String(length=100), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.Column('last_request_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('timestamp', sa.String(length=14), nullable=True),
        sa.Column('archive_url', sa.Text(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['capture_id'], ['capture.id'],
                                name=op.f('fk_save_request_capture_id_capture')),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'],
                                name=op.f('fk_save_request_document_id_document')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_save_request')),
        sa.UniqueConstraint('capture_id', name=op.f('uq_save_request_capture_id')),
    )
    op.create_index('ix_save_request_document_id', 'save_request', ['document_id'])
    op.create_index('ix_save_request_state', 'save_request', ['state', 'next_attempt_at'])


def downgrade() -> None:
    op.drop_index('ix_save_request_state', table_name='save_request')
    op.drop_index('ix_save_request_document_id', table_name='save_request')
    op.drop_table('save_request')
    op.drop_table('live_page')
    # Plain ALTER TABLE (SQLite >= 3.35 has DROP COLUMN): a batch rebuild would break the views.
    op.execute("ALTER TABLE document DROP COLUMN source")
