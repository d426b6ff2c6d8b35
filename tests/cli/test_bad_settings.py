"""A bad setting stops the command before it does anything, with one line naming the key and
where the value came from (the file, the environment variable or the flag): never a
traceback from deep inside the stage that uses it, never a secret."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

TRACKER = [sys.executable, "-m", "tracker.cli"]


def run_tracker(tmp_path: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    clean.update({"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"}, **env)
    return subprocess.run([*TRACKER, *args], cwd=tmp_path, env=clean, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("variable, value", [
    ("TRACKER_TIMEOUT", "0"), ("TRACKER_TIMEOUT", "-3"), ("TRACKER_TIMEOUT", "nan"), ("TRACKER_TIMEOUT", "inf"),
    ("TRACKER_SQL_MAX_ROWS", "-1"), ("TRACKER_SQL_TIMEOUT", "nan"), ("TRACKER_SQL_TIMEOUT", "1e999"),
    ("TRACKER_SMTP_PORT", "0"), ("TRACKER_DISPATCH_SECONDS", "-1"),
])
def test_a_bad_setting_in_the_environment_stops_every_command_with_one_line(tmp_path, variable, value):
    result = run_tracker(tmp_path, "list", env={variable: value})
    name = variable.removeprefix("TRACKER_").lower()
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        result.stderr.strip()], result.stderr
    assert result.stderr.startswith(f"Error: bad setting {name} = '{value}' (environment variable {variable}): ")
    assert not (tmp_path / "t.db").exists()


def test_a_bad_setting_in_the_file_names_the_file(tmp_path):
    (tmp_path / "tracker.toml").write_text("[tracker]\ntimeout = nan\n")
    result = run_tracker(tmp_path, "backfill", env={})
    assert result.returncode == 1
    assert result.stderr.strip() == ("Error: bad setting timeout = nan (file tracker.toml): not finite; "
                                     "expected a number of seconds greater than 0 and at most 86400")


def test_a_bad_flag_is_checked_as_its_setting_is(tmp_path):
    result = run_tracker(tmp_path, "backfill", "--jobs", "0", env={})
    assert result.returncode == 1
    assert result.stderr.strip() == ("Error: bad setting jobs = '0' (command-line flag --jobs): out of range; "
                                     "expected a whole number at least 1 and at most 256")


def test_a_mistyped_database_url_is_refused_with_its_password_masked(tmp_path):
    result = run_tracker(tmp_path, "list", env={"TRACKER_DATABASE_URL": "postgresql+psycopg//u:S3cret@127.0.0.1/x"})
    assert result.returncode == 1 and "S3cret" not in result.stderr + result.stdout
    assert "postgresql+psycopg//u:***@127.0.0.1/x" in result.stderr
    assert "(environment variable TRACKER_DATABASE_URL)" in result.stderr
