"""A local archive restarted in the middle of a backfill: the run stops with one line, and
the next run finishes without a silent wait. On loopback a refused connection is no IP
block (no pause); a pause set on purpose is logged with its reason and end, and shown by
`tracker status`. (On main the next run slept ten minutes, printing nothing.)"""

import json
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest

from tracker.archive import ArchiveServer, corpus_pages


@pytest.fixture
def world(tracker_cli, sample_corpus, test_corpus):
    server = ArchiveServer(sample_corpus, test_corpus).start()
    for corpus in (sample_corpus, test_corpus):
        for page in corpus_pages(corpus):
            for url in page.urls:
                tracker_cli("add", url, "--provider", page.provider, "--document", page.document)
    # Paced on purpose, so that the restart falls in the middle of the downloads.
    tracker_cli.env.update({"TRACKER_WAYBACK_URL": server.url, "TRACKER_CAPTURE_INTERVAL": "0.1"})
    tracker_cli.env.pop("TRACKER_CDX_INTERVAL")
    yield tracker_cli, server
    server.stop()


def backfill(tracker_cli, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "tracker.cli", "backfill", "-v", "--quiet"],
                            env={**os.environ, **tracker_cli.env}, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def restart_mid_backfill(tracker_cli, server, sample_corpus, test_corpus) -> tuple[ArchiveServer, str]:
    """Start a backfill, stop the archive after its third capture, start it again on the
    same port; returns the new server and the first run's stderr."""
    first = backfill(tracker_cli)
    for _ in range(6000):
        if sum(r.path.startswith("/web/") for r in server.requests) >= 3:
            break
        time.sleep(0.01)
    server.stop()
    _, stderr = first.communicate(timeout=300)
    assert first.returncode == 1
    assert stderr.strip().splitlines()[-1].startswith("Error: archive at ")
    assert "connection refused" in stderr.strip().splitlines()[-1]
    port = urlsplit(server.url).port
    return ArchiveServer(sample_corpus, test_corpus, port=port).start(), stderr


def all_fetched(tracker_cli, providers) -> bool:
    states = {c["state"] for p in providers for d in json.loads(tracker_cli("captures", p, "--json").output)
              for c in d["captures"]}
    return "pending" not in states and "failed" not in states


def test_next_run_after_a_local_restart_does_not_wait(world, sample_corpus, test_corpus):
    tracker_cli, server = world
    server, _ = restart_mid_backfill(tracker_cli, server, sample_corpus, test_corpus)
    try:
        assert "archive: no pause" in tracker_cli("status").output
        second = backfill(tracker_cli)
        _, stderr = second.communicate(timeout=300)  # main: a silent 600 s pause
        assert second.returncode == 0, stderr
        assert "paused" not in stderr
        assert all_fetched(tracker_cli, ["voip.com", "LEX", "DeepSeek"])
    finally:
        server.stop()


def test_a_configured_pause_is_logged_and_shown(world, sample_corpus, test_corpus):
    tracker_cli, server = world
    tracker_cli.env["TRACKER_BLOCK_PAUSE"] = "6"
    server, first_stderr = restart_mid_backfill(tracker_cli, server, sample_corpus, test_corpus)
    try:
        assert "pausing every request for 6s" in first_stderr
        status = tracker_cli("status").output
        assert "archive requests paused until" in status and "refused a connection" in status
        second = backfill(tracker_cli)
        _, stderr = second.communicate(timeout=300)
        assert second.returncode == 0, stderr
        waits = [line for line in stderr.splitlines() if "archive requests paused until" in line]
        assert len(waits) == 1 and "UTC" in waits[0] and "refused a connection" in waits[0], stderr
        assert all_fetched(tracker_cli, ["voip.com", "LEX", "DeepSeek"])
    finally:
        server.stop()
