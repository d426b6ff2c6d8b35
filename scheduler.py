"""The background job: keep every tracked document current (APScheduler, UTC).

This first version checks all documents once a day (`TRACKER_CHECK_HOURS` changes the
interval) and on start. Per-document cadence, locking, digests and job records are the
scheduler issue's work; until then run one instance per database.

    python scheduler.py            # runs until SIGTERM / Ctrl-C
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone

from apscheduler.schedulers.blocking import BlockingScheduler

from tracker.config import load_config
from tracker.db import open_database
from tracker.documents import find_documents
from tracker.fetch import backfill
from tracker.rawstore import RawStore
from tracker.wayback import WaybackClient, WaybackError

log = logging.getLogger("tracker.scheduler")


def check_all() -> None:
    config = load_config()
    sessions = open_database(config.database_url)
    with sessions() as session:
        documents = find_documents(session)
    try:
        with WaybackClient.from_config(config) as client:
            backfill(sessions, client, RawStore(config.snapshots_dir), documents)
    except WaybackError as exc:
        log.error("check stopped: %s", exc)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    hours = float(os.environ.get("TRACKER_CHECK_HOURS", "24"))
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(check_all, "interval", hours=hours, id="check_all",
                      next_run_time=datetime.now(timezone.utc),
                      max_instances=1, coalesce=True, misfire_grace_time=3600)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


if __name__ == "__main__":
    main()
