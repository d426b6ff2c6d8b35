"""What a backfill stores of each change's meaning (splits, flags, categories, cosmetic edits,
the stated effective date), read back by `tracker changes --category` and `tracker diff --json`."""

import json
from datetime import date

import pytest
from sqlalchemy import select

from tracker.archive import ArchiveServer
from tracker.store.models import Change, ClauseChange, Version
from tracker.store.models import Clause as ClauseRow

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)


def test_backfill_stores_meaning_and_cli_filters_by_category(tracker_cli, sample_corpus, sessions):
    """Split rows keep every clause, flags/categories/cosmetic are stored, the version keeps
    its stated date and both counts; `changes --category` and `diff --json` read them back."""

    def run(*args):
        return tracker_cli(*args).output

    with ArchiveServer(sample_corpus) as server:
        tracker_cli.env["TRACKER_WAYBACK_URL"] = server.url
        run("add", "http://www.onebox.com/privacy.asp", "--provider", "onebox.com")
        run("add", "http://www.onebox.com/signup/privacy", "--provider", "onebox.com")
        run("backfill", "--quiet")

    with sessions() as session:
        versions = session.scalars(select(Version).order_by(Version.seq)).all()
        assert [v.effective_date for v in versions] == [date(2009, 3, 17), date(2010, 4, 15)]
        change = session.scalars(select(Change)).one()
        assert change.split >= 2 and change.material
        assert change.material_count + change.cosmetic_count == (
            change.added + change.removed + change.modified + change.moved + change.split + change.merged)
        rows = session.scalars(select(ClauseChange)).all()
        splits = [r for r in rows if r.kind == "split"]
        assert all(len(r.new_clause_ids) >= 2 and r.old_clause_ids is None for r in splits)
        assert all(r.categories for r in rows)
        assert sum(r.cosmetic for r in rows) == change.cosmetic_count
        assert all(session.scalars(select(ClauseRow.categories)))

    children = [json.loads(line) for line in
                run("changes", "--category", "international_specific_audiences", "--json").splitlines()]
    assert children and all("international_specific_audiences" in r["categories"] for r in children)
    everything = run("changes", "--json").splitlines()
    assert len(children) < len(everything)
    split = next(r for r in children if r["kind"] == "split")
    assert split["new_text"].count("\n") == 1 and split["old_text"] != split["new_text"]

    data = json.loads(run("diff", "onebox.com", "--from", "2009", "--to", "2013", "--json"))[0]
    assert data["from_effective_date"] == "2009-03-17"
    assert sum(len(s["changes"]) for s in data["sections"]) == len(data["changes"])
    assert {"split", "modified", "added"} <= {c["kind"] for c in data["changes"]}
    text = run("diff", "onebox.com", "--from", "2009", "--to", "2013")
    assert "/ split into 2" in text and "categories: " in text and "(cosmetic)" in text


def test_a_change_record_names_the_steps_materiality_apart_from_its_own(corpus_database_url, tmp_path):
    """A cosmetic clause change of a material step read `material: true, cosmetic: true`: the
    step's materiality is `step_material` in `changes --json`, the changes export and the
    clause_changes view alike, and `material` names nothing on a clause change."""
    from click.testing import CliRunner
    from readonly_role import read_only_url

    from tracker.cli import main

    env = {"TRACKER_DATABASE_URL": corpus_database_url, "TRACKER_CONFIG": "/dev/null",
           "TRACKER_SQL_DATABASE_URL": read_only_url(corpus_database_url)}

    def run(*args: str) -> str:
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    rows = [json.loads(line) for line in run("changes", "--json").splitlines()]
    assert [r for r in rows if r["cosmetic"] and r["step_material"]]
    assert not [r for r in rows if "material" in r]
    run("export", "--what", "changes", "--format", "jsonl", str(tmp_path / "changes.jsonl"))
    exported = [json.loads(line) for line in (tmp_path / "changes.jsonl").read_text().splitlines()]
    assert "step_material" in exported[0] and "material" not in exported[0]
    columns = run("sql", "SELECT * FROM clause_changes LIMIT 1", "--format", "json")
    assert '"step_material"' in columns and '"material"' not in columns
