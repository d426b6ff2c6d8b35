"""Configuration: defaults, then a TOML file, then environment variables.

Secrets (the SMTP password, the Save Page Now keys) are read from the environment only, never from the file,
so that a config file can be committed or shared without leaking them. Every value is
checked here, in one place (`RULES`): a bad one is one line naming the key and where it
came from (the file, the environment variable or the command-line flag), never a traceback
deep in the stage that uses it.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tracker.errors import TrackerError
from tracker.urls import mask_credentials

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

REAL_ARCHIVE_URL = "https://web.archive.org"
DEFAULT_CONFIG_FILE = "tracker.toml"
SAMPLE_PERIODS = ("", "month", "half-year", "year")
SMTP_SECURITY = ("none", "starttls", "ssl")
SOURCES = ("wayback", "live", "both")  # where a document's captures come from (`tracker add --source`)
MODES = ("single", "distributed")  # one working process, or jobs on PostgreSQL workers (tracker.jobs.queue)


class ConfigError(TrackerError):
    """The configuration file or an environment variable is unusable."""


@dataclass(frozen=True)
class Config:
    database_url: str = "sqlite:///tracker.db"
    wayback_url: str = REAL_ARCHIVE_URL
    snapshots_dir: Path = Path("snapshots")
    # Pacing safe for the real archive: CDX allows about 30 requests a minute per IP,
    # captures a few a second (docs/wayback.md). A local replay server may set both to 0.
    cdx_interval: float = 2.5
    capture_interval: float = 0.5
    timeout: float = 60.0
    max_body_bytes: int = 20_000_000
    cdx_page_size: int = 5000
    # A 429 pauses every request (of every process sharing snapshots_dir) this long, then
    # twice as long; a refused connection (a likely IP block) pauses block_pause seconds.
    rate_limit_pause: float = 60.0
    block_pause: float = 600.0
    # A capture that failed this many times (a body too large or undecodable) is left alone
    # until `tracker backfill --retry-failed`.
    max_attempts: int = 3
    # Sampling for very long histories: "" (every capture), "month", "half-year" or "year"
    # (at most one capture per period: the last one, see fetch.sample_captures).
    sample: str = ""
    # Processes deriving versions (`backfill`, `renormalize`): this one, which records, and
    # jobs - 1 that normalise pages ahead (tracker.versions.parallel). 1: no worker.
    jobs: int = 1
    user_agent: str = "policy-tracker/0.1 (+https://github.com/; historical policy research)"
    # Live checks (tracker.live): the source `tracker add` gives a new document, and the
    # seconds between two requests to one site (a loopback site: 0 unless set; robots.txt's
    # Crawl-delay, when longer, wins).
    default_source: str = "wayback"
    live_interval: float = 10.0
    # Save Page Now (SPN2), on when both keys are set (environment only): each version a live
    # check starts is saved by the archive as public evidence. Requests to it are at least
    # spn_interval seconds apart (a loopback archive: 0 unless set); a due one waits for a
    # later tick rather than hold up a check.
    spn_access_key: str | None = field(default=None, repr=False)
    spn_secret: str | None = field(default=None, repr=False)
    spn_interval: float = 10.0
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_security: str = "none"  # none | starttls | ssl
    smtp_from: str = "policy-tracker@localhost"
    # The daemon (tracker.jobs): how often it looks for due documents, and when digests
    # go out (crontab in UTC: "minute hour day month weekday", or six fields, seconds first).
    dispatch_seconds: float = 60.0
    digest_schedule: str = "0 6 * * *"
    # Digests: at most this many clause changes listed per document (the rest are counted),
    # and where the web view is served ("" = nowhere: digests give the `tracker diff` command).
    digest_max_clauses: int = 10
    web_base_url: str = ""
    # `tracker sql`: the URL it connects with ("" = database_url on SQLite; on PostgreSQL the
    # database_url's server and database as the role `tracker db grant-readonly` creates),
    # how long one query may run, and how many rows and bytes it may return (docs/security.md).
    sql_database_url: str = ""
    sql_timeout: float = 30.0
    sql_max_rows: int = 10_000
    # Most bytes of values `tracker sql` prints: the rest is cut with a note, as rows past
    # sql_max_rows are (one huge value would otherwise fill the terminal or the disk).
    sql_max_bytes: int = 10_000_000
    # Distributed mode (docs/scale.md): the daemon enqueues checks and digests as jobs that
    # `tracker worker` processes run, on any machine reaching the PostgreSQL database and the
    # raw store. `worker_concurrency`: jobs one worker runs at once; a worker whose heartbeat
    # is `stalled_after` seconds old is taken for dead and its jobs are run again; a job that
    # failed `job_attempts` times is parked (`tracker status`, `tracker jobs retry`).
    mode: str = "single"
    worker_concurrency: int = 1
    stalled_after: float = 60.0
    job_attempts: int = 3

    # The settings given by the file or the environment (not defaults): a loopback archive
    # keeps pacing and pauses only when they were set on purpose.
    set_fields: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @property
    def is_local_archive(self) -> bool:
        """A loopback archive (127.0.0.0/8, ::1, localhost) is our own replay server: no
        need to be polite to it, and a refused connection there is no IP block."""
        return is_loopback(self.wayback_url)

    @property
    def distributed(self) -> bool:
        return self.mode == "distributed"

    @property
    def save_page_now(self) -> bool:
        """Save Page Now is on when its keys are set (load_config checks they come together)."""
        return bool(self.spn_access_key and self.spn_secret)

    def local_or(self, name: str, url: str | None = None) -> float:
        """A politeness setting (an interval, a pause) as it applies to `url` (default: the
        archive): 0 on loopback, where our own servers answer, unless it was set on purpose."""
        if is_loopback(url or self.wayback_url) and name not in self.set_fields:
            return 0.0
        return getattr(self, name)


def is_loopback(url: str) -> bool:
    """Whether `url`'s host is this machine (127.0.0.0/8, ::1, localhost)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_ENV_PREFIX = "TRACKER_"
