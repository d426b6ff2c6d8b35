"""The read side: what the pipeline recorded, as people ask for it (no writes).

Modules: `history` (timelines, recorded changes, the version in force at a date, diffs
between any two versions), `search` (full-text search over clause text), `sql` (the
read-only console), `export` (datasets and Markdown files), `captures` (each capture and
what the tracker decided about it), `summary` (what a step means, in a few plain lines: the
summary digests and the web view's step page share).
"""

from tracker.read.exceptions import NoVersion, QueryError, ReadError, ReadOnlyQuery, SearchError
from tracker.read.history import (
    ChangeRow,
    VersionRow,
    by_section,
    diff_versions,
    recorded_changes,
    timeline,
    version_at,
)

__all__ = ["ChangeRow", "NoVersion", "QueryError", "ReadError", "ReadOnlyQuery", "SearchError", "VersionRow",
           "by_section", "diff_versions", "recorded_changes", "timeline", "version_at"]
