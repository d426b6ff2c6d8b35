"""Importing the field's datasets into the same timelines as the archive's captures.

Each source (files, a Princeton-Leuven-layout repository, an Open Terms Archive versions
repository) yields `ImportRecord`s; `intake.store_records` keeps each as a capture-like row
(state `fetched`, bytes in the raw store, `capture.source` saying where it came from), and
the ordinary derivation (tracker.derive) orders every source into one timeline: records
older than a document's history rebuild it keeping change ids and dates, as a late archive
capture does.
"""


class ImportFailed(Exception):
    """A record or source cannot be imported (no date, no provider, not a repository)."""
