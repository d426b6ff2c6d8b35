"""Configuration: defaults, TOML file, environment; secrets only from the environment."""

from pathlib import Path

import pytest

from tracker.config import REAL_ARCHIVE_URL, RULES, Config, ConfigError, load_config


def test_defaults_point_at_the_real_archive_and_local_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(environ={})
    assert config.wayback_url == REAL_ARCHIVE_URL
    assert config.database_url == "sqlite:///tracker.db"
    assert config.snapshots_dir == Path("snapshots")
    assert config.cdx_interval >= 2  # at most ~30 CDX requests a minute


def test_file_then_environment(tmp_path):
    file = tmp_path / "tracker.toml"
    file.write_text('[tracker]\nwayback_url = "http://127.0.0.1:8765/"\ncdx_interval = 0\nsmtp_port = 2525\n')
    config = load_config(file, environ={"TRACKER_SMTP_PORT": "587", "TRACKER_SMTP_PASSWORD": "s3cret"})
    assert config.wayback_url == "http://127.0.0.1:8765"
    assert config.cdx_interval == 0.0
    assert config.smtp_port == 587
    assert config.smtp_password == "s3cret"
    assert "s3cret" not in repr(config)
    assert config.is_local_archive


def test_password_in_file_is_refused(tmp_path):
    file = tmp_path / "tracker.toml"
    file.write_text('smtp_password = "oops"\n')
    with pytest.raises(ConfigError, match="environment"):
        load_config(file, environ={})


def test_save_page_now_keys_come_from_the_environment_only_and_together(tmp_path):
    file = tmp_path / "tracker.toml"
    file.write_text('spn_secret = "0ops-S3cret"\n')
    with pytest.raises(ConfigError, match="TRACKER_SPN_SECRET") as error:
        load_config(file, environ={})
    assert "0ops-S3cret" not in str(error.value)
    assert not load_config(environ={}).save_page_now  # off by default
    with pytest.raises(ConfigError, match="both TRACKER_SPN_ACCESS_KEY and TRACKER_SPN_SECRET"):
        load_config(environ={"TRACKER_SPN_ACCESS_KEY": "access"})
    config = load_config(environ={"TRACKER_SPN_ACCESS_KEY": "access", "TRACKER_SPN_SECRET": "S3cret"})
    assert config.save_page_now and "S3cret" not in repr(config)


def test_live_and_save_intervals_are_kept_off_loopback_only():
    config = load_config(environ={"TRACKER_WAYBACK_URL": "http://127.0.0.1:8765"})
    assert config.local_or("spn_interval") == 0 and config.local_or("live_interval", "http://localhost:81/p") == 0
    assert config.local_or("live_interval", "https://example.com/privacy") == 10
    assert load_config(environ={}).local_or("spn_interval") == 10  # the real archive
    set_on_purpose = load_config(environ={"TRACKER_WAYBACK_URL": "http://127.0.0.1:8765", "TRACKER_SPN_INTERVAL": "2"})
    assert set_on_purpose.local_or("spn_interval") == 2


@pytest.mark.parametrize("content, message", [
    ("nonsense = 1\n", "unknown setting"),
    ("cdx_interval = 'fast'\n", "bad setting cdx_interval = 'fast' .*not a number"),
    ("wayback_url = 'ftp://x'\n", "http"),
    ("[tracker\n", "cannot read"),
])
def test_bad_config_is_a_clear_error(tmp_path, content, message):
    file = tmp_path / "tracker.toml"
    file.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_config(file, environ={})


def test_missing_named_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml", environ={})


def test_politeness_and_sampling_keys(tmp_path):
    file = tmp_path / "tracker.toml"
    file.write_text('sample = "half-year"\nrate_limit_pause = 90\n')
    config = load_config(file, environ={"TRACKER_BLOCK_PAUSE": "1200"})
    assert (config.sample, config.rate_limit_pause, config.block_pause) == ("half-year", 90.0, 1200.0)
    assert load_config(environ={}).sample == ""
    with pytest.raises(ConfigError, match="bad setting sample = 'weekly'"):
        load_config(environ={"TRACKER_SAMPLE": "weekly"})


