"""The real daemon as a subprocess (`python scheduler.py`, configured through the environment),
for the background job's tests, and what they wait for and count."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from corpora import REPO
from mail_world import World
from sqlalchemy import func, select

from tracker.store.models import JobRun


class Daemon:
    """`python scheduler.py` in its own process, configured through the environment."""

    def __init__(self, world: World, log: Path, **settings: str) -> None:
        config = world.config
        self.env = {**os.environ, "TRACKER_CONFIG": os.devnull,
                    "TRACKER_DATABASE_URL": config.database_url, "TRACKER_WAYBACK_URL": config.wayback_url,
                    "TRACKER_SNAPSHOTS_DIR": str(config.snapshots_dir), "TRACKER_CDX_INTERVAL": "0",
                    "TRACKER_CAPTURE_INTERVAL": "0", "TRACKER_SMTP_HOST": config.smtp_host,
                    "TRACKER_SMTP_PORT": str(config.smtp_port), "TRACKER_SMTP_FROM": config.smtp_from,
                    "TRACKER_DISPATCH_SECONDS": "0.2", "TRACKER_DIGEST_SCHEDULE": "* * * * * *",
                    **{f"TRACKER_{k.upper()}": v for k, v in settings.items()}}
        self.log = log
        self.process = None

    def start(self) -> "Daemon":
        with open(self.log, "a") as out:
            self.process = subprocess.Popen([sys.executable, str(REPO / "scheduler.py")], env=self.env,
                                            stdout=out, stderr=subprocess.STDOUT, cwd=self.log.parent)
        return self

    def signal(self, signum: int) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout=60)

    def output(self) -> str:
        return self.log.read_text()


def wait_for(condition, daemon: Daemon, what: str, limit: float = 60.0) -> None:
    """Poll until `condition()` holds; the limit only turns a hang into a readable failure."""
    deadline = time.monotonic() + limit
    while not condition():
        if daemon.process.poll() is not None:
            pytest.fail(f"daemon exited ({daemon.process.returncode}) before {what}:\n{daemon.output()}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}:\n{daemon.output()}")
        time.sleep(0.05)


def count(world: World, query) -> int:
    with world.sessions() as session:
        return session.scalar(select(func.count()).select_from(query.subquery()))


def runs(world: World, job: str, outcome: str = "ok") -> int:
    return count(world, select(JobRun.id).where(JobRun.job == job, JobRun.outcome == outcome))
