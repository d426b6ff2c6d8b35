"""Every row of a database by natural keys, to show that two runs wrote the same thing.

Every table of the schema, with ids (also inside JSON id lists) replaced by the natural key
of the row they point to and wall-clock columns (created_at, fetched_at, a backfill's
last_checked_at...) left out: ids may
legitimately differ (PostgreSQL sequences do not roll back; parallel runs write documents in
another order).
"""

import sqlalchemy as sa

from tracker.store.models import Base

WALL_CLOCK = {"created_at", "fetched_at", "added_at", "updated_at", "sent_at", "started_at",
              "finished_at", "last_checked_at", "next_check_at"}
ID_COLUMNS = {("version", "first_capture_id"): "capture", ("version", "last_capture_id"): "capture"}
# JSON lists of ids (split/merged/rewritten clause changes): ids differ legitimately between runs too.
ID_LIST_COLUMNS = {("clause_change", "old_clause_ids"): "clause", ("clause_change", "new_clause_ids"): "clause"}
def dump(url) -> dict[str, list[str]]:
    """Every table's rows, ids replaced by natural keys, sorted."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    with engine.connect() as conn:
        rows = {name: conn.execute(sa.select(t)).mappings().all() for name, t in tables.items()}
    engine.dispose()
    by_id = {name: {r["id"]: r for r in table_rows} for name, table_rows in rows.items()
             if "id" in tables[name].c}

    def target(table, column):
        if (table.name, column.name) in ID_COLUMNS:
            return ID_COLUMNS[table.name, column.name]
        return next((fk.column.table.name for fk in column.foreign_keys), None)

    def value(table, column, raw):
        listed = ID_LIST_COLUMNS.get((table.name, column.name))
        if listed and raw is not None:
            return tuple(natural(listed, i) for i in raw)
        referenced = target(table, column)
        return natural(referenced, raw) if referenced and raw is not None else raw

    def natural(name, row_id):
        table, row = tables[name], by_id[name][row_id]
        unique = next((list(c.columns) for c in table.constraints
                       if isinstance(c, sa.UniqueConstraint)), None)
        unique = unique or [c for c in table.c if c.unique] or [c for c in table.c if c.name != "id"]
        return (name, *(value(table, c, row[c.name]) for c in unique))

    out = {}
    for name, table in tables.items():
        columns = [c for c in table.c if c.name != "id" and c.name not in WALL_CLOCK]
        out[name] = sorted(repr(tuple(value(table, c, r[c.name]) for c in columns)) for r in rows[name])
    return out


def differences(expected: dict, got: dict) -> dict:
    """Per table that differs, two of its missing and two of its extra rows."""
    return {name: {"missing": sorted(set(rows) - set(got[name]))[:2], "extra": sorted(set(got[name]) - set(rows))[:2]}
            for name, rows in expected.items() if got[name] != rows}
