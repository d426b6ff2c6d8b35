"""The live checks' errors, each named for when it is raised. What a site answers (a 403, a
404, no answer, robots.txt's "no") is an outcome recorded on the document, not an error."""

from tracker.errors import TrackerError


class LiveError(TrackerError):
    """Base class of the live checks' errors."""


class NoAddress(LiveError):
    """Raised when a live check is asked of a document with no URL (one only imported)."""
