"""The local archive server's errors."""

from tracker.errors import TrackerError


class CorpusError(TrackerError):
    """Raised when the server is built from an unusable corpus folder or cdx.json (never later)."""
