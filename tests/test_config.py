"""Configuration: defaults, TOML file, environment; secrets only from the environment."""

from pathlib import Path

import pytest

from tracker.config import REAL_ARCHIVE_URL, ConfigError, load_config


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


@pytest.mark.parametrize("content, message", [
    ("nonsense = 1\n", "unknown setting"),
    ("cdx_interval = 'fast'\n", "must be a number"),
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
    with pytest.raises(ConfigError, match="sample must be one of"):
        load_config(environ={"TRACKER_SAMPLE": "weekly"})
