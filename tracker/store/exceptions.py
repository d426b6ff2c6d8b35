"""The store's errors, each named for when it is raised."""

from tracker.errors import TrackerError


class StoreError(TrackerError):
    """Base class of the store's errors."""


class DatabaseError(StoreError):
    """Raised when the database URL is unusable, or the database cannot be opened or upgraded."""


class ForeignDatabase(DatabaseError):
    """Raised when the database holds tables but no revision of the tracker's migrations:
    another application's, which the tracker must not change."""


class RawStoreError(StoreError):
    """Raised when the raw capture store cannot be written or read (full disk, permissions,
    a corrupt file)."""


class UnknownProvider(StoreError):
    """Raised when a command names a provider that is not tracked."""


class InvalidName(StoreError):
    """Raised when a provider or document name is empty."""


class InvalidSource(StoreError):
    """Raised when a document is given a source other than wayback, live or both."""


class UnknownOverride(StoreError):
    """Raised when `tracker override remove` names an id no override has."""


class OtaError(StoreError):
    """Raised when an Open Terms Archive declaration file is missing, not JSON, or not in
    OTA's format."""
