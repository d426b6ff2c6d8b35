"""`tracker captures PROVIDER`: every capture with its state and the reason it is not a
version (failed, invalid, skipped, unsupported)."""

from __future__ import annotations

import json

import click

from tracker.cli.app import App, pass_app


@click.command("captures")
@click.argument("provider")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per capture, per line.")
@pass_app
def captures_command(app: App, provider: str, as_json: bool) -> None:
    """Every capture of the provider's documents: state, reason, attempts, error."""
    from tracker.read.captures import capture_rows
    from tracker.read.sql import printable

    with app.sessions() as session:
        rows = capture_rows(session, provider, app.config.max_attempts)
    if as_json:
        click.echo(json.dumps([row.to_dict() for row in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no capture listed yet: run `tracker backfill`")
    for row in rows:
        version = f"v{row.version}" if row.version is not None else "-"
        click.echo(f"{row.timestamp}  {row.state:<11} {version:>4}  {printable(row.document)}  "
                   f"{printable(row.url)}" + (f"  ({printable(row.reason)})" if row.reason else ""))
