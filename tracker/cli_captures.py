"""`tracker captures PROVIDER`: every capture of a provider's documents and what the tracker
decided about it (state, the version it shows, why it is invalid, what the scope step left
out of the policy), so a wrong decision can be seen and fixed with an override."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.app import App, pass_app
from tracker.documents import find_documents
from tracker.models import Capture, Document, Version


@dataclass(frozen=True)
class CaptureRow:
    timestamp: str
    url: str
    state: str
    version: int | None
    invalid_reason: str | None
    scope: dict | None
    error: str | None


def capture_rows(session: Session, document: Document) -> list[CaptureRow]:
    rows = session.execute(
        select(Capture, Version.seq).outerjoin(Version, Version.id == Capture.version_id)
        .where(Capture.document_id == document.id).order_by(Capture.timestamp, Capture.id)
    ).all()
    return [CaptureRow(c.timestamp, c.url, c.state, seq, c.invalid_reason,
                       json.loads(c.scope) if c.scope else None, c.error) for c, seq in rows]


def _line(row: CaptureRow) -> str:
    line = f"  {row.timestamp}  {row.state:<11} {('v' + str(row.version)) if row.version else '-':<5}"
    if row.invalid_reason:
        line += f"  invalid: {row.invalid_reason}"
    if row.error:
        line += f"  error: {row.error}"
    for dropped in (row.scope or {}).get("dropped", []):
        line += f"  left out {dropped['heading']!r} ({dropped['reason']}, {dropped['words']} words)"
    if (row.scope or {}).get("note"):
        line += f"  {row.scope['note']}"
    return line


@click.command()
@click.argument("provider")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def captures(app: App, provider: str, as_json: bool) -> None:
    """Every capture of the provider's documents: state, version, invalid reason, scope decision."""
    with app.sessions() as session:
        data = [(d, capture_rows(session, d)) for d in find_documents(session, provider)]
    if as_json:
        click.echo(json.dumps([
            {"provider": d.provider.name, "document": d.name, "captures": [asdict(r) for r in rows]}
            for d, rows in data
        ], indent=2, ensure_ascii=False))
        return
    for document, rows in data:
        click.echo(f"{document.provider.name} / {document.name}: {len(rows)} capture(s)")
        for row in rows:
            click.echo(_line(row))


COMMANDS = [captures]
