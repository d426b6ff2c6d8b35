"""Versions and changes from the raw store: each fetched capture normalised, in time order,
diffed against the latest version and recorded (no network).

`derive_versions` places a document's new captures; `rebuild` derives its whole history
again, keeping recorded changes' ids and dates; `renormalize` is that for many documents
after a normalizer upgrade. `place_capture` is one step, for callers that hold the blocks.
"""

from tracker.versions.derive import (
           DeriveStats,
           RebuildStats,
           derive_versions,
           place_capture,
           rebuild,
)
from tracker.versions.renormalize import RenormalizeStats, renormalize

__all__ = ["DeriveStats", "RebuildStats", "RenormalizeStats", "derive_versions", "place_capture", "rebuild",
           "renormalize"]
