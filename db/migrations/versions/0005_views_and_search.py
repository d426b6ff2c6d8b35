"""views and search: analyst views, full-text search over clause text

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

The views are plain SQL that both SQLite and PostgreSQL accept (docs/sql.md documents them
column by column); only the two views that unnest JSON lists, and full-text search, differ
by dialect. SQLite: an FTS5 external-content table over clause.text, kept in sync by
triggers and filled from the existing rows here. PostgreSQL: a GIN index on
to_tsvector('english', text). Nothing here stores data of its own: downgrade drops it all.

Speed (bench/store_growth.py: each example query of docs/sql.md under 200 ms on SQLite at
10,000 documents x 50 versions): clause_changes looks up the optional rows (clause texts,
captures) in scalar subqueries, not LEFT JOINs, so the planner can filter clause_change
first and only fetches texts for rows returned; partial indexes of the clause changes with
flags / categories let the unnest views skip the empty lists; an index on
clause_change.new_clause_id leads from a full-text match to its changes.
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

ARCHIVE = "'https://web.archive.org/web/'"

VIEWS = {
    "policy_timeline": f"""
        SELECT p.name AS provider, d.name AS document, v.document_id, v.id AS version_id, v.seq,
               v.first_seen, v.last_seen,
               fc.timestamp AS first_timestamp, lc.timestamp AS last_timestamp,
               {ARCHIVE} || fc.timestamp || '/' || fc.url AS first_archive_url,
               v.capture_count, v.clause_count, v.word_count, v.effective_date,
               v.normalizer_version, v.clause_hash,
               ch.added, ch.removed, ch.modified, ch.moved, ch.material
        FROM version v
        JOIN document d ON d.id = v.document_id
        JOIN provider p ON p.id = d.provider_id
        LEFT JOIN capture fc ON fc.id = v.first_capture_id
        LEFT JOIN capture lc ON lc.id = v.last_capture_id
        LEFT JOIN change ch ON ch.to_version_id = v.id
    """,
    "clause_changes": f"""
        SELECT p.name AS provider, d.name AS document, ch.document_id,
               ch.id AS change_id, cc.id AS clause_change_id,
               ov.seq AS from_seq, nv.seq AS to_seq, nv.first_seen AS date,
               (SELECT timestamp FROM capture WHERE id = ov.last_capture_id) AS before_timestamp,
               (SELECT {ARCHIVE} || timestamp || '/' || url FROM capture
                WHERE id = ov.last_capture_id) AS before_archive_url,
               (SELECT timestamp FROM capture WHERE id = nv.first_capture_id) AS after_timestamp,
               (SELECT {ARCHIVE} || timestamp || '/' || url FROM capture
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
    """,
    "latest_policy_text": """
        SELECT p.name AS provider, d.name AS document, v.document_id, v.id AS version_id, v.seq,
               vc.sort_key, vc.kind, vc.level, vc.section, c.id AS clause_id, c.text
        FROM version v
        JOIN document d ON d.id = v.document_id
        JOIN provider p ON p.id = d.provider_id
        JOIN version_clause vc ON vc.document_id = v.document_id AND vc.first_seq <= v.seq
             AND (vc.last_seq IS NULL OR vc.last_seq >= v.seq)
        JOIN clause c ON c.id = vc.clause_id
        WHERE v.seq = (SELECT max(lv.seq) FROM version lv WHERE lv.document_id = v.document_id)
    """,
    "clause_history": """
        SELECT p.name AS provider, d.name AS document, v.document_id, c.id AS clause_id,
               v.id AS version_id, v.seq, v.first_seen, v.last_seen,
               vc.sort_key, vc.kind, vc.level, vc.section, c.text
        FROM version_clause vc
        JOIN version v ON v.document_id = vc.document_id AND v.seq >= vc.first_seq
             AND (vc.last_seq IS NULL OR v.seq <= vc.last_seq)
        JOIN document d ON d.id = v.document_id
        JOIN provider p ON p.id = d.provider_id
        JOIN clause c ON c.id = vc.clause_id
    """,
}

# One row per element of a JSON list column; the same view name and columns on both databases.
UNNEST_VIEWS = {
    "clause_change_flag": ("flags", "flag"),
    "clause_change_category": ("categories", "category"),
}

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE clause_fts USING fts5("
    "text, content='clause', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER clause_fts_insert AFTER INSERT ON clause BEGIN "
    "INSERT INTO clause_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER clause_fts_delete AFTER DELETE ON clause BEGIN "
    "INSERT INTO clause_fts(clause_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER clause_fts_update AFTER UPDATE OF text ON clause BEGIN "
    "INSERT INTO clause_fts(clause_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO clause_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO clause_fts(clause_fts) VALUES ('rebuild')",
]

# Partial: only the rows with a non-empty list, the ones the unnest views read.
PARTIAL_INDEXES = {"ix_clause_change_flags": "flags", "ix_clause_change_categories": "categories"}

POSTGRES_FTS = ["CREATE INDEX ix_clause_text_fts ON clause USING gin (to_tsvector('english', text))"]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body}")
    for name, (column, label) in UNNEST_VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {_unnest(dialect, column, label)}")
    for statement in SQLITE_FTS if dialect == "sqlite" else POSTGRES_FTS:
        op.execute(statement)
    op.create_index("ix_clause_change_new_clause_id", "clause_change", ["new_clause_id"])
    for name, column in PARTIAL_INDEXES.items():
        where = sa.text(f"{column} <> '[]'")
        op.create_index(name, "clause_change", [column], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name in [*PARTIAL_INDEXES, "ix_clause_change_new_clause_id"]:
        op.drop_index(name, table_name="clause_change")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("clause_fts_update", "clause_fts_delete", "clause_fts_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS clause_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_clause_text_fts")
    for name in [*UNNEST_VIEWS, *VIEWS][::-1]:
        op.execute(f"DROP VIEW IF EXISTS {name}")


def _unnest(dialect: str, column: str, label: str) -> str:
    if dialect == "sqlite":
        return (f"SELECT cc.id AS clause_change_id, j.value AS {label} "
                f"FROM clause_change cc, json_each(cc.{column}) AS j WHERE cc.{column} <> '[]'")
    return (f"SELECT cc.id AS clause_change_id, j.value AS {label} FROM clause_change cc "
            f"CROSS JOIN LATERAL jsonb_array_elements_text(cc.{column}::jsonb) AS j(value) "
            f"WHERE cc.{column} <> '[]'")
