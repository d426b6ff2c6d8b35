"""The read side's errors, each named for when it is raised."""

from tracker.errors import TrackerError


class ReadError(TrackerError):
    """Base class of the read side's errors."""


class NoVersion(ReadError):
    """Raised when a document has no version in force at the date asked for."""


class SearchError(ReadError):
    """Raised when the search text is empty or not valid full-text query syntax."""


class QueryError(ReadError):
    """Raised when a console query is not valid SQL for this database, or fails while running."""


class ReadOnlyQuery(QueryError):
    """Raised when a console query tried to change the database (or attach another); nothing
    was changed."""
