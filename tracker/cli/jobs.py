"""Commands of the background job and the digests: run, worker, jobs, status, cadence,
subscribe, unsubscribe, subscribers, digest."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from tracker.cli.app import App, parse_since, pass_app


def _when(value: datetime | None, empty: str = "never") -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}" if value else empty


@click.command()
@pass_app
def run(app: App) -> None:
    """Run the background job: check due documents, send digests (SIGTERM/Ctrl-C stops it)."""
    from tracker.jobs import Daemon, configure_logging

    configure_logging()
    Daemon(app.config).run()


@click.command()
@click.option("--concurrency", type=click.IntRange(1, 64),
              help="Jobs this worker runs at once (default: the worker_concurrency setting).")
@click.option("--queues", help="Comma-separated queues to take jobs from (default: all: "
                               "checks, backfill, imports, derive, digests).")
@pass_app
def worker(app: App, concurrency: int | None, queues: str | None) -> None:
    """Run queued jobs (PostgreSQL; see docs/scale.md) until SIGTERM/Ctrl-C, which finishes the jobs in hand."""
    from tracker.jobs import configure_logging
    from tracker.jobs.queue import QUEUES
    from tracker.jobs.worker import Worker

    names = [q.strip() for q in (queues or "").split(",") if q.strip()]
    unknown = sorted(set(names) - set(QUEUES))
    if unknown:
        raise click.BadParameter(f"unknown queue(s) {', '.join(unknown)}; the queues are {', '.join(QUEUES)}",
                                 param_hint="--queues")
    configure_logging()
    Worker(app.config, concurrency=concurrency, queues=names).run()


@click.group("jobs")
def jobs_group() -> None:
    """The job queue of distributed mode (docs/scale.md)."""


@jobs_group.command("retry")
@click.argument("job_ids", nargs=-1, type=int)
@click.option("--all", "every", is_flag=True, help="Every parked (failed) job.")
@pass_app
def jobs_retry(app: App, job_ids: tuple[int, ...], every: bool) -> None:
    """Run parked jobs again (their ids are in `tracker status`)."""
    from tracker.jobs.queue import retry_jobs

    if bool(job_ids) == every:
        raise click.UsageError("give job ids or --all")
    retried = retry_jobs(app.sessions, None if every else list(job_ids))
    missing = sorted(set(job_ids) - set(retried))
    if missing:
        click.echo(f"not parked (no failed job with this id): {' '.join(map(str, missing))}", err=True)
    click.echo(f"{len(retried)} job(s) queued again" + (f": {' '.join(map(str, retried))}" if retried else ""))


@click.command("status")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def status_command(app: App, as_json: bool) -> None:
    """Last and next check of each document, failures, and digests waiting to go out."""
    from tracker.jobs import status
    from tracker.jobs.budget import recorded_pause
    from tracker.wayback import PAUSE_FILE, read_pause

    with app.sessions() as session:
        report = status(session, app.config.database_url, stalled_after=app.config.stalled_after)
        shared = recorded_pause(session)
    pauses = [p for p in (read_pause(app.config.snapshots_dir / PAUSE_FILE), shared) if p is not None]
    pause = max(pauses, key=lambda p: p.until) if pauses else None
    if as_json:
        paused = {"archive_pause": None if pause is None else {"reason": pause.reason, "until": pause.until}}
        click.echo(json.dumps({**report.to_dict(), **paused}, indent=2, ensure_ascii=False))
        return
    click.echo(f"daemon: {'running' if report.daemon_running else 'not running'}")
    click.echo(pause.line() if pause else "archive: no pause")
    click.echo("\ndocuments (times in UTC):")
    for d in report.documents:
        outcome = f" (last run {d.last_outcome})" if d.last_outcome else ""
        failed = f", {d.failed_captures} failed capture(s)" if d.failed_captures else ""
        source = "" if d.source == "wayback" else f", checked {'live' if d.source == 'live' else 'live and in the archive'}"
        click.echo(f"  {d.provider} / {d.document}: last check {_when(d.last_checked_at)}{outcome}, "
                   f"next {_when(d.next_check_at, 'due now')}, every {d.cadence_hours:g} h{failed}{source}")
        if d.source != "wayback":
            click.echo(f"      {_live_line(d)}")
    if not report.documents:
        click.echo("  none (tracker add URL --provider NAME)")
    click.echo("\nrecent failures:" if report.failed_runs else "\nrecent failures: none")
    for r in report.failed_runs:
        click.echo(f"  {_when(r.started_at)} {r.job} {r.document or ''} {r.outcome}: {r.error or ''}")
    click.echo(f"\npending digests: {len(report.pending_digests) or 'none'}")
    for p in report.pending_digests:
        error = f", last error: {p.error}" if p.error else ""
        click.echo(f"  {p.email} (to {_when(p.period_end)}), {p.attempts} attempt(s){error}")
    if report.queue is not None:
        _queue_lines(report.queue)


def _queue_lines(queue) -> None:
    """The job queue in `status`: depth per kind, running jobs, workers, parked jobs."""
    click.echo("\njob queue (waiting / running / parked):" if queue.depths else "\njob queue: empty")
    for d in queue.depths:
        click.echo(f"  {d.kind}: {d.waiting} / {d.running} / {d.failed}")
    click.echo(f"workers seen lately: {len(queue.workers) or 'none'}"
               + "".join(f"\n  worker {w.id}: heartbeat {max(0.0, w.seconds_since_heartbeat):.0f} s ago" for w in queue.workers))
    for j in queue.running:
        click.echo(f"  running: job {j.id} {j.kind} {j.subject or ''} on worker {j.worker_id}, "
                   f"since {_when(j.started_at, '?')}")
    click.echo("parked jobs (tracker jobs retry ID):" if queue.failed else "parked jobs: none")
    for j in queue.failed:
        click.echo(f"  job {j.id} {j.kind} {j.subject or ''} after {j.attempts} attempt(s): {j.error or 'no error recorded'}")


def _live_line(d) -> str:
    """A document's live page in `status`: its last answer, whether it refuses the tracker,
    and the Save Page Now requests not done yet."""
    if d.live_checked_at is None:
        line = "live: not checked yet"
    else:
        line = f"live: {_when(d.live_checked_at)} {d.live_outcome}"
    if d.live_blocked_since is not None:
        line += f"; refusing the tracker since {_when(d.live_blocked_since)}"
        line += f", next try {_when(d.live_retry_at)}" if d.live_retry_at else ", asked again only when robots.txt allows"
    elif d.live_retry_at is not None:
        line += f"; next request after {_when(d.live_retry_at)}"
    if d.saves_pending:
        line += f"; {d.saves_pending} Save Page Now request(s) pending"
    return line


@click.command()
@click.argument("provider")
@click.option("--hours", type=click.FloatRange(min=0, min_open=True), required=True,
              help="Check this provider's documents every HOURS hours.")
@pass_app
def cadence(app: App, provider: str, hours: float) -> None:
    """Set how often the background job checks a provider's documents (default daily)."""
    from tracker.store import find_documents

    with app.sessions.begin() as session:
        for document in find_documents(session, provider):
            document.check_interval_hours = hours
            click.echo(f"{document.provider.name} / {document.name}: checked every {hours:g} h")


