"""`tracker search` over the backfilled corpus, on SQLite (FTS5) and PostgreSQL (GIN tsvector)."""

import json

import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.cli.app import parse_since
from tracker.read.search import SearchError, ranges, search
from tracker.store.documents import UnknownProvider


def test_phrase_finds_each_clause_with_its_versions(corpus_sessions):
    with corpus_sessions() as session:
        hits = search(session, "not aimed at children", provider="deepseek")
    assert [(h.provider, h.versions) for h in hits] == [("DeepSeek", [1]), ("DeepSeek", [2]), ("DeepSeek", [3, 4, 5, 6])]
    assert hits[2].first_seen.isoformat() == "2025-04-28T00:31:52"
    assert hits[2].last_seen.isoformat() == "2025-08-14T12:33:13"
    assert all("[" in h.snippet and "]" in h.snippet for h in hits)
    assert "children]" in hits[2].snippet.lower()


def test_since_keeps_only_versions_in_force_then(corpus_sessions):
    with corpus_sessions() as session:
        hits = search(session, "not aimed at children", provider="DeepSeek", since=parse_since("2025-06"))
        everywhere = search(session, "sell")
    assert [h.versions for h in hits] == [[5, 6]]  # 2025-08-14 re-flows v6
    assert {h.provider for h in everywhere} == {"DeepSeek", "avoxi.com", "onebox.com", "voip.com"}


def test_query_syntax_and_its_errors(corpus_sessions):
    with corpus_sessions() as session:
        either = {h.clause_id for h in search(session, "sell OR rent", syntax=True, limit=100)}
        sell = {h.clause_id for h in search(session, "sell", limit=100)}
        assert sell < either or sell == either
        if session.get_bind().dialect.name == "sqlite":
            with pytest.raises(SearchError, match="not a valid FTS5 query"):
                search(session, 'sell AND (', syntax=True)
        # quotes and FTS operators in a phrase are only words: never an error, never SQL
        assert search(session, 'say "hello AND ( NOT') == []
        with pytest.raises(SearchError):
            search(session, "   ")
        with pytest.raises(UnknownProvider):
            search(session, "sell", provider="nobody")


def test_cli_search_text_and_json(corpus_database_url):
    runner = CliRunner()
    env = {"TRACKER_DATABASE_URL": corpus_database_url}
    result = runner.invoke(main, ["search", "opt-out", "--provider", "LEX"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("LEX / Privacy Policy  v1-v8  2022-06-28 .. 2025-12-10")
    result = runner.invoke(main, ["search", "not aimed at children", "--since", "2025-06", "--json"], env=env)
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["provider"], r["versions"]) for r in rows] == [("DeepSeek", [5, 6])]
    result = runner.invoke(main, ["search", "x", "--since", "soon"], env=env)
    assert result.exit_code == 2 and "not a date" in result.output
    if corpus_database_url.startswith("sqlite"):
        result = runner.invoke(main, ["search", "sell AND (", "--syntax"], env=env)
        assert result.exit_code == 1 and result.output.startswith("Error: not a valid FTS5 query")


def test_ranges():
    assert ranges([1, 2, 3, 5, 7, 8]) == "v1-v3, v5, v7-v8"
    assert parse_since("2018").isoformat() == "2018-01-01T00:00:00"
    assert parse_since("2018-05").isoformat() == "2018-05-01T00:00:00"


def test_phrase_in_a_script_without_spaces_is_found_inside_longer_runs(database_url, tmp_path, archive, inbox):
    # The index would take a whole run of Chinese characters for one word.
    from corpora import DATA
    from mail_world import World

    url = "https://zh.example/legal/privacy"
    page = DATA / "pages" / "doubao-20240529063049.html"
    archive.add_capture(url, "20240529063049", page.read_bytes())
    world = World(database_url, tmp_path, archive, inbox.port)
    world.track((url, "zh.example"))
    world.backfill()
    with world.sessions() as session:
        hits = search(session, "地理位置", provider="zh.example")
        assert len(hits) >= 2
        assert all("[地理位置]" in h.snippet and h.versions == [1] for h in hits)
        assert search(session, "地理位置", provider="zh.example", limit=1)[0].clause_id == hits[0].clause_id
        assert search(session, "没有这个短语的隐私", provider="zh.example") == []
