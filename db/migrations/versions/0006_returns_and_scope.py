"""returns and scope: a version that returns to an earlier one; what a capture's scope step dropped

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28

- version.returns_to_id: the earlier version of the same document whose clause sequence
  this version repeats (a regional or A/B variant served alternately, a reverted edit);
  NULL for a text never seen before. No foreign key, like first_capture_id: adding one would
  rebuild the table under the views on SQLite, and the id is only ever read beside its row.
- capture.scope: JSON of what the normalizer's scope step left out of the policy (other legal
  documents on the page, with the reason) or the doubt it kept text with; NULL when the
  whole page was the policy.
- policy_timeline gains `returns_to_seq`.

Both columns are nullable, so an existing database upgrades in place; `tracker renormalize`
fills them for stored histories.
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TIMELINE_0005 = """
        SELECT p.name AS provider, d.name AS document, v.document_id, v.id AS version_id, v.seq,
               v.first_seen, v.last_seen,
               fc.timestamp AS first_timestamp, lc.timestamp AS last_timestamp,
               'https://web.archive.org/web/' || fc.timestamp || '/' || fc.url AS first_archive_url,
               v.capture_count, v.clause_count, v.word_count, v.effective_date,
               v.normalizer_version, v.clause_hash,
               ch.added, ch.removed, ch.modified, ch.moved, ch.material
        FROM version v
        JOIN document d ON d.id = v.document_id
        JOIN provider p ON p.id = d.provider_id
        LEFT JOIN capture fc ON fc.id = v.first_capture_id
        LEFT JOIN capture lc ON lc.id = v.last_capture_id
        LEFT JOIN change ch ON ch.to_version_id = v.id
"""

TIMELINE_0006 = """
        SELECT p.name AS provider, d.name AS document, v.document_id, v.id AS version_id, v.seq,
               v.first_seen, v.last_seen,
               fc.timestamp AS first_timestamp, lc.timestamp AS last_timestamp,
               'https://web.archive.org/web/' || fc.timestamp || '/' || fc.url AS first_archive_url,
               v.capture_count, v.clause_count, v.word_count, v.effective_date,
               v.normalizer_version, v.clause_hash,
               ch.added, ch.removed, ch.modified, ch.moved, ch.material,
               (SELECT rv.seq FROM version rv WHERE rv.id = v.returns_to_id) AS returns_to_seq
        FROM version v
        JOIN document d ON d.id = v.document_id
        JOIN provider p ON p.id = d.provider_id
        LEFT JOIN capture fc ON fc.id = v.first_capture_id
        LEFT JOIN capture lc ON lc.id = v.last_capture_id
        LEFT JOIN change ch ON ch.to_version_id = v.id
"""


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS policy_timeline")
    op.add_column('version', sa.Column('returns_to_id', sa.Integer(), nullable=True))
    op.add_column('capture', sa.Column('scope', sa.Text(), nullable=True))
    op.execute(f"CREATE VIEW policy_timeline AS {TIMELINE_0006}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS policy_timeline")
    # Plain ALTER TABLE (SQLite >= 3.35 has DROP COLUMN): a batch rebuild would break the views.
    op.execute("ALTER TABLE capture DROP COLUMN scope")
    op.execute("ALTER TABLE version DROP COLUMN returns_to_id")
    op.execute(f"CREATE VIEW policy_timeline AS {TIMELINE_0005}")
