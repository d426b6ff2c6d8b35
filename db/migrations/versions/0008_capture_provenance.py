"""capture provenance: where each capture's text came from, imported datasets beside Wayback

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28

- capture: `source` (`wayback`, default for every existing row; `file`, `citp`, `ota` for
  imported records), `source_ref` (the record's locator: a file path, `dataset@commit:path`),
  `source_url` (a link to it: the Wayback `id_` capture a dataset extracted it from, an Open
  Terms Archive snapshot commit), `technical` (the source calls the record a re-extraction
  of unchanged text: a version it starts is recorded as technical, never mailed).
- capture's unique key gains `source`: a dataset's record of a Wayback capture has the
  capture's own timestamp and URL, and both are kept.
- index on (`source`, `source_ref`): a rerun of an import looks each record up by it.
- view `version_sources`: one row per version and capture, with its source; a version
  seen by two sources has rows of both.
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

ARCHIVE = "'https://web.archive.org/web/'"

VERSION_SOURCES = f"""
    SELECT p.name AS provider, d.name AS document, v.document_id, v.id AS version_id, v.seq,
           c.id AS capture_id, c.source, c.timestamp, c.captured_at, c.source_ref,
           CASE WHEN c.source = 'wayback' THEN {ARCHIVE} || c.timestamp || '/' || c.url
                ELSE c.source_url END AS source_url,
           c.technical
    FROM capture c
    JOIN version v ON v.id = c.version_id
    JOIN document d ON d.id = v.document_id
    JOIN provider p ON p.id = d.provider_id
"""


def upgrade() -> None:
    _legacy_rename(True)
    with op.batch_alter_table('capture', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=16), nullable=False,
                                      server_default='wayback'))
        batch_op.add_column(sa.Column('source_ref', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('source_url', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('technical', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.drop_constraint('uq_capture_document_id', type_='unique')
        batch_op.create_unique_constraint('uq_capture_document_id',
                                          ['document_id', 'timestamp', 'url', 'source'])
    _legacy_rename(False)
    op.create_index('ix_capture_source_ref', 'capture', ['source', 'source_ref'])
    op.execute(f"CREATE VIEW version_sources AS {VERSION_SOURCES}")


def downgrade() -> None:
    imported = op.get_bind().scalar(sa.text("SELECT count(*) FROM capture WHERE source <> 'wayback'"))
    if imported:
        raise RuntimeError(f"{imported} imported captures would lose their provenance; not downgrading")
    op.execute("DROP VIEW IF EXISTS version_sources")
    op.drop_index('ix_capture_source_ref', table_name='capture')
    _legacy_rename(True)
    with op.batch_alter_table('capture', schema=None) as batch_op:
        batch_op.drop_constraint('uq_capture_document_id', type_='unique')
        batch_op.create_unique_constraint('uq_capture_document_id', ['document_id', 'timestamp', 'url'])
        batch_op.drop_column('technical')
        batch_op.drop_column('source_url')
        batch_op.drop_column('source_ref')
        batch_op.drop_column('source')
    _legacy_rename(False)


def _legacy_rename(on: bool) -> None:
    """SQLite rebuilds `capture` in a batch (copy, drop, rename); the analyst views of 0005
    name it, and a modern rename refuses to run while a view names a missing table."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA legacy_alter_table = {'ON' if on else 'OFF'}")
