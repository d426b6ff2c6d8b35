"""The background job: check documents when they are due, send digests on a schedule, one
process per database, every run recorded in job_run (`tracker run`, scheduler.py).

Modules: `daemon` (APScheduler ticks), `runs` (the two jobs), `lock` (one process per
database), `status` (`tracker status`).
"""

from tracker.jobs.daemon import Daemon, configure_logging
from tracker.jobs.exceptions import AlreadyRunning, JobError
from tracker.jobs.lock import InstanceLock
from tracker.jobs.runs import check_document, dispatch, send_digests
from tracker.jobs.status import Status, daemon_running, status

__all__ = ["AlreadyRunning", "Daemon", "InstanceLock", "JobError", "Status", "check_document",
           "configure_logging", "daemon_running", "dispatch", "send_digests", "status"]