_SECRET_FIELDS = {"smtp_password", "spn_access_key", "spn_secret"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class _Rule:
    """What one setting accepts: its type, a range for numbers (`above`: strictly greater than
    `low`), or a check for text that says what is wrong ("" when nothing is)."""

    kind: type
    low: float = 0
    high: float = math.inf
    above: bool = False
    text: Callable[[str], str] | None = None
    what: str = ""

    def describe(self) -> str:
        if self.kind is int or self.kind is float:
            noun = "a whole number" if self.kind is int else "a number of seconds"
            low = f"greater than {self.low:g}" if self.above else f"at least {self.low:g}"
            return f"{noun} {low} and at most {self.high:.0f}{self.what}"
        return self.what or "text"


def _no_control(text: str) -> str:
    return "a control character" if _CONTROL.search(text) else ""


def _not_empty(text: str) -> str:
    return "empty" if not text.strip() else _no_control(text)


def _one_word(text: str) -> str:
    return "a space" if " " in text.strip() else _not_empty(text)


def _database_url(text: str) -> str:
    if not _DATABASE_URL.match(text):
        return "not of the form scheme://…"
    return _no_control(text)


def _optional_database_url(text: str) -> str:
    return _database_url(text) if text else ""


def _optional_http_url(text: str) -> str:
    return _http_url(text) if text else ""


def _http_url(text: str) -> str:
    if _CONTROL.search(text) or " " in text:
        return "a space or a control character"
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "not an http(s) URL with a host"
    try:
        _ = parts.port  # urlsplit checks the port only when it is asked for
    except ValueError:
        return "a port that is not a number in 1..65535"
    return ""


def _address(text: str) -> str:
    return "no @" if "@" not in text else _no_control(text)


def _key(text: str) -> str:
    """An SPN key goes into `Authorization: LOW access:secret`: one word without a colon."""
    if ":" in text or " " in text.strip():
        return "a colon or a space"
    return _not_empty(text)


def _source(text: str) -> str:
    return "" if text in SOURCES else "unknown source"


def _mode(text: str) -> str:
    return "" if text in MODES else "unknown mode"


def _sample(text: str) -> str:
    return "" if text in SAMPLE_PERIODS else "unknown period"


def _security(text: str) -> str:
    return "" if text.lower() in SMTP_SECURITY else "unknown value"


def _schedule(text: str) -> str:
    try:
        _cron_trigger(text)
    except ValueError as exc:
        return str(exc)
    return ""


_DATABASE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_DAY = 86_400.0

# Every setting and what it accepts (tests/test_config.py checks that none is missing).
RULES: dict[str, _Rule] = {
    "database_url": _Rule(str, text=_database_url,
                          what="a database URL such as sqlite:///tracker.db or postgresql+psycopg://user@host/db"),
    "wayback_url": _Rule(str, text=_http_url, what="an http(s) URL"),
    "snapshots_dir": _Rule(Path, text=_not_empty, what="a folder"),
    "cdx_interval": _Rule(float, 0, 3600),
    "capture_interval": _Rule(float, 0, 3600),
    "timeout": _Rule(float, 0, _DAY, above=True),
    "max_body_bytes": _Rule(int, 1, 10**12),
    "cdx_page_size": _Rule(int, 1, 1_000_000),
    "rate_limit_pause": _Rule(float, 0, _DAY),
    "block_pause": _Rule(float, 0, _DAY),
    "max_attempts": _Rule(int, 1, 1000),
    "sample": _Rule(str, text=_sample, what="one of " + ", ".join(repr(p) for p in SAMPLE_PERIODS)),
    "jobs": _Rule(int, 1, 256),
    "user_agent": _Rule(str, text=_not_empty, what="a User-Agent header"),
    "default_source": _Rule(str, text=_source, what="one of " + ", ".join(SOURCES)),
    "live_interval": _Rule(float, 0, 3600),
    "spn_access_key": _Rule(str, text=_key, what="an archive.org S3 access key"),
    "spn_secret": _Rule(str, text=_key, what="an archive.org S3 secret key"),
    "spn_interval": _Rule(float, 0, 3600),
    "smtp_host": _Rule(str, text=_one_word, what="a host name"),
    "smtp_port": _Rule(int, 1, 65535),
    "smtp_user": _Rule(str, text=_no_control, what="a user name"),
    "smtp_password": _Rule(str, text=_no_control, what="a password"),
    "smtp_security": _Rule(str, text=_security, what="one of " + ", ".join(SMTP_SECURITY)),
    "smtp_from": _Rule(str, text=_address, what="an email address"),
    "dispatch_seconds": _Rule(float, 0, _DAY, above=True),
    "digest_schedule": _Rule(str, text=_schedule, what="a crontab line in UTC"),
    "sql_database_url": _Rule(str, text=_optional_database_url, what="empty or a database URL"),
    "sql_timeout": _Rule(float, 0, _DAY, what=" (0: no limit)"),
    "sql_max_rows": _Rule(int, 0, 10**9, what=" (0: no cap)"),
    "sql_max_bytes": _Rule(int, 0, 10**12, what=" (0: no cap)"),
    "digest_max_clauses": _Rule(int, 0, 10**6, what=" (0: only the summaries)"),
    "web_base_url": _Rule(str, text=_optional_http_url, what="empty or an http(s) URL of the web view"),
    "mode": _Rule(str, text=_mode, what="one of " + ", ".join(MODES)),
    "worker_concurrency": _Rule(int, 1, 64),
    "stalled_after": _Rule(float, 1, _DAY),
    "job_attempts": _Rule(int, 1, 1000),
}


def load_config(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Build the configuration from `path` (or ./tracker.toml if present) and the environment.

    `TRACKER_CONFIG` names the file when `path` is not given. Every field can be set by
    `TRACKER_<FIELD>` (e.g. `TRACKER_DATABASE_URL`, `TRACKER_WAYBACK_URL`).
    """
    env = os.environ if environ is None else environ
    values: dict[str, tuple[object, str]] = {}
    file = Path(path) if path else Path(env.get("TRACKER_CONFIG", DEFAULT_CONFIG_FILE))
    if path or "TRACKER_CONFIG" in env or file.exists():
        values.update((name, (value, f"file {file}")) for name, value in _read_toml(file).items())
    for name in RULES:
        variable = _ENV_PREFIX + name.upper()
        if variable in env:
            values[name] = (env[variable], f"environment variable {variable}")
    converted: dict[str, Any] = {name: setting(name, value, source) for name, (value, source) in values.items()}
    config = replace(Config(), **converted, set_fields=frozenset(converted))
    if bool(config.spn_access_key) != bool(config.spn_secret):
        raise ConfigError("Save Page Now needs both TRACKER_SPN_ACCESS_KEY and TRACKER_SPN_SECRET "
                          "(or neither: it is off)")
    if config.distributed and not config.database_url.startswith("postgresql"):
        raise ConfigError(f"mode = 'distributed' needs a PostgreSQL database_url (the job queue lives there), "
                          f"not {mask_credentials(config.database_url)}")
    return replace(config, wayback_url=config.wayback_url.rstrip("/"))


def setting(name: str, value: object, source: str) -> Any:
    """`value` for the setting `name` as Config holds it, or ConfigError: one line naming the
    key, the value (never a secret's) and `source` ("file PATH", "environment variable
    TRACKER_X", "command-line flag --jobs")."""
    rule = RULES[name]
    converted, problem = _convert(rule, value)
    if isinstance(converted, (int, float)):
        number = float(converted)
        if number < rule.low or (rule.above and number == rule.low) or number > rule.high:
            problem = "out of range"
    elif not problem and rule.text is not None:
        problem = rule.text(str(converted))
    if not problem:
        return converted
    shown = "" if name in _SECRET_FIELDS else f" = {mask_credentials(repr(value))}"
    raise ConfigError(f"bad setting {name}{shown} ({source}): {problem}; expected {rule.describe()}")


def _convert(rule: _Rule, value: object) -> tuple[object, str]:
    """The value as the rule's type, and what is wrong if it cannot be one (a TOML file gives
    typed values, the environment and flags give text)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None, f"a {type(value).__name__}"
    if rule.kind is int:
        if isinstance(value, int):
            return value, ""
        if isinstance(value, str) and _WHOLE.fullmatch(value):
            return int(value), ""
        return None, "not a whole number"
    if rule.kind is float:
        try:
            number = float(value)
        except ValueError:
            return None, "not a number"
        return (number, "") if math.isfinite(number) else (None, "not finite")
    if not isinstance(value, str):
        return None, "not text"
    return (Path(value) if rule.kind is Path else value), ""


_WHOLE = re.compile(r"\s*[+-]?[0-9]+\s*")


def parse_schedule(expression: str) -> CronTrigger:
    """A crontab line in UTC ("0 6 * * *"), or six fields with seconds first ("*/2 * * * * *"),
    as an APScheduler trigger. Weekday names (mon..sun) are clearer than numbers: APScheduler 3
    counts from Monday = 0."""
    try:
        return _cron_trigger(expression)
    except ValueError as exc:
        raise ConfigError(f"digest_schedule {expression!r}: {exc}") from None


def _cron_trigger(expression: str) -> CronTrigger:
    from apscheduler.triggers.cron import CronTrigger  # only when a schedule is set or used

    fields = expression.split()
    if len(fields) == 5:
        return CronTrigger.from_crontab(expression, timezone=UTC)
    if len(fields) == 6:
        names = ("second", "minute", "hour", "day", "month", "day_of_week")
        return CronTrigger(timezone=UTC, **dict(zip(names, fields)))
    raise ValueError("expected 5 crontab fields (or 6, seconds first)")


def _read_toml(file: Path) -> dict[str, object]:
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {file}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {file}: {exc}") from None
    section = data.get("tracker", data)
    if not isinstance(section, dict):
        raise ConfigError(f"cannot read config file {file}: [tracker] must be a table")
    unknown = set(section) - set(RULES)
    if unknown:
        raise ConfigError(f"unknown setting(s) in {file}: {', '.join(sorted(unknown))}")
    secrets = sorted(_SECRET_FIELDS & set(section))
    if secrets:
        raise ConfigError(
            f"{', '.join(secrets)} may only come from the environment "
            f"({', '.join(_ENV_PREFIX + name.upper() for name in secrets)}), not from {file}"
        )
    return dict(section)
