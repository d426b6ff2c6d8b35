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
