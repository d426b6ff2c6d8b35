"""Versions and changes from the raw store: each fetched capture normalised, in time order,
diffed against the latest version and recorded (no network).

`derive_versions` places a document's new captures; `rebuild` derives its whole history
again, keeping recorded changes' ids and dates (`rebuild_in`: in the caller's transaction); `renormalize` is that for many documents
after a normalizer upgrade. `place_capture` is one step, for callers that hold the blocks.
`Prefetch` normalises planned documents ahead in worker processes (`--jobs`), with rows
identical to one process's (tracker.versions.parallel).
"""

from tracker.versions.derive import (
           DeriveStats,
           RebuildStats,
           derive_plan,
           derive_versions,
           place_capture,
           rebuild,
           rebuild_in,
           rebuild_plan,
)
from tracker.versions.parallel import Prefetch
from tracker.versions.renormalize import RenormalizeStats, renormalize

__all__ = ["DeriveStats", "Prefetch", "RebuildStats", "RenormalizeStats", "derive_plan", "derive_versions",
           "place_capture", "rebuild", "rebuild_in", "rebuild_plan", "renormalize"]
