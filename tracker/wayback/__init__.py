"""A small, polite client for the Wayback Machine: the CDX index and raw (`id_`) captures.

Imports nothing of the tracker but its error base and URL check. The public face:
`WaybackClient` (search, get_capture), the records it returns (`CdxRecord`, `Memento`),
`surt` (the archive's URL key), `sampling` (one capture per period), the pacing shared by
processes, and the errors of `tracker.wayback.exceptions`.
"""

from tracker.urls import InvalidURL, check_url
from tracker.wayback import sampling
from tracker.wayback._cdx import CDX_FIELDS, CdxRecord, parse_cdx, timestamp_datetime
from tracker.wayback._client import REAL_ARCHIVE_HOST, Memento, WaybackClient, memento_timestamp
from tracker.wayback._pacing import SHARED_PACER, Pacer, shared_pacer
from tracker.wayback._surt import surt
from tracker.wayback.exceptions import (
    ArchiveNotice,
    ArchiveUnreachable,
    BlockedSite,
    BodyTooLarge,
    BrokenBody,
    CaptureError,
    NotArchived,
    RateLimited,
    WaybackError,
)

__all__ = [
    "CDX_FIELDS", "REAL_ARCHIVE_HOST", "SHARED_PACER", "ArchiveNotice", "ArchiveUnreachable",
    "BlockedSite", "BodyTooLarge", "BrokenBody", "CaptureError", "CdxRecord", "InvalidURL",
    "Memento", "NotArchived", "Pacer", "RateLimited", "WaybackClient", "WaybackError",
    "check_url", "memento_timestamp", "parse_cdx", "sampling", "shared_pacer", "surt", "timestamp_datetime",
]
