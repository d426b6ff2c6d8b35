"""`tracker sql` stops a query at sql_timeout and returns at most sql_max_rows rows, on both
databases (main had neither: a runaway recursive CTE ran for as long as it liked)."""

ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
MANY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100) SELECT x FROM c"


def test_timeout_and_row_cap(tracker_cli, database_url):
    tracker_cli("db", "grant-readonly") if database_url.startswith("postgresql") else tracker_cli("init")
    tracker_cli.env["TRACKER_SQL_TIMEOUT"] = "0.5"
    result = tracker_cli("sql", ENDLESS, ok=False)
    assert result.output.strip() == "Error: query stopped after 0.5 s (sql_timeout; raise it for longer queries)"
    tracker_cli.env["TRACKER_SQL_MAX_ROWS"] = "10"
    table = tracker_cli("sql", MANY).output
    assert "(10 rows)" in table and "only the first 10 rows" in table
    csv_output = tracker_cli("sql", MANY, "--format", "csv").output
    assert csv_output.splitlines()[:11] == ["x", *map(str, range(1, 11))]
    tracker_cli.env["TRACKER_SQL_MAX_ROWS"] = "0"
    assert "(100 rows)" in tracker_cli("sql", MANY).output


def test_output_bytes_are_capped_with_a_note(tracker_cli, database_url):
    """One huge value (or many rows of big ones) is cut at sql_max_bytes, with a note, as rows
    are at sql_max_rows: main printed a 1 GB randomblob whole (2 GB of hex)."""
    postgres = database_url.startswith("postgresql")
    tracker_cli("db", "grant-readonly") if postgres else tracker_cli("init")
    huge = "SELECT repeat('x', 3000000) AS v" if postgres else "SELECT hex(randomblob(1500000)) AS v"
    tracker_cli.env["TRACKER_SQL_MAX_BYTES"] = "1000"
    table = tracker_cli("sql", huge).output
    assert len(table) < 2300 and "values cut at sql_max_bytes" in table and "sql_max_bytes" in table
    assert len(tracker_cli("sql", huge, "--format", "csv").output.splitlines()[1]) == 1000
    rows = "SELECT 'abcdefghij' AS v FROM generate_series(1, 1000)" if postgres else \
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) SELECT 'abcdefghij' AS v FROM c"
    lines = tracker_cli("sql", rows, "--format", "csv").output.splitlines()  # the note is on stderr
    assert lines[1:] == ["abcdefghij"] * 100 + ["(only the first 100 rows, values cut at sql_max_bytes: the query "
                                                "returned more; raise it, add LIMIT or select substr(...))"]
    del tracker_cli.env["TRACKER_SQL_MAX_BYTES"]
    assert len(tracker_cli("sql", huge).output) > 3_000_000  # the default cap (10 MB) is above it


def test_rows_past_the_limits_are_never_asked_for(tracker_cli, database_url):
    """The answer is read as the database makes it and stopped at the limits: row 5,000 of
    this query fails, and the first 100 come back all the same (on PostgreSQL the whole answer
    was sent and held first: a store-wide SELECT at 100,000 documents took gigabytes)."""
    postgres = database_url.startswith("postgresql")
    tracker_cli("db", "grant-readonly") if postgres else tracker_cli("init")
    failing = ("SELECT g, 1 / (5000 - g) AS x FROM generate_series(1, 10000) AS g" if postgres else
               "WITH RECURSIVE c(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM c WHERE g < 10000) "
               "SELECT g, CASE WHEN g = 5000 THEN json('not json') END AS x FROM c")
    tracker_cli.env["TRACKER_SQL_MAX_ROWS"] = "100"
    lines = tracker_cli("sql", failing, "--format", "csv").output.splitlines()
    assert lines[:3] == ["g,x", "1,0" if postgres else "1,", "2,0" if postgres else "2,"]
    assert len(lines) == 102 and lines[-1].startswith("(only the first 100 rows")
    tracker_cli.env["TRACKER_SQL_MAX_ROWS"] = "0"
    result = tracker_cli("sql", failing, ok=False)
    assert result.output.startswith("Error: query failed: " + ("division by zero" if postgres else "malformed JSON"))


def test_an_answer_without_rows_keeps_its_columns(tracker_cli, database_url):
    tracker_cli("db", "grant-readonly") if database_url.startswith("postgresql") else tracker_cli("init")
    assert tracker_cli("sql", "SELECT name, created_at FROM provider WHERE id < 0", "--format", "csv").output == \
        "name,created_at\n"
