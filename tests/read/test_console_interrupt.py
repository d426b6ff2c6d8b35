"""Ctrl-C stops a runaway `tracker sql` query at once on both databases (a recursive CTE
that never ends ignored it on SQLite), and on PostgreSQL the server stops running it too."""

import os
import queue
import signal
import subprocess
import sys
import threading
import time

import psycopg
import sqlalchemy as sa

ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def tracker(env, *args, **kwargs):
    """`tracker ARGS` with Ctrl-C as a terminal gives it, whatever this test inherited (a suite
    started in the background by a shell ignores SIGINT, and so would the command)."""
    return subprocess.Popen([sys.executable, "-m", "tracker.cli", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), **kwargs)


def running_queries(url: str) -> int:
    libpq = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq) as connection:
        return connection.execute("SELECT count(*) FROM pg_stat_activity WHERE query = %s AND state = 'active'",
                                  (ENDLESS,)).fetchone()[0]


def test_ctrl_c_stops_a_runaway_query(database_url, tmp_path):
    env = {**os.environ, "TRACKER_DATABASE_URL": database_url, "TRACKER_CONFIG": str(tmp_path / "none.toml"),
           "TRACKER_SQL_TIMEOUT": "3600"}
    (tmp_path / "none.toml").write_text("")
    setup = ["db", "grant-readonly"] if database_url.startswith("postgresql") else ["init"]
    assert tracker(env, *setup).wait(timeout=120) == 0
    process = tracker(env, "-v", "sql", ENDLESS)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True)
    reader.start()
    started = time.monotonic()
    while time.monotonic() - started < 60:  # the query has started (main logs no such line)
        try:
            if "Ctrl-C stops it" in lines.get(timeout=1):
                break
        except queue.Empty:
            continue
    time.sleep(0.5)  # well inside the statement now
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)  # a bound far above "within a second", not a speed measure
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("tracker sql ignored Ctrl-C") from None
    assert process.returncode != 0
    reader.join(timeout=30)
    assert not any("Traceback" in line for line in list(lines.queue))
    if database_url.startswith("postgresql"):
        assert running_queries(database_url) == 0
