"""`tracker search` over the backfilled corpus, on SQLite (FTS5) and PostgreSQL (GIN tsvector)."""

import json

import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.cli.app import parse_since
from tracker.read.search import SearchError, ranges, search
from tracker.store.documents import UnknownProvider

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)


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



# What a search finds, said with the view clause_history (a row per clause and version):
# the matching clauses per document, ordered by their first version and place, each with
# the versions it is in. search() reads clause occurrences instead, and must find the same.
REFERENCE_HITS = """
    SELECT provider, document, document_id, clause_id FROM clause_history
    WHERE clause_id IN :clause_ids {filters}
    GROUP BY provider, document, document_id, clause_id
    ORDER BY provider, document, min(seq), min(sort_key)
"""
REFERENCE_VERSIONS = ("SELECT seq FROM clause_history WHERE document_id = :document_id AND clause_id = :clause_id "
                      "{since} ORDER BY seq")
PHRASES = ["sell", "children", "cookies", "third parties", "opt-out", "retain", "law enforcement", "email",
           "privacy policy", "we", "information"]


def reference_search(session, phrase, provider=None, since=None):
    from sqlalchemy import bindparam, text

    from tracker.read.search import MATCHING_CLAUSES
    from tracker.store.documents import find_documents

    dialect = session.get_bind().dialect.name
    matching = text(MATCHING_CLAUSES[dialect].format(tsquery="phraseto_tsquery"))
    ids = list(session.scalars(matching, {"query": f'"{phrase}"' if dialect == "sqlite" else phrase}))
    since_filter = "" if since is None else "AND last_seen >= :since"
    filters, params = since_filter, {"clause_ids": ids or [0], "since": since}
    if provider is not None:
        filters += " AND document_id IN :document_ids"
        params["document_ids"] = [d.id for d in find_documents(session, provider)]
    hits = session.execute(text(REFERENCE_HITS.format(filters=filters)).bindparams(
        *[bindparam(name, expanding=True) for name in ("clause_ids", "document_ids") if name in params]), params)
    versions = text(REFERENCE_VERSIONS.format(since=since_filter))
    return [(provider, document, clause_id,
             list(session.scalars(versions, {"document_id": document_id, "clause_id": clause_id, "since": since})))
            for provider, document, document_id, clause_id in hits]


@pytest.mark.parametrize("phrase", PHRASES)
def test_hits_are_clause_historys_rows_per_clause_and_document(corpus_sessions, phrase):
    since = parse_since("2013")
    with corpus_sessions() as session:
        for provider, when in [(None, None), (None, since), ("DeepSeek", None), ("voip.com", since)]:
            expected = reference_search(session, phrase, provider, when)
            hits = search(session, phrase, provider=provider, since=when, limit=1000)
            assert [(h.provider, h.document, h.clause_id, h.versions) for h in hits] == expected, (provider, when)
            first = search(session, phrase, provider=provider, since=when, limit=3)
            assert [(h.provider, h.document, h.clause_id, h.versions) for h in first] == expected[:3]
            if provider is when is None:
                # every phrase is in the corpus; PostgreSQL drops "we", a stop word, from any query
                assert len(expected) >= 2 or (phrase == "we" and session.get_bind().dialect.name == "postgresql")
