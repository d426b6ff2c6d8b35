"""The background job's errors."""

from tracker.errors import TrackerError


class JobError(TrackerError):
    """Base class of the background job's errors."""


class AlreadyRunning(JobError):
    """Raised when another process (a daemon or a backfill) holds the database's instance lock."""


class NeedsPostgres(JobError):
    """Raised when distributed mode, `tracker worker` or a `--queue` producer is asked of a
    store that is not on PostgreSQL (the job queue lives there)."""
