"""What every command shares: the App (config, database, archive client, made on first use),
the errors shown as one line, and argument parsing. Light on purpose: `tracker --help`
imports this and the command modules, and nothing heavy (see tracker.cli._group)."""

from __future__ import annotations

import io
import os
import shlex
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.config import load_config, setting
from tracker.dates import BadDate, period_end, period_start
from tracker.errors import TrackerError
from tracker.urls import mask_credentials

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from tracker.store import RawStore
    from tracker.wayback import WaybackClient

# The user's or the world's errors, not bugs: one line, exit 1. OSError covers the file
# system's own (a full disk, a missing directory, permissions).
USER_ERRORS = (TrackerError, OSError)


class TrackerGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            quiet_exit(ctx)
        except USER_ERRORS as exc:
            raise click.ClickException(one_line(exc)) from None
        except Exception as exc:
            if not is_database_error(exc):
                raise
            raise click.ClickException(f"database error: {database_error_line(exc)}") from None


def quiet_exit(ctx: click.Context) -> None:
    """The reader went away (`tracker changes | head -1`): stop without a word, as git does,
    and keep Python from complaining when it flushes stdout on the way out."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
    ctx.exit(141)  # 128 + SIGPIPE, what a shell reports for a writer killed by it


def is_database_error(exc: BaseException) -> bool:
    """A driver's error that reached the command (a full disk, a locked file, a server that
    went away): only the drivers already loaded can have raised one."""
    kinds = [getattr(sys.modules.get(module), name, None) for module, name in
             (("sqlalchemy.exc", "DBAPIError"), ("sqlite3", "Error"), ("psycopg", "Error"))]
    return isinstance(exc, tuple(kind for kind in kinds if kind is not None))


def database_error_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    text = lines[0].strip() if lines else type(original).__name__
    if "locked" in text:
        text += " (another tracker process is writing; try again when it is done)"
    return mask_credentials(text)


def invocation() -> str:
    """How to run `tracker` again, for the commands a hint prints: `tracker` when PATH finds
    this very program, else the path it was started by (`.venv/bin/tracker` after `make
    demo`), else `python -m tracker.cli` (started as a module or from another program)."""
    started = sys.argv[0]
    if Path(started).name != "tracker":
        return f"{shlex.quote(sys.executable)} -m tracker.cli"
    found = shutil.which("tracker")
    if found and Path(found).resolve() == Path(shutil.which(started) or started).resolve():
        return "tracker"
    return shlex.quote(started)


def one_line(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return mask_credentials(" ".join(text.split()))


class App:
    """What every command needs, made on first use so `--help` never opens a database."""

    def __init__(self, config_path: str | None) -> None:
        self.config = load_config(config_path)
        self._sessions: sessionmaker[Session] | None = None

    @property
    def sessions(self) -> sessionmaker[Session]:
        if self._sessions is None:
            from tracker.store import open_database

            self._sessions = open_database(self.config.database_url)
        return self._sessions

    def raw_store(self) -> RawStore:
        from tracker.store import RawStore

        return RawStore(self.config.snapshots_dir)

    def client(self) -> WaybackClient:
        from tracker.wayback import WaybackClient

        return WaybackClient.from_config(self.config)


pass_app = click.make_pass_decorator(App)


def parse_date(text: str) -> datetime:
    """The end of the period a date names (tracker.dates.period_end), as a click parameter."""
    try:
        return period_end(text)
    except BadDate as exc:
        raise click.BadParameter(str(exc)) from None


def parse_since(text: str) -> datetime:
    """The start of the period a date names (tracker.dates.period_start), for --since."""
    try:
        return period_start(text)
    except BadDate as exc:
        raise click.BadParameter(str(exc)) from None


def jobs_option(value: str | None, app: App) -> int:
    """`--jobs N` (else the `jobs` setting): processes deriving, checked as the setting is."""
    if value is None:
        return app.config.jobs
    return setting("jobs", value, "command-line flag --jobs")


def enqueue_line(app: App, kind: str, document_ids: list[int]) -> None:
    """`--queue`: `kind` jobs for the workers (one per document; renormalize: a few short
    histories a job), and one line saying so."""
    from tracker.jobs.queue import GROUPED, defer_documents

    queued, waiting = defer_documents(app.sessions, kind, document_ids)
    documents = f" for {len(document_ids)} document(s)" if kind in GROUPED else ""
    click.echo(f"{queued} {kind} job(s) queued{documents}" + (f", {waiting} already waiting" if waiting else "")
               + " (tracker worker runs them; tracker status shows them)")


def read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from None
