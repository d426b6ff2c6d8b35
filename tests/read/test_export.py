"""Exports of the backfilled corpus: the datasets (CSV, JSON Lines) are the same from SQLite
and PostgreSQL and on every rerun; Markdown files, one per version, escape policy text."""

import csv
import json

from click.testing import CliRunner

from tracker.cli import main
from tracker.read.export import CHANGE_COLUMNS, EVIDENCE_COLUMNS, VERSION_COLUMNS, markdown_escape

RUNS: dict[str, dict[str, bytes]] = {}


def export_all(url, folder):
    runner = CliRunner()
    env = {"TRACKER_DATABASE_URL": url}
    files = {}
    for what in ("versions", "changes"):
        for fmt in ("csv", "jsonl"):
            out = folder / f"{what}.{fmt}"
            result = runner.invoke(main, ["export", "--what", what, "--format", fmt, str(out)], env=env)
            assert result.exit_code == 0, result.output
            files[out.name] = out.read_bytes()
    return files


def test_datasets_are_stable_documented_and_the_same_on_both_databases(corpus_database_url, tmp_path):
    first = export_all(corpus_database_url, tmp_path)
    assert export_all(corpus_database_url, tmp_path) == first  # a rerun overwrites identically
    versions = list(csv.DictReader(first["versions.csv"].decode().splitlines(keepends=True)))
    assert list(versions[0]) == [name for name, _ in VERSION_COLUMNS + EVIDENCE_COLUMNS] + ["sources", "text"]
    assert len(versions) == 21  # DeepSeek's 2025-08-14 capture is a re-flow of v6
    lex = [v for v in versions if v["provider"] == "LEX"]
    assert [v["seq"] for v in lex] == [str(n) for n in range(1, 9)]
    assert lex[0]["first_seen"] == "2022-06-28T09:29:35" and lex[0]["material"] == ""
    assert lex[1]["material"] in ("true", "false") and lex[0]["text"].count("\n") == 95
    changes = [json.loads(line) for line in first["changes.jsonl"].decode().splitlines()]
    assert list(changes[0]) == [name for name, _ in CHANGE_COLUMNS]
    assert {c["kind"] for c in changes} >= {"added", "removed", "modified"}
    assert all(isinstance(c["step_material"], bool) and isinstance(json.loads(c["flags"]), list) for c in changes)
    previous = RUNS.setdefault("files", first)
    assert first == previous  # byte-identical from SQLite and PostgreSQL


def test_markdown_one_file_per_version_named_by_date_and_seq(corpus_database_url, tmp_path):
    runner = CliRunner()
    env = {"TRACKER_DATABASE_URL": corpus_database_url}
    result = runner.invoke(main, ["export-markdown", "DeepSeek", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.md"))
    assert files == [
        "privacy-policy/2025-02-16-v001.md", "privacy-policy/2025-02-23-v002.md",
        "privacy-policy/2025-04-28-v003.md", "privacy-policy/2025-05-09-v004.md",
        "privacy-policy/2025-07-04-v005.md", "privacy-policy/2025-07-18-v006.md"]
    first = {f: (tmp_path / f).read_bytes() for f in files}
    text = first["privacy-policy/2025-04-28-v003.md"].decode()
    assert text.startswith('---\nprovider: "DeepSeek"\ndocument: "Privacy Policy"\nversion: 3\n')
    assert "archive_url: \"https://web.archive.org/web/20250428003152/" in text
    assert "Our Services are not aimed at children, and we do not" in text
    runner.invoke(main, ["export-markdown", "DeepSeek", str(tmp_path)], env=env)
    assert {f: (tmp_path / f).read_bytes() for f in files} == first
    result = runner.invoke(main, ["export-markdown", "nobody", str(tmp_path)], env=env)
    assert result.exit_code == 1 and "unknown provider" in result.output


def test_markdown_escape_keeps_policy_text_literal():
    assert markdown_escape("<script>alert(1)</script> [x](http://e) *a*") == (
        "\\<script\\>alert(1)\\</script\\> \\[x\\](http://e) \\*a\\*")
    assert markdown_escape("# not a heading") == "\\# not a heading"
    assert markdown_escape("1. not a list") == "1\\. not a list"
    assert markdown_escape("- not an item") == "\\- not an item"
