"""`tracker sql`: one SELECT on a connection that cannot write, and its result as a table,
CSV or JSON. Also reads the example queries out of docs/sql.md, so the documentation, the
tests and the benchmark run the very same SQL."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import signal
import sqlite3
import threading
import time
from collections.abc import Iterable
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy.exc import ArgumentError

from tracker.read.exceptions import QueryError, ReadOnlyQuery
from tracker.read.export import spreadsheet_safe
from tracker.store.db import one_line_error, read_only_connection

FORMATS = ("table", "csv", "json")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple]
    # Why the result was cut: "" (it was not), "rows" (more rows than max_rows; the first ones
    # are kept) or "bytes" (more than max_bytes of values; the last row kept may have its text cut).
    truncated: str = ""


def console_url(config) -> str:
    """The URL `tracker sql` connects with: sql_database_url if set; else on SQLite the
    database itself (opened read-only), on PostgreSQL the same server and database as the
    read-only role `tracker db grant-readonly` creates (docs/security.md)."""
    from sqlalchemy import make_url

    from tracker.store.readonly import DEFAULT_ROLE

    if config.sql_database_url:
        return config.sql_database_url
    try:
        parsed = make_url(config.database_url)
    except ArgumentError:
        return config.database_url  # read_only_connection says what is wrong with it
    if parsed.get_backend_name() != "postgresql":
        return config.database_url
    return parsed.set(username=DEFAULT_ROLE, password=None).render_as_string(hide_password=False)


@dataclass(frozen=True)
class Limits:
    """What one query may take: seconds, rows and bytes of values (None: no limit)."""

    timeout: float | None = 30.0
    max_rows: int | None = 10_000
    max_bytes: int | None = 10_000_000


def run_query(url: str, sql: str, limits: Limits = Limits()) -> QueryResult:
    """Run one statement read-only; writes fail with ReadOnlyQuery and change nothing. It is
    stopped after `limits.timeout` seconds (QueryError) or by Ctrl-C (KeyboardInterrupt,
    within a moment on either database); rows past `max_rows`, and values past `max_bytes`
    in all, are dropped (`truncated`)."""
    if not sql.strip():
        raise QueryError("empty query")
    with read_only_connection(url, timeout=limits.timeout) as connection:
        if isinstance(connection, sqlite3.Connection):
            with _interruptible(connection, limits.timeout) as stop:
                log.info("running the query (Ctrl-C stops it)")
                return _run_sqlite(connection, sql, limits, stop)
        log.info("running the query (Ctrl-C stops it)")
        return _run_postgres(connection, sql, limits)


@dataclass
class _Stop:
    """When a running SQLite statement is to stop, and why it did: "timeout", "interrupt"."""

    deadline: float | None
    reason: str | None = None


@contextmanager
def _interruptible(connection: sqlite3.Connection, timeout: float | None):
    """SQLite runs a statement without returning to Python: a progress handler gives Python
    the hand every few thousand steps, to stop at the deadline or on Ctrl-C."""
    stop = _Stop(time.monotonic() + timeout if timeout else None)

    def progress() -> int:
        if stop.deadline is not None and time.monotonic() > stop.deadline:
            stop.reason = "timeout"
        return 1 if stop.reason else 0

    def on_interrupt(_signum, _frame) -> None:
        stop.reason = "interrupt"

    connection.set_progress_handler(progress, 10_000)
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_interrupt) if main else None
    try:
        yield stop
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
        connection.set_progress_handler(None, 0)
    if stop.reason == "interrupt":
        raise KeyboardInterrupt


def _fetch(results: Iterable[tuple], limits: Limits) -> tuple[list[tuple], str]:
    """The rows, up to the limits, and which limit cut them ("" if none): `results` is read
    only that far. The row that passes `max_bytes` is kept with its text and bytes values
    cut to what is left."""
    rows: list[tuple] = []
    left = limits.max_bytes
    for row in results:
        if limits.max_rows is not None and len(rows) == limits.max_rows:
            return rows, "rows"
        if left is not None:
            size = sum(map(_size, row))
            if size > left:
                rows.extend([_cut(row, left)] if left else [])
                return rows, "bytes"
            left -= size
        rows.append(row)
    return rows, ""


def _size(value) -> int:
    """About the bytes a value takes when printed (bytes print as hex)."""
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass"))
    if isinstance(value, (bytes, memoryview)):
        return 2 * len(value)
    return len(str(value))


def _cut(row: tuple, left: int) -> tuple:
    """`row` with its text and bytes values cut so that the whole takes at most `left`."""
    values = []
    for value in row:
        if isinstance(value, str):
            value = value.encode("utf-8", "surrogatepass")[:left].decode("utf-8", "ignore")
        elif isinstance(value, (bytes, memoryview)):
            value = bytes(value[:left // 2])
        left = max(0, left - _size(value))
        values.append(value)
    return tuple(values)


def _run_sqlite(connection: sqlite3.Connection, sql: str, limits: Limits, stop: _Stop) -> QueryResult:
    try:
        cursor = connection.execute(sql)
        rows, truncated = _fetch(cursor, limits)
    except (sqlite3.Error, sqlite3.Warning) as exc:
        message = str(exc)
        if stop.reason == "interrupt":
            return QueryResult([], [])  # _interruptible raises KeyboardInterrupt on the way out
        if stop.reason == "timeout":
            raise QueryError(_timed_out(limits.timeout)) from None
        if any(word in message for word in ("not authorized", "authorization denied", "readonly")):
            raise ReadOnlyQuery(_refusal(sql, message)) from None
        raise QueryError(f"query failed: {message}") from None
    return QueryResult(_columns(cursor), rows, truncated)


def _run_postgres(connection, sql: str, limits: Limits) -> QueryResult:
    import psycopg

    cursor = connection.cursor()
    try:
        # stream(): the extended protocol, which takes exactly one statement, so no
        # "COMMIT; ..." can leave the read-only transaction; and the rows as the server sends
        # them, so that a long answer is cancelled at the limits rather than sent whole and
        # held here (a store-wide SELECT of 100,000 documents was gigabytes before its first
        # row). psycopg cancels the statement on the server when Ctrl-C interrupts the wait.
        with closing(cursor.stream(sql)) as results:
            rows, truncated = _fetch(results, limits)
        columns = _columns(cursor) if rows else _described(connection)
    except psycopg.errors.ReadOnlySqlTransaction as exc:
        raise ReadOnlyQuery(_refusal(sql, one_line_error(exc))) from None
    except psycopg.errors.InsufficientPrivilege as exc:
        message = one_line_error(exc)
        reading = sql.split(None, 1)[0].upper() in {"SELECT", "WITH", "TABLE", "VALUES"}
        if reading and re.search(r"permission denied for (table|view|schema) ", message):
            raise QueryError(f"query failed: {message} (the read-only role cannot read it: run "
                             f"`tracker db grant-readonly` as the database's owner)") from None
        raise ReadOnlyQuery(f"refused: tracker sql is read-only and its role may only read the product's "
                            f"tables ({message}); nothing was changed") from None
    except psycopg.errors.QueryCanceled:
        raise QueryError(_timed_out(limits.timeout)) from None
    except psycopg.Error as exc:
        if isinstance(exc, psycopg.ProgrammingError) and exc.sqlstate is None:
            return QueryResult([], [])  # psycopg's, not the server's: a statement without rows (SET)
        message = one_line_error(exc)
        if "multiple commands" in message:
            message = "one statement at a time"
        raise QueryError(f"query failed: {message}") from None
    return QueryResult(columns, rows, truncated)


def _described(connection) -> list[str]:
    """The columns of the statement just streamed, asked of the server: stream() keeps no
    description of an answer without rows (the statement is libpq's unnamed one)."""
    described = connection.pgconn.describe_prepared(b"")
    return [described.fname(i).decode(connection.info.encoding) for i in range(described.nfields)]


def _timed_out(timeout: float | None) -> str:
    return f"query stopped after {timeout:g} s (sql_timeout; raise it for longer queries)"


def _columns(cursor) -> list[str]:
    return [d[0] for d in cursor.description] if cursor.description else []


def _refusal(sql: str, message: str) -> str:
    verb = sql.split(None, 1)[0].upper()
    return f"refused: tracker sql is read-only and {verb} would change the database ({message}); nothing was changed"


def truncation_note(result: QueryResult) -> str:
    """The line that says the result was cut, and by which setting."""
    count = len(result.rows)
    if result.truncated == "bytes":
        return (f"(only the first {count} row{'s' if count != 1 else ''}, values cut at sql_max_bytes: the query "
                f"returned more; raise it, add LIMIT or select substr(...))")
    return f"(only the first {count} rows: the query returned more; raise sql_max_rows or add LIMIT)"


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
        writer.writerows([spreadsheet_safe(v) if v is not None else "" for v in map(plain_value, row)]
                         for row in result.rows)
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
    if result.truncated:
        lines.append(truncation_note(result))
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
