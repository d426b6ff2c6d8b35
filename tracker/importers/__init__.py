"""Importing the field's datasets into the same timelines as the archive's captures.

Each source (`files`, a Princeton-Leuven-layout repository: `citp`, an Open Terms Archive
versions repository: `ota`) yields `PendingRecord`s, read from git by `gitrepo` without a
checkout; `intake.store_records` keeps each as a capture-like row (state `fetched`, bytes
in the raw store, `capture.source` saying where it came from), and the ordinary derivation
(tracker.versions) orders every source into one timeline: records older than a document's
history rebuild it keeping change ids and dates, as a late archive capture does.
"""

from tracker.importers.citp import citp_records
from tracker.importers.exceptions import ImportFailed
from tracker.importers.files import file_records
from tracker.importers.gitrepo import Blobs, check_repository
from tracker.importers.intake import (
    ImportRecord,
    ImportStats,
    PendingRecord,
    derive_imported,
    keep_batch,
    queue_records,
    store_records,
)
from tracker.importers.ota import ota_records, record_kind

__all__ = [
    "Blobs", "ImportFailed", "ImportRecord", "ImportStats", "PendingRecord", "check_repository", "citp_records",
    "derive_imported", "file_records", "keep_batch", "ota_records", "queue_records", "record_kind", "store_records",
]
