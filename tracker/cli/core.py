"""The core commands: track a page, backfill it, and read its history, changes and diffs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tracker.cli.app import (
    App,
    enqueue_line,
    invocation,
    jobs_option,
    one_line,
    parse_date,
    parse_since,
    pass_app,
    read_file,
)
from tracker.config import SOURCES
from tracker.diff.categories import CATEGORIES
from tracker.urls import mask_credentials, mask_url


@click.command()
@pass_app
def init(app: App) -> None:
    """Create the database, or upgrade it in place to the current schema."""
    _ = app.sessions  # opening the database creates or upgrades the schema
    click.echo(f"database ready: {mask_url(app.config.database_url)}")


@click.command()
@click.argument("url")
@click.option("--provider", required=True, help="Provider name, e.g. 'voip.com'.")
@click.option("--document", "name", default="Privacy Policy", show_default=True)
@click.option("--source", type=click.Choice(SOURCES),
              help="Where checks look: the archive, the live page, or both (a new document: the "
                   "default_source setting; a known one keeps its own unless given).")
@pass_app
def add(app: App, url: str, provider: str, name: str, source: str | None) -> None:
    """Track URL as a provider's policy page (another URL of the same page merges into it)."""
    from tracker.store import add_document

    with app.sessions.begin() as session:
        document = add_document(session, url, provider, name, source, default_source=app.config.default_source)
        click.echo(f"tracking {document.provider.name} / {document.name}: {url} (checked: {document.source})")


@click.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_documents(app: App, as_json: bool) -> None:
    """Tracked documents with their URLs and number of versions."""
    from tracker.read.history import timeline
    from tracker.store import find_documents

    with app.sessions() as session:
        rows: list[dict] = [
            {"provider": d.provider.name, "document": d.name, "urls": [mask_credentials(u.url) for u in d.urls],
             "versions": len(timeline(session, d)), "source": d.source}
            for d in find_documents(session)
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        checked = "" if row["source"] == "wayback" else f", checked {row['source']}"
        click.echo(f"{row['provider']} / {row['document']}  ({row['versions']} versions{checked})")
        for url in row["urls"]:
            click.echo(f"    {url}")


@click.command()
@click.option("--provider", help="Only this provider's documents.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--retry-failed", "retry", is_flag=True,
              help="Try again the captures that failed max_attempts times (e.g. after raising max_body_bytes).")
@click.option("--jobs", metavar="N", help="Processes deriving versions (default: the jobs setting, 1).")
@click.option("--queue", "queued", is_flag=True,
              help="Enqueue a job per document for `tracker worker` processes and return (PostgreSQL).")
@pass_app
def backfill(app: App, provider: str | None, quiet: bool, retry: bool, jobs: str | None, queued: bool) -> None:
    """Fetch every capture not yet held and record the versions and changes."""
    from tracker.backfill import backfill as run_backfill
    from tracker.backfill import retry_failed
    from tracker.cli import render
    from tracker.jobs import AlreadyRunning, InstanceLock
    from tracker.store import find_documents

    processes = jobs_option(jobs, app)
    with app.sessions() as session:
        documents = find_documents(session, provider)
    for document in (d for d in documents if d.source == "live"):
        click.echo(f"{document.provider.name} / {document.name}: checked live only (tracker add ... --source "
                   f"both to ask the archive too)")
    documents = [d for d in documents if d.source != "live"]
    if queued:
        if retry:
            retry_failed(app.sessions, [d.id for d in documents])
        enqueue_line(app, "backfill", [d.id for d in documents])
        return
    try:
        lock = InstanceLock(app.config.database_url, holder="tracker backfill").acquire()
    except AlreadyRunning as exc:
        hint = ("; it checks every document itself, a new one at its next tick: stop it to backfill by hand"
                if "daemon" in str(exc) else "; wait for it to finish")
        raise click.ClickException(f"{one_line(exc)}{hint}") from None
    try:
        if retry:
            count = retry_failed(app.sessions, [d.id for d in documents])
            click.echo(f"{count} failed capture(s) will be tried again")
        with app.client() as client:
            progress = None if quiet else render.ProgressBar()
            client.pacer.on_pause = progress.paused if progress else None
            results = run_backfill(app.sessions, client, app.raw_store(), documents, progress=progress,
                                   sample=app.config.sample, max_attempts=app.config.max_attempts,
                                   jobs=processes)
    finally:
        lock.release()
    for stats in results:
        click.echo(stats.line())
    click.echo(f"archive requests: {client.request_count}")


@click.command()
@click.argument("provider")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def history(app: App, provider: str, as_json: bool) -> None:
    """Every version of the provider's documents, with its first and last capture."""
    from tracker.cli import render
    from tracker.read.history import timeline
    from tracker.store import find_documents

    with app.sessions() as session:
        documents = find_documents(session, provider)
        data = [(d, timeline(session, d)) for d in documents]
    if as_json:
        click.echo(json.dumps([
            {"provider": d.provider.name, "document": d.name, "versions": [v.to_dict() for v in rows]}
            for d, rows in data
        ], indent=2))
        return
    for document, rows in data:
        click.echo(render.timeline_text(document, rows))
    if any(render.has_counts(rows) for _, rows in data):
        click.echo(render.LEGEND)


@click.command()
@click.option("--since", help="Only changes first seen on or after this date (YYYY[-MM[-DD]]).")
@click.option("--provider", help="Only this provider.")
@click.option("--category", type=click.Choice(CATEGORIES), help="Only changes of this topic category.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per clause change, per line.")
@pass_app
def changes(app: App, since: str | None, provider: str | None, category: str | None, as_json: bool) -> None:
    """Clause-level changes recorded so far, oldest first, with their flags and categories."""
    from tracker.cli import render
    from tracker.read.history import recorded_changes
    from tracker.store import find_documents

    with app.sessions() as session:
        documents = find_documents(session, provider) if provider else None
        rows = recorded_changes(session, since=parse_since(since) if since else None, documents=documents,
                                category=category)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row.to_dict(), ensure_ascii=False))
        return
    click.echo(render.recorded_changes_text(rows) if rows else "no changes recorded")