# One value each setting refuses, as the environment would give it.
REFUSED = {
    "database_url": "postgresql+psycopg//u:S3cret@127.0.0.1/x",
    "wayback_url": "ftp://archive.example.org",
    "snapshots_dir": " ",
    "cdx_interval": "-1",
    "capture_interval": "inf",
    "timeout": "0",
    "max_body_bytes": "0",
    "cdx_page_size": "1e3",
    "rate_limit_pause": "nan",
    "block_pause": "-5",
    "max_attempts": "0",
    "sample": "weekly",
    "jobs": "1.5",
    "user_agent": "tracker\r\nX-Injected: 1",
    "default_source": "archive",
    "live_interval": "-1",
    "spn_access_key": "key:with-colon",
    "spn_secret": "pass\x00word",
    "spn_interval": "3601",
    "smtp_host": "mail example",
    "smtp_port": "70000",
    "smtp_user": "me\n",
    "smtp_password": "pass\x00word",
    "smtp_security": "tls",
    "smtp_from": "nobody",
    "dispatch_seconds": "0",
    "digest_schedule": "0 6 *",
    "sql_database_url": "readonly@localhost",
    "sql_timeout": "1e999",
    "sql_max_rows": "-1",
    "sql_max_bytes": "-1",
    "digest_max_clauses": "-5",
    "web_base_url": "ftp://tracker.example/",
    "mode": "cluster",
    "worker_concurrency": "0",
    "stalled_after": "0.5",
    "job_attempts": "0",
}


def test_every_setting_is_checked():
    settings = {name for name in Config.__dataclass_fields__ if name != "set_fields"}
    assert set(RULES) == settings
    assert set(REFUSED) == settings


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_bad_setting_from_the_environment_is_one_line_naming_the_variable(name):
    variable = "TRACKER_" + name.upper()
    with pytest.raises(ConfigError) as error:
        load_config(environ={variable: REFUSED[name]})
    message = str(error.value)
    assert message.startswith(f"bad setting {name}") and f"(environment variable {variable})" in message
    assert "\n" not in message and "S3cret" not in message and "pass\\x00word" not in message


@pytest.mark.parametrize("line, name", [
    ("timeout = -1", "timeout"), ("timeout = nan", "timeout"), ("timeout = inf", "timeout"),
    ("timeout = 0", "timeout"), ("sql_timeout = nan", "sql_timeout"), ("sql_max_rows = -1", "sql_max_rows"),
    ("sql_max_rows = 2.5", "sql_max_rows"), ("jobs = true", "jobs"), ("smtp_host = 25", "smtp_host"),
    ("max_body_bytes = 1e999", "max_body_bytes"), ("cdx_interval = 'fast'", "cdx_interval"),
])
def test_a_bad_setting_in_the_file_is_one_line_naming_the_file(tmp_path, line, name):
    file = tmp_path / "tracker.toml"
    file.write_text(f"[tracker]\n{line}\n")
    with pytest.raises(ConfigError, match=f"^bad setting {name} = .* \\(file {file}\\): .*; expected "):
        load_config(file, environ={})


def test_the_edges_of_each_range_are_accepted(tmp_path):
    config = load_config(environ={"TRACKER_SQL_MAX_ROWS": "0", "TRACKER_SQL_TIMEOUT": "0", "TRACKER_JOBS": "256",
                                  "TRACKER_TIMEOUT": "0.001", "TRACKER_SMTP_PORT": "65535",
                                  "TRACKER_SQL_DATABASE_URL": "", "TRACKER_WAYBACK_URL": "http://[::1]:8765/"})
    assert (config.sql_max_rows, config.sql_timeout, config.jobs, config.timeout) == (0, 0.0, 256, 0.001)
    assert config.wayback_url == "http://[::1]:8765" and config.is_local_archive
