"""The change engine's errors, each named for when it is raised."""

from tracker.errors import TrackerError


class DiffError(TrackerError):
    """Base class of the change engine's errors."""


class UnknownCategory(DiffError):
    """Raised when a category name is outside the OPP-115 vocabulary (a typo in --category)."""