@click.command("diff")
@click.argument("provider")
@click.option("--from", "from_date", required=True, help="Date (YYYY[-MM[-DD]]): the version in force at its end.")
@click.option("--to", "to_date", required=True, help="Date (YYYY[-MM[-DD]]): the version in force at its end.")
@click.option("--document", "name", help="Document name, when the provider has several.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def diff_command(app: App, provider: str, from_date: str, to_date: str, name: str | None, as_json: bool) -> None:
    """Clause-level changes between the versions in force at two dates."""
    from tracker.cli import render
    from tracker.read.history import diff_versions, version_at
    from tracker.store import find_documents

    start, end = parse_date(from_date), parse_date(to_date)
    with app.sessions() as session:
        documents = [d for d in find_documents(session, provider) if name in (None, d.name)]
        if not documents:
            raise click.ClickException(f"{provider} has no document named {name!r}")
        output = []
        for document in documents:
            old, new = version_at(session, document, start), version_at(session, document, end)
            output.append((document, old, new, diff_versions(session, old, new)))
    if as_json:
        click.echo(json.dumps([
            {"provider": d.provider.name, "document": d.name, "from_version": o.seq, "to_version": n.seq,
             "from_effective_date": o.effective_date and o.effective_date.isoformat(),
             "to_effective_date": n.effective_date and n.effective_date.isoformat(),
             **render.changes_json(c)}
            for d, o, n, c in output
        ], indent=2, ensure_ascii=False))
        return
    for document, old, new, changes_ in output:
        click.echo(f"{document.provider.name} / {document.name}: version {old.seq} "
                   f"({old.first_seen:%Y-%m-%d}) -> version {new.seq} ({new.first_seen:%Y-%m-%d})")
        click.echo(render.changes_text(changes_))


@click.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def compare(old: str, new: str, as_json: bool) -> None:
    """Clause-level changes between two HTML files (.md and .txt files: Markdown)."""
    from tracker import diff
    from tracker.cli import render
    from tracker.normalize import content_type_for, normalize

    changes_ = diff.diff_clauses(normalize(read_file(old), content_type_for(old)).blocks,
                                 normalize(read_file(new), content_type_for(new)).blocks)
    if as_json:
        click.echo(json.dumps(render.changes_json(changes_), indent=2, ensure_ascii=False))
        return
    click.echo(render.changes_text(changes_))


@click.command("serve-archive")
@click.argument("corpus_dirs", nargs=-1, required=True, type=click.Path(file_okay=False, exists=True))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int)
def serve_archive(corpus_dirs: tuple[str, ...], host: str, port: int) -> None:
    """Serve corpus folders over HTTP as a Wayback-compatible archive."""
    from tracker.archive import ArchiveServer

    server = ArchiveServer(*corpus_dirs, host=host, port=port)
    click.echo(f"serving {', '.join(corpus_dirs)} as a Wayback archive; "
               f"set TRACKER_WAYBACK_URL=http://{host}:{port} (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.stop()


@click.command()
@click.option("--workdir", type=click.Path(), help="Keep the demo database and snapshots here.")
def demo(workdir: str | None) -> None:
    """Backfill the bundled sample through a local archive and show what was found."""
    from tracker.cli.demo import run_demo

    run_demo(Path(workdir) if workdir else None, click.echo, invocation())
