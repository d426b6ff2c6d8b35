"""What every command shares: the App (config, database, archive client, made on first use),
the errors shown as one line, and argument parsing. Light on purpose: `tracker --help`
imports this and the command modules, and nothing heavy (see tracker.cli._group)."""

from __future__ import annotations

import io
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.config import load_config
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


def one_line(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return mask_credentials(" ".join(text.split()))


class App:
    """What every command needs, made on first use so `--help` never opens a database."""

    def __init__(self, config_path: str | None) -> None:
        self.config = load_config(config_path)
        self._sessions = None

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
    """The end of the period a date names: '2013' is the end of 2013, '2013-05-23' the end of
    that day; so 'the version in force at DATE' includes captures made on that date."""
    start, unit = _period(text)
    if unit == "years":
        return start.replace(year=start.year + 1) - timedelta(microseconds=1)
    if unit == "months":
        following = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
        return following - timedelta(microseconds=1)
    if unit == "days":
        return start + timedelta(days=1) - timedelta(microseconds=1)
    return start


def parse_since(text: str) -> datetime:
    """The start of the period a date names, for --since: '2018' includes all of 2018."""
    return _period(text)[0]


def _period(text: str) -> tuple[datetime, str | None]:
    text = text.strip()
    digits = text.replace("-", "")
    formats = {4: ("%Y", "years"), 6: ("%Y%m", "months"), 8: ("%Y%m%d", "days"), 14: ("%Y%m%d%H%M%S", None)}
    if not digits.isdigit() or len(digits) not in formats:
        raise click.BadParameter(f"not a date: {text!r} (use YYYY, YYYY-MM, YYYY-MM-DD or a 14-digit timestamp)")
    fmt, unit = formats[len(digits)]
    try:
        return datetime.strptime(digits, fmt), unit
    except ValueError:
        raise click.BadParameter(f"not a date: {text!r}") from None


def read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from None
