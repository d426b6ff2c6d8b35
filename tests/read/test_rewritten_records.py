"""A rewritten clause change (several old clauses rewritten as several new ones) is stored with
the clause ids of both sides and read back whole: `tracker changes --json`, `tracker history`
and the changes export."""

import json

from rewritten_policy import NEW, OLD, import_both
from sqlalchemy import select

from tracker.store.models import Change, ClauseChange
from tracker.store.models import Clause as ClauseRow


def test_a_rewritten_change_is_stored_with_both_sides_and_read_back_whole(tracker_cli, sessions, tmp_path):
    run = tracker_cli
    import_both(run, tmp_path)

    with sessions() as session:
        change = session.scalars(select(Change)).one()
        assert (change.rewritten, change.modified, change.added, change.removed) == (1, 0, 0, 0)
        assert change.material_count == 1
        [row] = session.scalars(select(ClauseChange)).all()
        texts = dict(session.execute(select(ClauseRow.id, ClauseRow.text)).all())
        assert row.kind == "rewritten"
        assert [texts[i] for i in row.old_clause_ids] == OLD
        assert [texts[i] for i in row.new_clause_ids] == NEW
        assert (row.old_clause_id, row.new_clause_id) == (row.old_clause_ids[0], row.new_clause_ids[0])

    [record] = [json.loads(line) for line in run("changes", "--json").output.splitlines()]
    assert (record["kind"], record["old_text"], record["new_text"]) == ("rewritten", "\n".join(OLD), "\n".join(NEW))
    assert "[-one year-]{+two years+}" in record["redline"]

    history = run("history", "Example").output
    assert "+0 -0 ~0 >0 /0 &0 *1" in history and "* rewritten" in history
    assert "* rewritten" in run("changes").output

    run("export", "--what", "changes", "--format", "jsonl", str(tmp_path / "changes.jsonl"))
    [exported] = [json.loads(line) for line in (tmp_path / "changes.jsonl").read_text().splitlines()]
    assert (exported["kind"], exported["old_text"], exported["new_text"]) == (
        "rewritten", "\n".join(OLD), "\n".join(NEW))
