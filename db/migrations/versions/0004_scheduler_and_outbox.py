"""scheduler and outbox: per-document cadence, job runs, stored digest messages

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

- document: `check_interval_hours` (cadence, default 24), `next_check_at` (NULL = due now),
  `last_checked_at`: the schedule lives in the database, so a restart loses nothing.
- job_run: one row per check of a document and per digest run (start, end, outcome, counts).
- digest: the rendered message (`message`, RFC 5322 text), its `subject`, the number of
  changes it covers and the last attempt, so a retry sends exactly the same message again.

Every new column has a server default or is nullable, so an existing database upgrades in place.
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_interval_hours', sa.Float(), nullable=False,
                                      server_default=sa.text('24')))
        batch_op.add_column(sa.Column('next_check_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_checked_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('digest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('message', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('change_count', sa.Integer(), nullable=False,
                                      server_default=sa.text('0')))
        batch_op.add_column(sa.Column('last_attempt_at', sa.DateTime(), nullable=True))
    op.create_table(
        'job_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=32), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('counts', sa.Text(), nullable=False, server_default=sa.text("'{}'")),
        sa.Column('error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'],
                                name=op.f('fk_job_run_document_id_document')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
    )
    op.create_index('ix_job_run_job_started', 'job_run', ['job', 'started_at'])
    op.create_index('ix_job_run_document', 'job_run', ['document_id', 'started_at'])


def downgrade() -> None:
    op.drop_index('ix_job_run_document', table_name='job_run')
    op.drop_index('ix_job_run_job_started', table_name='job_run')
    op.drop_table('job_run')
    with op.batch_alter_table('digest', schema=None) as batch_op:
        for name in ('last_attempt_at', 'change_count', 'message', 'subject'):
            batch_op.drop_column(name)
    with op.batch_alter_table('document', schema=None) as batch_op:
        for name in ('last_checked_at', 'next_check_at', 'check_interval_hours'):
            batch_op.drop_column(name)
