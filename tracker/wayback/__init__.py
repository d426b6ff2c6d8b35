"""A small, polite client for the Wayback Machine: the CDX index and raw (`id_`) captures.

Imports nothing of the tracker but its error base and URL check. The public face:
`WaybackClient` (search, get_capture), the records it returns (`CdxRecord`, `Memento`),
`read_body` (a download's size and decompression cap, for every page fetched), `SavePageNow`
(SPN2: a capture made now, as public evidence), `surt` (the archive's URL key), `sampling`
(one capture per period), the pacing shared by processes, and the errors of
`tracker.wayback.exceptions`.
"""

from tracker.urls import InvalidURL, check_url
from tracker.wayback import sampling
from tracker.wayback._cdx import CDX_FIELDS, CdxRecord, parse_cdx, timestamp_datetime
from tracker.wayback._client import REAL_ARCHIVE_HOST, Memento, WaybackClient, memento_timestamp, read_body
from tracker.wayback._pacing import PAUSE_FILE, SHARED_PACER, Pacer, Pause, read_pause, shared_pacer
from tracker.wayback._save import SavePageNow, SaveStatus
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
    SaveFailed,
    WaybackError,
)

__all__ = [
    "CDX_FIELDS", "REAL_ARCHIVE_HOST", "SHARED_PACER", "ArchiveNotice", "ArchiveUnreachable",
    "BlockedSite", "BodyTooLarge", "BrokenBody", "CaptureError", "CdxRecord", "InvalidURL",
    "Memento", "NotArchived", "PAUSE_FILE", "Pacer", "Pause", "RateLimited", "SaveFailed", "SavePageNow",
    "SaveStatus", "WaybackClient", "WaybackError", "check_url", "memento_timestamp", "parse_cdx", "read_body",
    "read_pause", "sampling", "shared_pacer", "surt", "timestamp_datetime",
]
