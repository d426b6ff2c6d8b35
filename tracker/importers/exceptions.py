"""The importers' errors, each named for when it is raised."""

from tracker.errors import TrackerError


class ImportFailed(TrackerError):
    """Raised when a source cannot be read at all: not a git repository, a revision or blob
    git cannot find, a domain, service or terms type that cannot name a path (empty, a
    control character, a `/`). A single record that cannot be imported is refused with one line
    instead, and the others go on."""
