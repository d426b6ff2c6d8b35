"""distributed workers: the shared politeness budget, and job runs tied to queue jobs

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09

- request_pace: one row per politeness budget (`archive`, `live:<site>`) that every worker
  shares: when each kind of request last went out, and the pause a 429 or a refused
  connection ordered (database clock, epoch seconds); tracker.jobs.budget updates it under a
  row lock.
- job_run.queue_job_id: the procrastinate job a worker's run belongs to (distributed mode),
  so `tracker status` shows a parked job with its error.

The column is nullable and the table new, so a database upgrades in place; `job_run` is
altered with a plain ADD COLUMN.
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'request_pace',
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('last_at', sa.Text(), nullable=False, server_default='{}'),
        sa.Column('pause_started', sa.Float(), nullable=True),
        sa.Column('pause_until', sa.Float(), nullable=True),
        sa.Column('pause_reason', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_request_pace')),
    )
    op.add_column('job_run', sa.Column('queue_job_id', sa.BigInteger(), nullable=True))
    op.create_index('ix_job_run_queue_job', 'job_run', ['queue_job_id'])


def downgrade() -> None:
    op.drop_index('ix_job_run_queue_job', table_name='job_run')
    op.execute("ALTER TABLE job_run DROP COLUMN queue_job_id")
    op.drop_table('request_pace')
