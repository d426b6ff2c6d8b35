"""The `tracker` command line, run in-process with click's runner and once as a real process."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.archive import ArchiveServer
from tracker.cli import main

VOIP = "http://www.voip.com/privacy_policy.aspx"


@pytest.fixture
def archive(sample_corpus, test_corpus):
    with ArchiveServer(sample_corpus, test_corpus) as server:
        yield server


@pytest.fixture
def run(tracker_cli, archive):
    """Invoke the CLI against a fresh database and the loopback archive."""
    tracker_cli.env["TRACKER_WAYBACK_URL"] = archive.url
    return tracker_cli


def backfilled(run):
    run("add", VOIP, "--provider", "voip.com")
    run("add", "http://www.onebox.com/privacy.asp", "--provider", "onebox.com")
    run("add", "http://www.onebox.com/signup/privacy", "--provider", "onebox.com")
    return run("backfill", "--quiet")


def test_add_backfill_history(run):
    result = backfilled(run)
    assert "voip.com / Privacy Policy: listed 2 (new 2), downloaded 2" in result.output
    history = json.loads(run("history", "voip.com", "--json").output)
    versions = history[0]["versions"]
    assert [v["first_timestamp"] for v in versions] == ["20061016220256", "20130523180728"]
    assert versions[1]["removed"] > 0 and versions[1]["added"] > 0
    text = run("history", "onebox.com").output
    assert "2 version(s)" in text and "2009-04-05" in text and "2013-08-28" in text
    listing = json.loads(run("list", "--json").output)
    assert {"provider": "onebox.com", "document": "Privacy Policy", "versions": 2, "source": "wayback",
            "urls": ["http://www.onebox.com/privacy.asp", "http://www.onebox.com/signup/privacy"]} in listing


def test_changes_since_and_json_lines(run):
    backfilled(run)
    lines = run("changes", "--json").output.splitlines()
    rows = [json.loads(line) for line in lines]
    assert {r["provider"] for r in rows} == {"voip.com", "onebox.com"}
    assert not [r for r in rows if r["old_text"] is not None and r["old_text"] == r["new_text"]]
    assert run("changes", "--since", "2013-06-01", "--json").output.count("\n") == \
        sum(1 for r in rows if r["provider"] == "onebox.com")
    assert "no changes recorded" in run("changes", "--since", "2020").output
    # --since names the start of its period: voip.com's change first seen on 2013-05-23 counts
    voip = sum(1 for r in rows if r["provider"] == "voip.com")
    assert run("changes", "--since", "2013-05-23", "--provider", "voip.com", "--json").output.count("\n") == voip
    assert run("changes", "--since", "2013-05", "--provider", "voip.com", "--json").output.count("\n") == voip


def test_voip_diff_2006_to_2013_lists_what_a_reader_finds(run):
    backfilled(run)
    data = json.loads(run("diff", "voip.com", "--from", "2006", "--to", "2013", "--json").output)[0]
    assert (data["from_version"], data["to_version"]) == (1, 2)
    changes = data["changes"]
    removed = [c["old_text"] for c in changes if c["kind"] == "removed"]
    old_side = [c["old_text"] for c in changes if c["old_text"]]
    new_side = [c["new_text"] for c in changes if c["new_text"]]

    # The opening sentence is unchanged, so it is not reported at all.
    assert not any(t.startswith("Voip.com respects the privacy of its customers") for t in old_side + new_side)
    # The TRUSTe paragraphs are gone.
    assert any("licensee of the TRUSTe Privacy Program" in t for t in removed)
    # The promise not to read or listen to private communications is gone.
    assert any("will not read, listen to or disclose" in t for t in removed)
    # "Not available to employees" gave way to access for developers and network staff.
    assert any("Customer information is not available to employees" in t for t in old_side)
    assert any("developers, network operations personnel and other qualified employees" in t for t in new_side)
    # The children's section is removed.
    assert any("does not sell products or services for purchase by children" in t for t in removed)
    # Nothing unchanged is reported as changed.
    assert all(c["old_text"] != c["new_text"] for c in changes)

    text = run("diff", "voip.com", "--from", "2006-10-16", "--to", "2013-05-23").output
    assert "version 1 (2006-10-16) -> version 2 (2013-05-23)" in text
    assert "- removed" in text and "+ added" in text


def test_normalize_several_files_and_compare(run, sample_corpus):
    folder = sample_corpus / "archive" / "seed--voip.com--privacy-policy"
    old, new = str(folder / "20061016220256.html"), str(folder / "20130523180728.html")
    lines = run("normalize", old, new, "--json").output.splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["file"] == old
    assert any("TRUSTe" in b["text"] for b in first["blocks"])
    markdown = run("normalize", old).output
    assert "Voip.com respects the privacy" in markdown and "#" in markdown
    compared = json.loads(run("compare", old, new, "--json").output)
    assert compared["summary"]["removed"] > 0 and compared["summary"]["added"] > 0


@pytest.mark.parametrize("args, message", [
    (("add", "not a url", "--provider", "x"), "not an http(s) URL"),
    (("history", "nobody"), "unknown provider"),
    (("backfill", "--provider", "nobody"), "unknown provider"),
    (("normalize", "/nonexistent/file.html"), "cannot read"),
    (("diff", "voip.com", "--from", "yesterday", "--to", "2013"), "not a date"),
])
def test_bad_input_is_one_clear_line(run, args, message):
    result = run(*args, ok=False)
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error:") and message in last


def test_unreachable_archive_is_one_line(tmp_path, database_url):
    env = {"TRACKER_DATABASE_URL": database_url, "TRACKER_WAYBACK_URL": "http://127.0.0.1:9",
           "TRACKER_SNAPSHOTS_DIR": str(tmp_path / "s"), "TRACKER_CDX_INTERVAL": "0",
           "TRACKER_TIMEOUT": "2", "TRACKER_CONFIG": os.devnull}
    runner = CliRunner()
    assert runner.invoke(main, ["add", VOIP, "--provider", "voip.com"], env=env).exit_code == 0
    result = runner.invoke(main, ["backfill", "--quiet"], env=env)
    assert result.exit_code == 1
    assert "unreachable" in result.output and "Traceback" not in result.output


def test_demo_runs_as_a_real_process(tmp_path):
    """The console entry point, end to end, with no network."""
    result = subprocess.run(
        [sys.executable, "-m", "tracker.cli", "demo", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "voip.com / Privacy Policy: 2 version(s)" in out
    assert "what changed from 2006-10-16 to 2013-05-23" in out
    assert "[-" in out or "removed" in out
    assert (tmp_path / "tracker.db").exists()
    assert "Subject: Privacy policy changes: avoxi.com, onebox.com, voip.com" in out
    assert len(list((tmp_path / "digest").glob("reader@example.org-*.html"))) == 1


def test_backfill_by_hand_refuses_while_the_daemon_holds_the_store(run, database_url):
    """The daemon checks every document itself; a second writer deriving the same histories
    would race it. The refusal is one line and writes nothing."""
    from tracker.jobs import InstanceLock

    run("add", VOIP, "--provider", "voip.com")
    with InstanceLock(database_url):
        result = run("backfill", "--quiet", ok=False)
    assert "daemon is already running" in result.output and "stop it to backfill by hand" in result.output
    assert "voip.com / Privacy Policy: 0 version(s)" in run("history", "voip.com").output
    assert "listed 2 (new 2)" in run("backfill", "--quiet").output  # lock released: it works


def test_a_backfill_is_a_check_that_status_shows(run):
    """Right after a backfill, `status` showed "last check never" and the daemon would check
    every document again at once."""
    backfilled(run)
    documents = json.loads(run("status", "--json").output)["documents"]
    assert len(documents) == 2
    for document in documents:
        assert document["last_checked_at"] is not None and document["next_check_at"] > document["last_checked_at"]
    assert "last check never" not in run("status").output


def test_the_demos_suggestions_work_as_printed_and_name_no_deleted_file(tmp_path):
    """Started as `.venv/bin/tracker` with the venv off PATH, the demo's "Try:" line names
    that path (not a `tracker` the shell cannot find), and it runs; without --workdir it
    lists no digest file inside the folder it has removed."""
    program = str(Path(sys.executable).with_name("tracker"))
    env = {"PATH": "/usr/bin:/bin", "TRACKER_CONFIG": "/dev/null", "HOME": str(tmp_path)}
    kept = subprocess.run([program, "demo", "--workdir", str(tmp_path / "kept")], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path, env=env)
    assert kept.returncode == 0, kept.stderr
    try_line = next(line for line in kept.stdout.splitlines() if line.startswith("Try: "))
    assignment, *command = shlex.split(try_line.removeprefix("Try: "))
    assert command == [program, "changes"]
    name, _, value = assignment.partition("=")
    again = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path,
                           env={**env, name: value})
    assert again.returncode == 0 and "voip.com" in again.stdout, again.stderr
    assert any(line.strip().endswith(".eml") and Path(line.strip()).is_file() for line in kept.stdout.splitlines())

    temporary = subprocess.run([program, "demo"], capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert temporary.returncode == 0, temporary.stderr
    assert not [line for line in temporary.stdout.splitlines() if line.strip().endswith((".eml", ".html"))]
    assert f"`{program} demo --workdir DIR` keeps them" in temporary.stdout


def test_history_explains_its_change_counts(run):
    backfilled(run)
    lines = run("history", "voip.com").output.splitlines()
    assert any(" +" in line and " ~" in line and " &" in line and " *" in line for line in lines)
    assert lines[-1].startswith("(each version's counts are clauses changed since the version before it: ")
    for mark, kind in (("+", "added"), ("-", "removed"), ("~", "modified"), (">", "moved"), ("/", "split"),
                       ("&", "merged"), ("*", "rewritten")):
        assert f"{mark} {kind}" in lines[-1]
