"""step_material: the view clause_changes names the step's materiality for what it is

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

`clause_changes` had `cosmetic` (this clause change) beside `material` (the whole step from
one version to the next), so one row could read `material: true, cosmetic: true`. The
step's column is now `step_material`; the view is otherwise 0009's, unchanged.
"""

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

ARCHIVE = "'https://web.archive.org/web/'"
# An archive capture's Wayback address, an imported record's own link (or NULL), as in 0009.
LINK = f"CASE WHEN source = 'wayback' THEN {ARCHIVE} || timestamp || '/' || url ELSE source_url END"


def _clause_changes(material: str) -> str:
    return f"""
        SELECT p.name AS provider, d.name AS document, ch.document_id,
               ch.id AS change_id, cc.id AS clause_change_id,
               ov.seq AS from_seq, nv.seq AS to_seq, nv.first_seen AS date,
               (SELECT timestamp FROM capture WHERE id = ov.last_capture_id) AS before_timestamp,
               (SELECT {LINK} FROM capture WHERE id = ov.last_capture_id) AS before_archive_url,
               (SELECT timestamp FROM capture WHERE id = nv.first_capture_id) AS after_timestamp,
               (SELECT {LINK} FROM capture WHERE id = nv.first_capture_id) AS after_archive_url,
               cc.ordinal, cc.kind, COALESCE(cc.new_section, cc.old_section) AS section,
               cc.old_clause_id, cc.new_clause_id,
               (SELECT text FROM clause WHERE id = cc.old_clause_id) AS old_text,
               (SELECT text FROM clause WHERE id = cc.new_clause_id) AS new_text,
               cc.old_clause_ids, cc.new_clause_ids,
               cc.similarity, cc.moved, cc.flags, cc.categories, cc.cosmetic, ch.material AS {material}
        FROM clause_change cc
        JOIN change ch ON ch.id = cc.change_id
        JOIN version ov ON ov.id = ch.from_version_id
        JOIN version nv ON nv.id = ch.to_version_id
        JOIN document d ON d.id = ch.document_id
        JOIN provider p ON p.id = d.provider_id
    """


def upgrade() -> None:
    op.execute("DROP VIEW clause_changes")
    op.execute(f"CREATE VIEW clause_changes AS {_clause_changes('step_material')}")


def downgrade() -> None:
    op.execute("DROP VIEW clause_changes")
    op.execute(f"CREATE VIEW clause_changes AS {_clause_changes('material')}")
