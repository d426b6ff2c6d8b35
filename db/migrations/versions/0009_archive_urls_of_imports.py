"""archive URLs of imported captures: the record's own link, never a made-up Wayback one

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

`policy_timeline.first_archive_url` and `clause_changes.before_archive_url` /
`after_archive_url` were `https://web.archive.org/web/<timestamp>/<url>` whatever the
capture's source; for an imported record `url` is its page URL or, lacking one, its
locator (a local file path), which made links to nothing. An archive capture keeps its
Wayback address; an imported record gives its own link (`capture.source_url`: the Wayback
`id_` capture a dataset extracted it from, an Open Terms Archive snapshot commit) or NULL,
as `version_sources.source_url` always did.
"""

from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

ARCHIVE = "'https://web.archive.org/web/'"


def _link(alias: str, *, imported: bool) -> str:
    wayback = f"{ARCHIVE} || {alias}timestamp || '/' || {alias}url"
    if not imported:
        return wayback
    return f"CASE WHEN {alias}source = 'wayback' THEN {wayback} ELSE {alias}source_url END"


def _timeline(imported: bool) -> str:
    return f"""
        SELECT p.name AS provider, d.name AS document, v.document_id, v.id AS version_id, v.seq,
               v.first_seen, v.last_seen,
               fc.timestamp AS first_timestamp, lc.timestamp AS last_timestamp,
               {_link('fc.', imported=imported)} AS first_archive_url,
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


def _clause_changes(imported: bool) -> str:
    return f"""
        SELECT p.name AS provider, d.name AS document, ch.document_id,
               ch.id AS change_id, cc.id AS clause_change_id,
               ov.seq AS from_seq, nv.seq AS to_seq, nv.first_seen AS date,
               (SELECT timestamp FROM capture WHERE id = ov.last_capture_id) AS before_timestamp,
               (SELECT {_link('', imported=imported)} FROM capture
                WHERE id = ov.last_capture_id) AS before_archive_url,
               (SELECT timestamp FROM capture WHERE id = nv.first_capture_id) AS after_timestamp,
               (SELECT {_link('', imported=imported)} FROM capture
                WHERE id = nv.first_capture_id) AS after_archive_url,
               cc.ordinal, cc.kind, COALESCE(cc.new_section, cc.old_section) AS section,
               cc.old_clause_id, cc.new_clause_id,
               (SELECT text FROM clause WHERE id = cc.old_clause_id) AS old_text,
               (SELECT text FROM clause WHERE id = cc.new_clause_id) AS new_text,
               cc.old_clause_ids, cc.new_clause_ids,
               cc.similarity, cc.moved, cc.flags, cc.categories, cc.cosmetic, ch.material
        FROM clause_change cc
        JOIN change ch ON ch.id = cc.change_id
        JOIN version ov ON ov.id = ch.from_version_id
        JOIN version nv ON nv.id = ch.to_version_id
        JOIN document d ON d.id = ch.document_id
        JOIN provider p ON p.id = d.provider_id
    """


def upgrade() -> None:
    _views(imported=True)


def downgrade() -> None:
    _views(imported=False)


def _views(*, imported: bool) -> None:
    for name, body in (("policy_timeline", _timeline(imported)), ("clause_changes", _clause_changes(imported))):
        op.execute(f"DROP VIEW IF EXISTS {name}")
        op.execute(f"CREATE VIEW {name} AS {body}")
