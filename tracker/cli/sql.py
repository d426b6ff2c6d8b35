"""The SQL surface on the command line: `tracker sql`, `tracker search`, `tracker export`,
`tracker export-markdown`."""

from __future__ import annotations

import json

import click

from tracker.cli.app import App, parse_since, pass_app
from tracker.read.export import FORMATS as EXPORT_FORMATS
from tracker.read.sql import FORMATS


@click.command("sql")
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_app
def sql_command(app: App, query: str, fmt: str) -> None:
    """Run one read-only SQL query (SELECT, views: see docs/sql.md); writes are refused."""
    from tracker.read.sql import console_url, format_result, run_query, truncation_note

    _ = app.sessions  # bring the schema up to date first: the query connection cannot
    config = app.config
    result = run_query(console_url(config), query, timeout=config.sql_timeout or None,
                       max_rows=config.sql_max_rows or None)
    click.echo(format_result(result, fmt), nl=False)
    if result.truncated and fmt != "table":
        click.echo(truncation_note(len(result.rows)), err=True)


@click.group("db")
def db_group() -> None:
    """Database administration: the read-only role of `tracker sql` (docs/security.md)."""


@db_group.command("grant-readonly")
@click.argument("role", default="tracker_readonly")
@click.option("--password-env", metavar="VAR",
              help="Set the role's password from this environment variable (never from the command line).")
@pass_app
def grant_readonly_command(app: App, role: str, password_env: str | None) -> None:
    """PostgreSQL: create ROLE (or update it) with SELECT on the tables and views only."""
    from sqlalchemy import make_url

    from tracker.store import DatabaseError
    from tracker.store.db import one_line_error
    from tracker.store.readonly import grant_readonly, password_from_env

    _ = app.sessions  # the tables exist before they are granted
    parsed = make_url(app.config.database_url)
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseError("grant-readonly is for PostgreSQL; on SQLite tracker sql opens the file read-only")
    import psycopg

    password = password_from_env(password_env)
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            grant_readonly(connection, role, password)
    except psycopg.Error as exc:
        raise DatabaseError(f"cannot set up role {role!r}: {one_line_error(exc)}") from None
    click.echo(f"role {role!r} can now read the tables and views of {parsed.database}, and nothing else")
    if not app.config.sql_database_url and role != "tracker_readonly":
        click.echo(f"set sql_database_url (TRACKER_SQL_DATABASE_URL) to connect as {role!r}")


@click.command("search")
@click.argument("phrase")
@click.option("--provider", help="Only this provider's documents.")
@click.option("--since", help="Only versions in force on or after this date (YYYY[-MM[-DD]]).")
@click.option("--syntax", is_flag=True,
              help="PHRASE is a full-text query (SQLite FTS5: OR, NOT, \"phrase\", prefix*; "
                   "PostgreSQL: or, -word, \"phrase\") instead of words in order.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="Most clauses shown.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per matching clause, per line.")
@pass_app
def search_command(app: App, phrase: str, provider: str | None, since: str | None, syntax: bool,
                   limit: int, as_json: bool) -> None:
    """Full-text search over clause text: each matching clause with its document, versions and dates."""
    from tracker.read.search import ranges, search
    from tracker.read.sql import printable

    with app.sessions() as session:
        hits = search(session, phrase, provider=provider, since=parse_since(since) if since else None, limit=limit, syntax=syntax)
    if as_json:
        for hit in hits:
            click.echo(json.dumps(hit.to_dict(), ensure_ascii=False))
        return
    if not hits:
        click.echo("no matching clause")
    for hit in hits:
        click.echo(f"{printable(hit.provider)} / {printable(hit.document)}  {ranges(hit.versions)}  "
                   f"{hit.first_seen:%Y-%m-%d} .. {hit.last_seen:%Y-%m-%d}")
        click.echo(f"    {printable(hit.snippet)}")


@click.command("export")
@click.argument("out", type=click.Path(allow_dash=True))
@click.option("--what", type=click.Choice(["versions", "changes"]), required=True)
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True)
@pass_app
def export_command(app: App, out: str, what: str, fmt: str) -> None:
    """Write every version or every clause change as a dataset (columns: docs/sql.md) to
    OUT, a new or regular file (- for standard output)."""
    from tracker.read.export import export_dataset

    with app.sessions() as session:
        count = export_dataset(session, what, fmt, out)
    click.echo(f"{count} {what} written to {'standard output' if out == '-' else out}", err=out == "-")


@click.command("export-markdown")
@click.argument("provider")
@click.argument("directory", type=click.Path())
@pass_app
def export_markdown_command(app: App, provider: str, directory: str) -> None:
    """Write each version of the provider's documents as a Markdown file in DIRECTORY."""
    from tracker.read.export import export_markdown

    with app.sessions() as session:
        files = export_markdown(session, provider, directory)
    click.echo(f"{len(files)} version file(s) written under {directory}")
