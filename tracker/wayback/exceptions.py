"""The wayback client's errors, each named for when it is raised."""

from tracker.errors import TrackerError
from tracker.urls import InvalidURL

__all__ = ["WaybackError", "InvalidURL", "ArchiveUnreachable", "RateLimited", "BlockedSite",
           "NotArchived", "CaptureError", "ArchiveNotice", "BrokenBody", "BodyTooLarge", "SaveFailed"]


class WaybackError(TrackerError):
    """Base class: something went wrong talking to the archive."""


class ArchiveUnreachable(WaybackError):
    """No answer from the archive (DNS, refused connection, timeouts after retries)."""


class RateLimited(WaybackError):
    """The archive kept answering 429 after the client paused and retried (CDX, captures), or
    Save Page Now answered 429 (its caller retries later)."""


class BlockedSite(WaybackError):
    """CDX answered 403 "Blocked Site Error": the site is excluded from the archive."""


class NotArchived(WaybackError):
    """The archive holds no capture of that URL (404)."""


class CaptureError(WaybackError):
    """An answer that is not a usable capture (bad redirect, redirect loop, 5xx...)."""


class ArchiveNotice(CaptureError):
    """A 200 that is the archive's own page (exclusion notice, error), not a capture."""


class BrokenBody(CaptureError):
    """The body was truncated or its gzip stream corrupt, on every attempt."""


class BodyTooLarge(CaptureError):
    """The body (after decompression) is over the configured cap: a 40 MB page or a gzip bomb."""


class SaveFailed(WaybackError):
    """Save Page Now refused a request (the keys, a bad answer) or reported that its capture
    failed (the `status_ext` reason)."""
