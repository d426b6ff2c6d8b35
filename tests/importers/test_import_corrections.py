"""A file imported again under other metadata is never reported held while it is not where
the run asked: it is skipped with a line saying where it is held and how to move it, and
`--move` moves it (the old history rebuilt keeping its changes' ids, the old provider gone
when nothing else is left of it). What a rerun leaves unsaid stays as it is."""

import json

import pytest
from git_repos import policy

from tracker.archive import ArchiveServer

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

VOIP = "http://www.voip.com/privacy_policy.aspx"


def providers(run) -> list[str]:
    return sorted(row["provider"] for row in json.loads(run("list", "--json").output))


def versions(run, provider) -> list[dict]:
    return json.loads(run("history", provider, "--json").output)[0]["versions"]


def test_a_file_given_other_metadata_is_refused_saying_where_it_is_held(tracker_cli, tmp_path):
    run = tracker_cli
    text = tmp_path / "p.md"
    text.write_text(policy())
    run("import", "files", str(text), "--provider", "A", "--date", "2020", "--quiet")
    result = run("import", "files", str(text), "--provider", "B", "--date", "2019", "--quiet", ok=False)
    [line] = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert "held as provider 'A', document 'Privacy Policy', dated 2020-01-01" in line
    assert "rerun with --move to file it as provider 'B', document 'Privacy Policy', dated 2019-01-01" in line
    assert "already held 0, skipped 1" in result.stdout and "nothing imported" in result.stderr
    assert providers(run) == ["A"]
    for same in ((), ("--provider", "a"), ("--date", "2020-01-01")):  # unsaid or equal: held
        assert "imported 0 (0 technical), already held 1, skipped 0" in run(
            "import", "files", str(text), *same, "--quiet").output


def test_move_files_it_under_the_new_metadata_and_the_old_provider_goes(tracker_cli, tmp_path):
    run = tracker_cli
    text = tmp_path / "p.md"
    text.write_text(policy())
    run("import", "files", str(text), "--provider", "A", "--date", "2020", "--quiet")
    output = run("import", "files", str(text), "--provider", "B", "--date", "2019", "--move", "--quiet").output
    assert "imported 1 (0 technical, 1 moved), already held 0, skipped 0" in output
    assert providers(run) == ["B"]
    [version] = versions(run, "B")
    assert version["first_timestamp"] == "20190101000000" and version["sources"][0]["source"] == "file"
    again = run("import", "files", str(text), "--provider", "B", "--date", "2019", "--move", "--quiet").output
    assert "imported 0 (0 technical), already held 1" in again


def test_moving_a_file_out_of_an_archived_history_rebuilds_it_keeping_change_ids(tracker_cli, sample_corpus,
                                                                               tmp_path):
    run = tracker_cli
    with ArchiveServer(sample_corpus) as server:
        run.env["TRACKER_WAYBACK_URL"] = server.url
        run("add", VOIP, "--provider", "voip.com")
        run("backfill", "--quiet")
    changes = "SELECT id, created_at, technical FROM change ORDER BY id"
    before = json.loads(run("sql", changes, "--format", "json").output)
    archived = [v["first_timestamp"] for v in versions(run, "voip.com")]
    clauses = json.loads(run("sql", "SELECT text FROM clause_history WHERE provider = 'voip.com' AND seq = 1 "
                                    "ORDER BY sort_key", "--format", "json").output)
    edited = [row["text"] for row in clauses] + ["We now share your data with our advertising partners."]
    text = tmp_path / "p.md"
    text.write_text("\n\n".join(edited) + "\n")  # voip.com's 2006 text with a clause added, dated 2010
    run("import", "files", str(text), "--provider", "voip.com", "--date", "2010", "--quiet")
    assert len(versions(run, "voip.com")) == len(archived) + 1
    run("import", "files", str(text), "--provider", "Elsewhere", "--move", "--quiet")
    assert [v["first_timestamp"] for v in versions(run, "voip.com")] == archived
    assert [v["first_timestamp"] for v in versions(run, "Elsewhere")] == ["20100101000000"]
    after = json.loads(run("sql", changes, "--format", "json").output)
    assert after == before  # the archive's change under its id and date; nothing new to mail
    assert providers(run) == ["Elsewhere", "voip.com"]
