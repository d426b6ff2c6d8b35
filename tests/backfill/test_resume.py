"""Crash safety: a `tracker backfill` process killed (SIGKILL) at random points and started
again ends with exactly the rows of an uninterrupted run, with one job and with two (whose
worker dies with its parent; a document is derived after the next one is downloaded).

The interrupted runs are real processes against the archive server on loopback; the
reference is the session's uninterrupted backfill of the same corpora (`corpus_sqlite_url`).
The dump (tests/natural_rows.py) compares every table of the schema by natural keys.
"""

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from corpora import register_corpora
from natural_rows import differences, dump

from tracker.archive import ArchiveServer

KILLS = 3


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_killed_backfills_end_with_the_rows_of_an_uninterrupted_run(jobs, database_url, corpus_sqlite_url,
                                                                    sample_corpus, test_corpus, tmp_path):
    seed = int(os.environ.get("TRACKER_RESUME_SEED", random.randrange(10**6)))
    chance = random.Random(seed)
    register_corpora(database_url, sample_corpus, test_corpus)
    with ArchiveServer(sample_corpus, test_corpus) as archive:
        env = {**os.environ, "TRACKER_DATABASE_URL": database_url, "TRACKER_WAYBACK_URL": archive.url,
               "TRACKER_SNAPSHOTS_DIR": str(tmp_path / "snapshots"), "TRACKER_CDX_INTERVAL": "0",
               "TRACKER_CAPTURE_INTERVAL": "0.04", "TRACKER_CONFIG": os.devnull}
        command = [sys.executable, "-m", "tracker.cli", "-v", "backfill", "--quiet", "--jobs", jobs]
        killed = 0
        for _ in range(KILLS):
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            time.sleep(chance.uniform(0.6, 2.5))  # from start-up to the last derivations
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed += 1
            process.wait()
        final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    assert killed >= 1, f"no run was interrupted (seed {seed})"
    # The person following along sees one line per document.
    assert "INFO tracker.backfill: LEX / Privacy Policy: listed" in final.stderr
    expected = dump(corpus_sqlite_url)
    assert len(expected["capture"]) == 43 and expected["version"] and expected["clause_change"]
    got = dump(database_url)
    assert not differences(expected, got), f"seed {seed}: {differences(expected, got)}"
