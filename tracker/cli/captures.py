"""`tracker captures PROVIDER`: every capture of a provider's documents and what the tracker
decided about it (state, version, why it is invalid or failed, attempts, scope), so a wrong
decision can be seen and fixed with an override, or a given-up capture retried."""

from __future__ import annotations

import json

import click

from tracker.cli.app import App, pass_app


@click.command()
@click.argument("provider")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def captures(app: App, provider: str, as_json: bool) -> None:
    """Every capture of the provider's documents: state, version, reason, attempts, scope decision."""
    from tracker.read.captures import capture_rows
    from tracker.store import find_documents

    with app.sessions() as session:
        data = [(d, capture_rows(session, d, app.config.max_attempts)) for d in find_documents(session, provider)]
    if as_json:
        click.echo(json.dumps([
            {"provider": d.provider.name, "document": d.name, "captures": [r.to_dict() for r in rows]}
            for d, rows in data
        ], indent=2, ensure_ascii=False))
        return
    for document, rows in data:
        click.echo(f"{document.provider.name} / {document.name}: {len(rows)} capture(s)")
        for row in rows:
            click.echo(_line(row))


def _line(row) -> str:
    from tracker.read.sql import printable

    line = f"  {row.timestamp}  {row.state:<11} {('v' + str(row.version)) if row.version else '-':<5}"
    if row.invalid_reason:
        line += f"  invalid: {printable(row.invalid_reason)}"
    if row.error:
        line += f"  error: {printable(row.error)} ({row.attempts} attempt{'s' if row.attempts != 1 else ''}"
        line += ", given up: tracker backfill --retry-failed)" if row.given_up else ")"
    scope = row.scope or {}
    for dropped in scope.get("dropped", []):
        line += f"  left out {dropped['heading']!r} ({dropped['reason']}, {dropped['words']} words)"
    if scope.get("note"):
        line += f"  {scope['note']}"
    return line
