"""Every failure of the world is one line and a non-zero exit, never a traceback, and no
password is printed: a file that is not a database, a disk that refuses writes, a server
that is gone, a reader that closed the pipe."""

import os
import resource
import signal
import sqlite3
import subprocess
import sys

import pytest


def run(tmp_path, *args, env=None, **kwargs):
    (tmp_path / "none.toml").write_text("")
    full_env = {**os.environ, "TRACKER_CONFIG": str(tmp_path / "none.toml"),
                "TRACKER_SNAPSHOTS_DIR": str(tmp_path / "snapshots"), **(env or {})}
    full_env.pop("TRACKER_DATABASE_URL", None) if "TRACKER_DATABASE_URL" not in (env or {}) else None
    return subprocess.run([sys.executable, "-m", "tracker.cli", *args], env=full_env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, **kwargs)


def one_error_line(result) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_a_file_that_is_not_a_database(tmp_path):
    (tmp_path / "notes.db").write_bytes(b"these are my notes, not a database\n" * 100)
    line = one_error_line(run(tmp_path, "list", env={"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'notes.db'}"}))
    assert "not a database" in line


def refuse_writes_past_the_shared_memory_file():
    """In the child: any write past 32 KiB into a file fails (EFBIG) as on a full disk,
    instead of killing the process; SQLite's -shm file (32 KiB) still fits."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (32768, 32768))


def test_a_database_on_a_disk_that_refuses_writes(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert run(tmp_path, "init", env={"TRACKER_DATABASE_URL": url}).returncode == 0
    # 200 kB of frames not yet checkpointed: the next write appends past them, where the
    # child may not write.
    ballast = sqlite3.connect(tmp_path / "tracker.db")
    ballast.execute("PRAGMA wal_autocheckpoint=0")
    ballast.execute("CREATE TABLE ballast (b BLOB)")
    ballast.execute("INSERT INTO ballast VALUES (zeroblob(200000))")
    ballast.commit()
    try:
        result = run(tmp_path, "add", "https://example.com/privacy", "--provider", "example.com",
                     env={"TRACKER_DATABASE_URL": url}, preexec_fn=refuse_writes_past_the_shared_memory_file)
    finally:
        ballast.close()
    assert "database error: disk I/O error" in one_error_line(result)
    result = run(tmp_path, "list", env={"TRACKER_DATABASE_URL": url})
    assert "example.com" not in result.stdout  # nothing half-written


def test_a_postgresql_server_that_is_gone_and_its_password_is_not_shown(tmp_path):
    url = "postgresql+psycopg://tracker:hunter2secret@127.0.0.1:1/tracker"
    line = one_error_line(run(tmp_path, "list", env={"TRACKER_DATABASE_URL": url}))
    assert "cannot open database" in line and "hunter2secret" not in line


def test_a_postgresql_server_that_refuses_the_login_and_its_password_is_not_shown(tmp_path, database_url):
    """A live server, a role it does not know (what a wrong user or password meets)."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no logins")
    from sqlalchemy import make_url

    url = make_url(database_url).set(username="nosuchrole", password="hunter2secret").render_as_string(
        hide_password=False)
    line = one_error_line(run(tmp_path, "list", env={"TRACKER_DATABASE_URL": url}))
    assert "cannot open database" in line and "nosuchrole" in line and "hunter2secret" not in line


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://tracker:hunter2secret@127.0.0.1:notaport/tracker",
    "nosuchdriver://tracker:hunter2secret@127.0.0.1/tracker",
])
def test_a_bad_database_url_is_shown_without_its_password(tmp_path, url):
    line = one_error_line(run(tmp_path, "list", env={"TRACKER_DATABASE_URL": url}))
    assert "hunter2secret" not in line and "***" in line


def test_init_shows_the_database_url_without_its_password(tracker_cli, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite URLs have no password")
    from sqlalchemy import make_url

    tracker_cli.env["TRACKER_DATABASE_URL"] = make_url(database_url).set(password="hunter2secret") \
        .render_as_string(hide_password=False)
    result = tracker_cli("-v", "init")
    assert "hunter2secret" not in result.output and "***" in result.output


def test_a_closed_pipe_ends_quietly(corpus_database_url, tmp_path):
    """`tracker changes --json | head -1`: main printed "Error: Broken pipe" and exited 1."""
    (tmp_path / "none.toml").write_text("")
    env = {**os.environ, "TRACKER_CONFIG": str(tmp_path / "none.toml"), "TRACKER_DATABASE_URL": corpus_database_url}
    process = subprocess.Popen([sys.executable, "-m", "tracker.cli", "changes", "--json"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().startswith("{")
    process.stdout.close()  # what `head -1` does after its line
    process.wait(timeout=300)
    assert process.stderr.read() == ""
    assert process.returncode == 141  # as a shell reports a writer stopped by SIGPIPE
