"""The background job's entry point: the same daemon as `tracker run` (tracker/jobs.py).

It checks each tracked document when its next check is due (cadence per document, default
daily), sends digests on `digest_schedule`, holds a one-daemon-per-database lock, records a
job_run for every check and digest run, and stops cleanly on SIGTERM or Ctrl-C (exit 0).

    python scheduler.py            # configuration as for `tracker` (tracker.toml, TRACKER_*)
"""

from __future__ import annotations

import sys

from tracker.cli.app import USER_ERRORS, one_line
from tracker.config import load_config
from tracker.jobs import AlreadyRunning, Daemon, configure_logging


def main() -> int:
    configure_logging()
    try:
        return Daemon(load_config()).run()
    except (AlreadyRunning, *USER_ERRORS) as exc:
        print(f"Error: {one_line(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
