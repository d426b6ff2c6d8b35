"""`tracker import files|citp|ota`: the field's datasets into the same timelines.

Each is idempotent (a rerun adds nothing) and resumable (killed, a rerun carries on), shows
a progress bar on stderr and ends with one summary line; a record that cannot be imported
is one line naming it.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import click

from tracker.cli.app import App, one_line, parse_since, pass_app


@click.group("import")
def import_group() -> None:
    """Import policy versions from files or datasets (no archive request)."""


@import_group.command("files")
@click.argument("files", nargs=-1, required=True)
@click.option("--provider", help="Provider, when the file has no provenance line.")
@click.option("--document", "name", help="Document name (default: Privacy Policy; for a file imported before, "
                                         "the one it is held under).")
@click.option("--url", help="The policy page's address, when the file has no provenance line.")
@click.option("--date", "when", help="Date of the text (YYYY[-MM[-DD]] or a timestamp), when the file has no "
                                      "provenance line; else the date the text states.")
@click.option("--format", "fmt", type=click.Choice(["auto", "markdown", "text", "html"]), default="auto",
              show_default=True, help="auto: by extension (.md/.txt Markdown, .html HTML).")
@click.option("--move", is_flag=True, help="A file imported before under another provider, document, date or "
                                            "URL is moved to the ones given now (its old history is rebuilt).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--queue", "queued", is_flag=True, help="Store the records' bytes, enqueue them in batches for "
                                                     "`tracker worker` processes and return (PostgreSQL).")
@pass_app
def import_files(app: App, files: tuple[str, ...], provider: str | None, name: str | None, url: str | None,
                 when: str | None, fmt: str, move: bool, quiet: bool, queued: bool) -> None:
    """Markdown, text or HTML files, one version each. A file imported before keeps its
    provider, document, date and URL unless the options say otherwise: then it is skipped
    with a line saying where it is held, or moved with --move."""
    from tracker.importers import file_records
    from tracker.urls import check_url

    records = file_records(list(files), provider=provider, document=name, url=check_url(url) if url else None,
                           when=parse_since(when) if when else None, fmt=fmt)
    if move and queued:
        raise click.UsageError("--move runs in this process: drop --queue to move files")
    _run(app, records, len(files), quiet, queued, move)


@import_group.command("citp")
@click.argument("repo", type=click.Path(file_okay=False, exists=True))
@click.option("--domain", "domains", multiple=True, help="Only this domain (repeatable).")
@click.option("--domains-file", type=click.Path(dir_okay=False, exists=True), help="Only the domains listed, one a line.")
@click.option("--dataset", default="citp/privacy-policy-historical", show_default=True,
              help="Name recorded in each version's provenance.")
@click.option("--rev", default="HEAD", show_default=True, help="Branch or commit to read the history of.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--queue", "queued", is_flag=True, help="Store the records' bytes, enqueue them in batches for "
                                                     "`tracker worker` processes and return (PostgreSQL).")
@pass_app
def import_citp(app: App, repo: str, domains: tuple[str, ...], domains_file: str | None, dataset: str,
                rev: str, quiet: bool, queued: bool) -> None:
    """A Princeton-Leuven-layout repository (a/ab/abc/<domain>.md), commits in date order."""
    from tracker.importers import Blobs, check_repository, citp_records

    wanted = set(domains)
    if domains_file:
        wanted |= {line.strip() for line in Path(domains_file).read_text("utf-8").splitlines() if line.strip()}
    path = check_repository(repo)
    with Blobs(path) as blobs:
        total, records = citp_records(path, blobs, wanted or None, dataset, rev)
        _run(app, records, total, quiet, queued)


@import_group.command("ota")
@click.argument("repo", type=click.Path(file_okay=False, exists=True))
@click.option("--service", "services", multiple=True, help="Only this service (repeatable).")
@click.option("--terms-type", default="Privacy Policy", show_default=True)
@click.option("--dataset", help="Name recorded in each version's provenance (default: the folder's name).")
@click.option("--rev", default="HEAD", show_default=True, help="Branch or commit to read the history of.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--queue", "queued", is_flag=True, help="Store the records' bytes, enqueue them in batches for "
                                                     "`tracker worker` processes and return (PostgreSQL).")
@pass_app
def import_ota(app: App, repo: str, services: tuple[str, ...], terms_type: str, dataset: str | None,
               rev: str, quiet: bool, queued: bool) -> None:
    """An Open Terms Archive versions repository (<Service>/<Terms type>.md); technical
    records are kept as technical and never mailed."""
    from tracker.importers import Blobs, check_repository, ota_records

    path = check_repository(repo)
    with Blobs(path) as blobs:
        total, records = ota_records(path, blobs, set(services) or None, terms_type, dataset, rev)
        _run(app, records, total, quiet, queued)


def _run(app: App, records, total: int, quiet: bool, queued: bool, move: bool = False) -> None:
    from tracker.cli import render
    from tracker.importers import ImportStats, derive_imported, store_records

    stats = ImportStats()
    progress = None if quiet else render.ProgressBar()
    raw = app.raw_store()
    if queued:
        _enqueue(app, records, total, stats, progress)
        return
    with _instance_lock(app):
        touched = store_records(app.sessions, raw, records, stats, progress, total, move=move)
        derive_imported(app.sessions, raw, touched, stats, progress)
    for line in stats.skipped:
        click.echo(f"skipped {render.escaped(line)}", err=True)
    click.echo(stats.line())
    if stats.skipped and not stats.added and not stats.held:
        raise click.ClickException(f"nothing imported: {render.escaped(one_line(Exception(stats.skipped[0])))}")


def _enqueue(app: App, records, total: int, stats, progress) -> None:
    """`--queue`: the bytes into the raw store, the records to the workers in batches."""
    from tracker.cli import render
    from tracker.importers import queue_records
    from tracker.jobs.queue import defer_import_batch, producer

    queue = producer(app.sessions)
    with queue.open():
        queued, batches = queue_records(app.sessions, app.raw_store(), records, stats,
                               lambda batch: defer_import_batch(queue, batch), progress, total)
    for line in stats.skipped:
        click.echo(f"skipped {render.escaped(line)}", err=True)
    click.echo(f"read {stats.read}, queued {queued} in {batches} job(s), already held {stats.held}, "
               f"skipped {len(stats.skipped)} (tracker worker imports them; tracker status shows them)")
    if stats.skipped and not queued and not stats.held:
        raise click.ClickException(f"nothing imported: {render.escaped(one_line(Exception(stats.skipped[0])))}")


@contextmanager
def _instance_lock(app: App):
    """Imports derive versions as a backfill does: not while a daemon runs on the store."""
    from tracker.jobs import AlreadyRunning, InstanceLock

    try:
        lock = InstanceLock(app.config.database_url).acquire()
    except AlreadyRunning as exc:
        raise click.ClickException(f"{one_line(exc)}: stop it to import") from None
    try:
        yield
    finally:
        lock.release()

