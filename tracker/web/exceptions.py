"""The web view's errors, each named for when it is raised."""

from tracker.errors import TrackerError


class WebError(TrackerError):
    """Base class of the web view's errors."""


class NotFound(WebError, LookupError):
    """Raised when no document, version, step or clause has the identifier in the URL."""


class PortInUse(WebError, OSError):
    """Raised when the address to serve on is taken (or cannot be bound)."""