@click.command()
@click.argument("email")
@click.option("--provider", "providers", multiple=True, help="Only this provider (repeatable).")
@click.option("--category", "categories", multiple=True, help="Only clauses of this category (repeatable).")
@click.option("--all-changes", is_flag=True, help="Cosmetic changes too, not only material ones.")
@click.option("--weekly", is_flag=True, help="One digest a week instead of one a day.")
@pass_app
def subscribe(app: App, email: str, providers, categories, all_changes: bool, weekly: bool) -> None:
    """Mail EMAIL digests of new policy changes (subscribing again replaces the settings)."""
    from tracker.notify.subscribers import subscribe as add_subscriber

    with app.sessions.begin() as session:
        row, created = add_subscriber(session, email, providers=providers, categories=categories,
                                      all_changes=all_changes, frequency="weekly" if weekly else "daily")
        click.echo(f"{'subscribed' if created else 'updated'}: {row.email} ({row.frequency})")


@click.command()
@click.argument("email")
@pass_app
def unsubscribe(app: App, email: str) -> None:
    """Stop mailing EMAIL (its digests, sent or pending, are removed)."""
    from tracker.notify.subscribers import unsubscribe as remove_subscriber

    with app.sessions.begin() as session:
        remove_subscriber(session, email)
    click.echo(f"unsubscribed: {email.strip()}")


@click.command()
@click.option("--json", "as_json", is_flag=True)
@pass_app
def subscribers(app: App, as_json: bool) -> None:
    """Everyone who gets digests, with their filters."""
    from tracker.notify.subscribers import list_subscribers

    with app.sessions() as session:
        rows = list_subscribers(session)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in rows], indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo(row.line())
    if not rows:
        click.echo("no subscribers (tracker subscribe EMAIL)")


@click.command()
@click.option("--preview", "preview_dir", type=click.Path(),
              help="Write the digests due now to DIR as .eml and .html; nothing is sent or recorded.")
@click.option("--since", help="With --preview: each subscriber's digest of every change recorded since "
                               "this date (YYYY[-MM[-DD]]), due or not.")
@click.option("--send", is_flag=True, help="Record and send the digests due now, and retry failed ones.")
@pass_app
def digest(app: App, preview_dir: str | None, send: bool, since: str | None) -> None:
    """Preview or send the change digests that are due."""
    from tracker.jobs import InstanceLock, send_digests
    from tracker.notify.mailer import preview

    if bool(preview_dir) == send:
        raise click.UsageError("give exactly one of --preview DIR or --send")
    if since and not preview_dir:
        raise click.UsageError("--since goes with --preview DIR")
    if preview_dir:
        start = parse_since(since) if since else None
        written = preview(app.sessions, app.config, Path(preview_dir), since=start)
        for path in written:
            click.echo(str(path))
        click.echo(f"{len(written) // 2} digest(s) written" if written else "no digest due")
        return
    with InstanceLock(app.config.database_url, holder="tracker digest --send"):  # the daemon sends too: never both at once
        result = send_digests(app.sessions, app.config)
    click.echo(result.line())
    if result.failed:
        raise click.ClickException(f"{result.failed} digest(s) not sent; they stay pending for the next run")
