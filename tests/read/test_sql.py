"""`tracker sql` and the example queries of docs/sql.md, on SQLite and PostgreSQL over the
backfilled corpus: every example returns the expected rows, and no write gets through."""

import json
import re
from collections import Counter
from datetime import datetime
from decimal import Decimal

import pytest
from click.testing import CliRunner
from corpora import REPO
from readonly_role import read_only_url
from sqlalchemy import select
from sqlalchemy.orm import aliased

from tracker.cli import main
from tracker.read.sql import QueryError, ReadOnlyQuery, example_queries, format_result, run_query
from tracker.store.db import make_engine, open_database
from tracker.store.models import Change, Clause, ClauseChange, Document, Provider, Version

EXAMPLES = example_queries(REPO / "docs" / "sql.md")
# The providers the examples that list or count per provider compare (docs/sql.md: a report
# of every provider grows with the store); onebox.com, left out, has rows of each.
GROUP = {"avoxi.com", "DeepSeek", "LEX", "voip.com"}


def dialect_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def plain(value):
    """Values compared the same way from either database: datetimes to the second,
    booleans as 0/1."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+", value):
        return value[:19]
    return value


def rows_of(url, sql):
    return [tuple(plain(v) for v in row) for row in run_query(read_only_url(url), sql).rows]


def recorded(url):
    """Every clause change straight from the tables, for the examples whose answer depends on
    what the differ and classifier decide: (provider, date, to_seq, old text, new text, row)."""
    old, new = aliased(Clause), aliased(Clause)
    sessions = open_database(url)
    with sessions() as session:
        rows = session.execute(
            select(Provider.name, Version.first_seen, Version.seq, old.text, new.text, ClauseChange)
            .join(Change, Change.id == ClauseChange.change_id)
            .join(Version, Version.id == Change.to_version_id)
            .join(Document, Document.id == Change.document_id)
            .join(Provider, Provider.id == Document.provider_id)
            .outerjoin(old, old.id == ClauseChange.old_clause_id)
            .outerjoin(new, new.id == ClauseChange.new_clause_id)
            .order_by(Version.first_seen, ClauseChange.ordinal)).all()
    sessions.kw["bind"].dispose()
    return [(p, plain(d), seq, o, n, cc) for p, d, seq, o, n, cc in rows]


EXPECTED = {
    "versions-of-a-policy": [
        (1, "2022-06-28 09:29:35", "2022-08-20 18:32:19", 3, 96, 2861, None),
        (2, "2022-09-16 18:32:53", "2022-09-19 00:32:51", 3, 96, 2825, 1),
        (3, "2022-09-20 00:32:51", "2023-02-07 18:32:57", 5, 96, 2852, 1),
        (4, "2023-04-19 00:32:51", "2023-06-25 18:32:59", 3, 96, 2934, 1),
        (5, "2023-09-07 12:33:55", "2024-02-10 00:32:55", 3, 97, 2863, 1),
        (6, "2024-04-02 18:32:58", "2024-09-01 12:33:01", 3, 98, 2883, 1),
        (7, "2024-12-04 00:33:04", "2025-05-07 12:33:11", 3, 96, 2873, 1),
        (8, "2025-07-27 00:33:08", "2025-12-10 12:31:20", 4, 110, 3113, 1),
    ],
    "added-selling-after-2018": [("DeepSeek", "2025-04-28 00:31:52")],
    "version-sources": [
        ("voip.com", 1, "wayback", 1, "20061016220256",
         "https://web.archive.org/web/20061016220256/http://www.voip.com/privacy_policy.aspx"),
        ("voip.com", 2, "wayback", 1, "20130523180728",
         "https://web.archive.org/web/20130523180728/http://www.voip.com/privacy_policy.aspx"),
    ],
    "policies-that-got-longer": [
        ("avoxi.com", "Privacy Policy", 1074, 5889),
        ("DeepSeek", "Privacy Policy", 2428, 4041),
        ("LEX", "Privacy Policy", 2861, 3113),
        ("voip.com", "Privacy Policy", 839, 984),
    ],
    "full-text-search": [
        ("DeepSeek", "2025-04-28 00:31:52", "2025-08-14 12:33:13"),
        ("avoxi.com", "2005-02-05 18:58:30", "2005-02-05 18:58:30"),
        ("voip.com", "2006-10-16 22:02:56", "2013-05-23 18:07:28"),
    ],
    "version-on-a-date": [
        (3, "2022-09-20 00:32:51",
         "https://web.archive.org/web/20220920003251/https://help.thisislex.app/article/51-privacy-policy"),
    ],
}


def check_childrens_clause(url, rows):
    assert [r[:2] for r in rows] == [
        (1, "2025-02-16 12:31:39"), (2, "2025-02-23 12:32:02"), (3, "2025-04-28 00:31:52"),
        (4, "2025-05-09 00:31:54"), (5, "2025-07-04 12:31:34"), (6, "2025-07-18 00:31:43")]
    assert rows[0][3].startswith("Our Services are not aimed at children under the age of 18.")
    assert rows[1][3].startswith("Our Services are not aimed at children under the age of 14.")
    assert all(r[3].startswith("Our Services are not aimed at children, and we do not") for r in rows[2:])
    assert len({r[2] for r in rows}) == 3  # three distinct texts, the last one kept in v3..v6 (2025-08-14 re-flows v6)


def check_number_changed(url, rows):
    assert rows == [(p, d, cc.kind, o, n) for p, d, _, o, n, cc in recorded(url)
                    if p in GROUP and "number_changed" in cc.flags]
    assert len(rows) == 16


def check_latest_text(url, rows):
    assert len(rows) == 16 and {r[0] for r in rows} == {2}
    assert rows[0] == (2, "heading", 2, "Privacy Policy")  # its breadcrumbs, in the page-wide <form>, are chrome


def check_removed(url, rows):
    removed = [(p, cc.change_id) for p, _, _, _, _, cc in recorded(url) if p in GROUP and cc.kind == "removed"]
    counts = Counter(p for p, _ in removed)
    changes = Counter(p for p, _ in set(removed))
    assert rows == sorted(((p, n, changes[p]) for p, n in counts.items()), key=lambda r: (-r[1], r[0]))


def check_categories(url, rows):
    expected = Counter((p, seq, cc.kind) for p, _, seq, _, _, cc in recorded(url)
                       if p in GROUP and "third_party_sharing_collection" in cc.categories)
    assert rows == [(*key, n) for key, n in sorted(expected.items())]


def check_archive_links(url, rows):
    stamps = [(seq, before.split("/")[4], after.split("/")[4]) for seq, before, after in rows]
    assert stamps == [
        (2, "20250216123139", "20250223123202"), (3, "20250301003158", "20250428003152"),
        (4, "20250508123155", "20250509003154"), (5, "20250509003154", "20250704123134"),
        (6, "20250704123134", "20250718003143")]


QUERIES = {example.key: example.sql for example in EXAMPLES}
CHECKS = {
    "childrens-clause-history": check_childrens_clause,
    "number-changed": check_number_changed,
    "number-changed-json": check_number_changed,
    "latest-text": check_latest_text,
    "removed-per-provider": check_removed,
    "changes-by-category": check_categories,
    "archive-links": check_archive_links,
}


def test_docs_hold_at_least_eight_examples_each_checked_here():
    assert len(EXAMPLES) >= 8
    assert {e.key for e in EXAMPLES} == set(EXPECTED) | set(CHECKS)
    assert all(set(e.sql) == {"sqlite", "postgresql"} for e in EXAMPLES)


@pytest.mark.parametrize("key", [e.key for e in EXAMPLES])
def test_example_query_returns_expected_rows(corpus_database_url, key):
    url = corpus_database_url
    rows = rows_of(url, QUERIES[key][dialect_of(url)])
    if key in EXPECTED:
        assert rows == EXPECTED[key]
    else:
        CHECKS[key](url, rows)


def table_counts(url):
    names = ["provider", "document", "capture", "version", "clause", "version_clause", "change", "clause_change"]
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {n: conn.exec_driver_sql(f"SELECT count(*) FROM {n}").scalar() for n in names}
        counts["max_seq"] = conn.exec_driver_sql("SELECT max(seq) FROM version").scalar()
        counts["fts"] = run_query(read_only_url(url), QUERIES["full-text-search"][dialect_of(url)]).rows
    engine.dispose()
    return counts


WRITES = [
    "DELETE FROM version",
    "UPDATE version SET seq = seq + 100",
    "INSERT INTO provider (name, created_at) VALUES ('intruder', '2020-01-01')",
    "DROP TABLE clause_change",
    "DROP VIEW policy_timeline",
    "CREATE TABLE intruder (x INTEGER)",
    "ALTER TABLE clause ADD COLUMN intruder INTEGER",
]
SQLITE_WRITES = [
    "ATTACH DATABASE '{dir}/attached.db' AS other",
    "VACUUM INTO '{dir}/copy.db'",
    "PRAGMA user_version = 7",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA query_only = OFF",
    "INSERT INTO clause_fts (clause_fts) VALUES ('delete-all')",
]
POSTGRES_WRITES = [
    "SELECT nextval('version_id_seq')",
    "TRUNCATE version CASCADE",
    "CREATE TEMP TABLE intruder AS SELECT 1",
]


def test_writes_fail_with_one_line_and_change_nothing(corpus_database_url, tmp_path):
    url = corpus_database_url
    before = table_counts(url)
    extra = SQLITE_WRITES if dialect_of(url) == "sqlite" else POSTGRES_WRITES
    runner = CliRunner()
    for statement in WRITES + [s.format(dir=tmp_path) for s in extra]:
        with pytest.raises(ReadOnlyQuery):
            run_query(read_only_url(url), statement)
        result = runner.invoke(main, ["sql", statement], env={"TRACKER_DATABASE_URL": url})
        assert result.exit_code == 1, statement
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: refused: tracker sql is read-only"), result.output
    assert table_counts(url) == before
    assert list(tmp_path.iterdir()) == []  # ATTACH / VACUUM INTO created no file


def test_a_second_statement_cannot_escape_the_read_only_transaction(corpus_database_url):
    url = corpus_database_url
    before = table_counts(url)
    for statement in ["COMMIT; DELETE FROM version", "SELECT 1; DELETE FROM version", "selec 1"]:
        with pytest.raises(QueryError):
            run_query(read_only_url(url), statement)
    assert table_counts(url) == before


def test_output_formats(corpus_database_url):
    url = corpus_database_url
    query = "SELECT provider, seq, first_seen, material FROM policy_timeline WHERE provider = 'voip.com' ORDER BY seq"
    result = run_query(read_only_url(url), query)
    table = format_result(result, "table").splitlines()
    assert table[0].split() == ["provider", "seq", "first_seen", "material"] and table[-1] == "(2 rows)"
    csv_lines = format_result(result, "csv").splitlines()
    assert csv_lines[0] == "provider,seq,first_seen,material"
    assert csv_lines[1].startswith("voip.com,1,2006-10-16 22:02:56")
    data = json.loads(format_result(result, "json"))
    assert [(d["provider"], d["seq"], d["first_seen"][:19]) for d in data] == [
        ("voip.com", 1, "2006-10-16 22:02:56"), ("voip.com", 2, "2013-05-23 18:07:28")]
    runner = CliRunner()
    result = runner.invoke(main, ["sql", query, "--format", "csv"], env={"TRACKER_DATABASE_URL": url})
    assert result.exit_code == 0 and result.output.splitlines()[0] == "provider,seq,first_seen,material"


def test_table_output_escapes_control_characters():
    from tracker.read.sql import QueryResult, table_text

    text = table_text(QueryResult(["text"], [("We \x1b[31mdo\x1b[0m sell\ndata",)]))
    assert "\x1b" not in text and "\\x1b[31mdo" in text and "sell data" in text
