"""`tracker renormalize --jobs 2` stopped by Ctrl-C (SIGINT) or killed (SIGKILL) while its
worker normalises: no worker is left behind, and the history is what it was (a rebuild is one
transaction). Real processes, a real SQLite database, generated pages of about 400 KB."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mail_world import World
from natural_rows import differences, dump

URL = "https://app.example/privacy"


def policy(version: int, paragraphs: int = 3000) -> bytes:
    body = "".join(f"<p>Clause {n}: we keep the personal information of case {n} for {n % 12 + 1} months"
                   f"{' and then delete it' if n % 500 == version else ''}.</p>" for n in range(paragraphs))
    return f"<html><body><main><h1>Privacy Policy</h1>{body}</main></body></html>".encode()


def ctrl_c_live() -> None:
    """The run's Ctrl-C as a terminal gives it, whatever this test inherited: a suite started
    in the background by a shell (`... &`, nohup) ignores SIGINT, and so would the run."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def is_worker(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads processes from /proc (Linux)")
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "killed"])
def test_a_stopped_renormalize_leaves_no_worker_and_the_history_as_it_was(stop, tmp_path, archive, inbox):
    for n in range(6):
        archive.add_capture(URL, f"20{10 + n}0101000000", policy(n))
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    world = World(url, tmp_path, archive, inbox.port)
    world.track((URL, "app.example"))
    world.backfill()
    world.sessions.kw["bind"].dispose()
    before = dump(url)
    env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_SNAPSHOTS_DIR": str(tmp_path / "snapshots"),
           "TRACKER_CONFIG": os.devnull}
    process = subprocess.Popen([sys.executable, "-m", "tracker.cli", "renormalize", "--jobs", "2"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=ctrl_c_live)
    workers = []
    while not workers and process.poll() is None:  # the worker starts with the first document
        workers = [pid for pid in children(process.pid) if is_worker(pid)]
    assert workers, f"the run ended before its worker started: {process.communicate()}"
    helpers = children(process.pid)
    process.send_signal(stop)
    out, err = process.communicate(timeout=120)
    assert process.returncode != 0
    if stop == signal.SIGINT:
        assert err.strip() == "Aborted!", err
    deadline = time.monotonic() + 60  # far longer than a worker takes to see its parent gone
    while any(running(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in helpers if running(pid)], "a worker outlived its parent"
    assert not differences(before, dump(url))
