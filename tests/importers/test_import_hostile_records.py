"""One record that cannot be imported (a name with a newline or an escape sequence, a
provenance line with a date that is no date, a FIFO, a locator too long for the database)
is skipped with one line naming it, escaped, and the rest of the dataset is imported; the
summary counts what was skipped and a rerun ends the same way. Real git repositories and
real files in tmp folders."""

import json
import os
import subprocess
import sys
from datetime import datetime

import pytest
from git_repos import PROVENANCE, Repo, citp_path, citp_snapshot, ota_record, policy

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)


def skipped_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("skipped ")]


def providers(run) -> set[str]:
    return {row["provider"] for row in json.loads(run("list", "--json").output)}


def test_ota_service_named_with_a_newline_is_skipped_and_the_rest_imported(tracker_cli, tmp_path):
    repo = Repo(tmp_path / "ota")
    ota_record(repo, "Evil\nName", "first", datetime(2021, 1, 5, 12), policy())
    ota_record(repo, "Acme", "first", datetime(2021, 2, 5, 12), policy())
    ota_record(repo, "Beep\x1b[2J", "first", datetime(2021, 3, 5, 12), policy())
    for rerun in (False, True):
        result = tracker_cli("import", "ota", str(repo.path), "--quiet")
        lines = skipped_lines(result)
        assert len(lines) == 2 and len(result.stderr.splitlines()) == 2, result.stderr
        assert "Evil\\x0aName/Privacy Policy.md" in lines[0] and "Beep\\x1b[2J/Privacy Policy.md" in lines[1]
        assert "\x1b" not in result.output
        assert ("already held 1" if rerun else "imported 1 (0 technical)") in result.stdout
        assert "skipped 2" in result.stdout
    assert providers(tracker_cli) == {"Acme"}


def test_citp_domain_with_a_control_character_or_an_impossible_date_spoils_nothing_else(tracker_cli, tmp_path):
    repo = Repo(tmp_path / "pl")
    citp_snapshot(repo, "example.com", "http://example.com/privacy", datetime(2009, 3, 1), "Privacy", policy())
    repo.commit({citp_path("exa\nmple.org"): policy()}, json.dumps({"archived": "2010-01-01"}), datetime(2010, 1, 1))
    impossible = PROVENANCE.format(domain="shop.org", date="2011-13-45", timestamp="20111345000000",
                                   quoted="http%3A//shop.org/privacy")
    repo.commit({citp_path("shop.org"): impossible + policy()}, json.dumps({"archived": "2011-02-03"}),
                datetime(2011, 2, 3))
    result = tracker_cli("import", "citp", str(repo.path), "--quiet")
    [line] = skipped_lines(result)
    assert "e/ex/exa/exa\\x0ample.org.md" in line and "control character" in line
    assert "imported 2 (0 technical)" in result.stdout and "skipped 1" in result.stdout
    assert providers(tracker_cli) == {"example.com", "shop.org"}
    shop = json.loads(tracker_cli("history", "shop.org", "--json").output)[0]["versions"]
    assert shop[0]["first_timestamp"] == "20110203000000"  # the commit's metadata, not the broken line


def test_files_with_a_hostile_provenance_or_a_locator_too_long_are_skipped_alone(tracker_cli, tmp_path):
    good = tmp_path / "good.md"
    good.write_text(policy())
    hostile = tmp_path / "Evil\nName.md"
    hostile.write_text(PROVENANCE.format(domain="ev\x1bil.com", date="2012-01-01", timestamp="20120101000000",
                                         quoted="http%3A//evil.com/privacy") + policy())
    deep = tmp_path.joinpath(*["d" * 250] * 8)
    deep.mkdir(parents=True)
    (deep / "long.md").write_text(policy())
    result = tracker_cli("import", "files", str(good), str(hostile), str(deep / "long.md"),
                         "--provider", "Acme", "--date", "2020", "--quiet")
    lines = skipped_lines(result)
    assert len(lines) == 2 and "Evil\\x0aName.md" in lines[0] and "longer than 2000 characters" in lines[1]
    assert "\x1b" not in result.output and "imported 1" in result.stdout and "skipped 2" in result.stdout
    assert providers(tracker_cli) == {"Acme"}


def test_a_fifo_among_the_files_is_skipped_not_waited_on(tmp_path):
    """A real process: reading a FIFO would wait for a writer forever (a hang fails the test)."""
    os.mkfifo(tmp_path / "pipe.md")
    (tmp_path / "good.md").write_text(policy())
    env = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}",
           "TRACKER_SNAPSHOTS_DIR": str(tmp_path / "snapshots"), "TRACKER_CONFIG": str(tmp_path / "none.toml")}
    (tmp_path / "none.toml").write_text("")
    result = subprocess.run([sys.executable, "-m", "tracker.cli", "import", "files", str(tmp_path / "pipe.md"),
                             str(tmp_path / "good.md"), "--provider", "Acme", "--date", "2020", "--quiet"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"skipped {tmp_path / 'pipe.md'}: not a regular file"
    assert "imported 1" in result.stdout and "skipped 1" in result.stdout
