"""The background job's errors."""

from tracker.errors import TrackerError


class JobError(TrackerError):
    """Base class of the background job's errors."""


class AlreadyRunning(JobError):
    """Raised when another process (a daemon or a backfill) holds the database's instance lock."""
