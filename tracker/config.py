"""Configuration: defaults, then a TOML file, then environment variables.

Secrets (the SMTP password) are read from the environment only, never from the file,
so that a config file can be committed or shared without leaking them.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from tracker.errors import TrackerError

REAL_ARCHIVE_URL = "https://web.archive.org"
DEFAULT_CONFIG_FILE = "tracker.toml"
SAMPLE_PERIODS = ("", "month", "half-year", "year")


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
    # how long one query may run, and how many rows it may return (docs/security.md).
    sql_database_url: str = ""
    sql_timeout: float = 30.0
    sql_max_rows: int = 10_000

    # The settings given by the file or the environment (not defaults): a loopback archive
    # keeps pacing and pauses only when they were set on purpose.
    set_fields: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @property
    def is_local_archive(self) -> bool:
        """A loopback archive (127.0.0.0/8, ::1, localhost) is our own replay server: no
        need to be polite to it, and a refused connection there is no IP block."""
        host = urlsplit(self.wayback_url).hostname or ""
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


_ENV_PREFIX = "TRACKER_"
_SECRET_FIELDS = {"smtp_password"}


def load_config(path: str | Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """Build the configuration from `path` (or ./tracker.toml if present) and the environment.

    `TRACKER_CONFIG` names the file when `path` is not given. Every field can be set by
    `TRACKER_<FIELD>` (e.g. `TRACKER_DATABASE_URL`, `TRACKER_WAYBACK_URL`).
    """
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    file = Path(path) if path else Path(env.get("TRACKER_CONFIG", DEFAULT_CONFIG_FILE))
    if path or "TRACKER_CONFIG" in env or file.exists():
        values.update(_read_toml(file))
    for f in _settings():
        raw = env.get(_ENV_PREFIX + f.name.upper())
        if raw is not None:
            values[f.name] = raw
    config = Config()
    converted = {name: _convert(name, value) for name, value in values.items()}
    config = replace(config, **converted, set_fields=frozenset(converted))
    if config.wayback_url.rstrip("/") != config.wayback_url:
        config = replace(config, wayback_url=config.wayback_url.rstrip("/"))
    if not config.wayback_url.startswith(("http://", "https://")):
        raise ConfigError(f"wayback_url must be an http(s) URL, got {config.wayback_url!r}")
    if config.web_base_url and not config.web_base_url.startswith(("http://", "https://")):
        raise ConfigError(f"web_base_url must be an http(s) URL, got {config.web_base_url!r}")
    if config.digest_max_clauses < 0:
        raise ConfigError(f"digest_max_clauses must be 0 or more, got {config.digest_max_clauses}")
    if config.sample not in SAMPLE_PERIODS:
        raise ConfigError(f"sample must be one of {', '.join(repr(p) for p in SAMPLE_PERIODS)}, "
                          f"got {config.sample!r}")
    if config.jobs < 1:
        raise ConfigError(f"jobs must be a whole number of at least 1, got {config.jobs}")
    return config


def _settings():
    return [f for f in fields(Config) if f.name != "set_fields"]


def _read_toml(file: Path) -> dict[str, object]:
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {file}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {file}: {exc}") from None
    section = data.get("tracker", data)
    known = {f.name for f in _settings()}
    unknown = set(section) - known
    if unknown:
        raise ConfigError(f"unknown setting(s) in {file}: {', '.join(sorted(unknown))}")
    secrets = _SECRET_FIELDS & set(section)
    if secrets:
        raise ConfigError(
            f"{', '.join(sorted(secrets))} may only come from the environment "
            f"(TRACKER_SMTP_PASSWORD), not from {file}"
        )
    return dict(section)


def _convert(name: str, value: object) -> object:
    default = getattr(Config(), name)
    try:
        if isinstance(default, Path):
            return Path(str(value))
        if isinstance(default, bool):
            return str(value).lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name} must be a number, got {value!r}") from None
    return None if value is None else str(value)
