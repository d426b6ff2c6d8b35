"""The normalizer's errors, each named for when it is raised."""

from tracker.errors import TrackerError


class NormalizeError(TrackerError):
    """Raised when bytes cannot be treated as an HTML page at all (over the size limit, binary)."""


class RuleError(NormalizeError):
    """Raised when a page rule is malformed: an invalid CSS selector, a range without both
    ends, a rule with neither select nor remove, an empty validity range."""
