"""`tracker sql`: one SELECT on a connection that cannot write, and its result as a table,
CSV or JSON. Also reads the example queries out of docs/sql.md, so the documentation, the
tests and the benchmark run the very same SQL."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from tracker.read.exceptions import QueryError, ReadOnlyQuery
from tracker.store.db import read_only_connection

FORMATS = ("table", "csv", "json")


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple]


def run_query(url: str, sql: str) -> QueryResult:
    """Run one statement read-only; writes fail with ReadOnlyQuery and change nothing."""
    if not sql.strip():
        raise QueryError("empty query")
    with read_only_connection(url) as connection:
        if isinstance(connection, sqlite3.Connection):
            return _run_sqlite(connection, sql)
        return _run_postgres(connection, sql)


def _run_sqlite(connection: sqlite3.Connection, sql: str) -> QueryResult:
    try:
        cursor = connection.execute(sql)
        rows = cursor.fetchall()
    except (sqlite3.Error, sqlite3.Warning) as exc:
        message = str(exc)
        if any(word in message for word in ("not authorized", "authorization denied", "readonly")):
            raise ReadOnlyQuery(_refusal(sql, message)) from None
        raise QueryError(f"query failed: {message}") from None
    return QueryResult(_columns(cursor), rows)


def _run_postgres(connection, sql: str) -> QueryResult:
    import psycopg

    try:
        # prepare=True: the extended protocol, which takes exactly one statement, so no
        # "COMMIT; ..." can leave the read-only transaction.
        cursor = connection.execute(sql, prepare=True)
        rows = cursor.fetchall() if cursor.description else []
    except psycopg.errors.ReadOnlySqlTransaction as exc:
        raise ReadOnlyQuery(_refusal(sql, str(exc))) from None
    except psycopg.Error as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "multiple commands" in message:
            message = "one statement at a time"
        raise QueryError(f"query failed: {message}") from None
    return QueryResult(_columns(cursor), rows)


def _columns(cursor) -> list[str]:
    return [d[0] for d in cursor.description] if cursor.description else []


def _refusal(sql: str, message: str) -> str:
    verb = sql.split(None, 1)[0].upper()
    return f"refused: tracker sql is read-only and {verb} would change the database ({message}); nothing was changed"


def plain_value(value):
    """A value as JSON and CSV show it: dates as ISO text, decimals as numbers."""
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text safe for a terminal: control characters (escape sequences in untrusted policy
    text) are shown as \\xNN; newlines and tabs become spaces in a table cell."""
    text = text.replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def format_result(result: QueryResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(result.columns, map(plain_value, row))) for row in result.rows],
                          ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(result.columns)
        writer.writerows([plain_value(v) for v in row] for row in result.rows)
        return out.getvalue()
    return table_text(result)


def table_text(result: QueryResult) -> str:
    if not result.columns:
        return "(the statement returned no result)\n"
    cells = [["" if v is None else printable(str(plain_value(v))) for v in row] for row in result.rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(result.columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    lines = [line(result.columns), line(["-" * w for w in widths]), *map(line, cells)]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class ExampleQuery:
    """One example of docs/sql.md: `key` is its heading's `{#key}`; `sql` maps a dialect
    ('sqlite', 'postgresql') to the text run there."""

    key: str
    title: str
    sql: dict[str, str]


_HEADING = re.compile(r"^### (?P<title>.+?) \{#(?P<key>[a-z0-9-]+)\}\s*$")
_FENCE = re.compile(r"^```sql(?: (?P<dialect>sqlite|postgresql))?\s*$")


def example_queries(path: str | Path) -> list[ExampleQuery]:
    """The example queries of a Markdown file: a `### Title {#key}` heading, then ```sql
    blocks (for both databases) or ```sql sqlite / ```sql postgresql (one each)."""
    examples: list[ExampleQuery] = []
    current: ExampleQuery | None = None
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        heading, fence = _HEADING.match(lines[i]), _FENCE.match(lines[i])
        if heading:
            current = ExampleQuery(heading["key"], heading["title"], {})
            examples.append(current)
        elif fence and current is not None:
            end = lines.index("```", i + 1)
            text = "\n".join(lines[i + 1:end]).strip().rstrip(";")
            for dialect in [fence["dialect"]] if fence["dialect"] else ["sqlite", "postgresql"]:
                current.sql[dialect] = text
            i = end
        elif lines[i].startswith("#"):
            current = None
        i += 1
    return examples
