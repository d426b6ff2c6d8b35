"""The store: the database (models, migrations, sessions), the raw capture store, the
catalogue of tracked documents, per-document page rules, and the writes and reads of a
document's history. The database is the product's interface (docs/schema.md).

Modules: `models` (tables), `db` (engines, migrations, read-only access), `rawstore`
(captured bytes), `documents` (providers, documents, URLs), `overrides` and `ota` (stored
page rules), `record` (writing versions and changes), `clauses` (reading them back),
`evidence` (the archive's captures Save Page Now made of live-found versions).
"""

from tracker.store.clauses import (
    ClauseChangeRecord,
    StoredClause,
    clause_change_records,
    latest_version,
    version_clauses,
)
from tracker.store.db import make_engine, open_database, read_only_connection
from tracker.store.documents import add_document, find_documents
from tracker.store.evidence import Evidence, version_evidence
from tracker.store.exceptions import (
    DatabaseError,
    InvalidName,
    InvalidSource,
    OtaError,
    RawStoreError,
    StoreError,
    UnknownOverride,
    UnknownProvider,
)
from tracker.store.models import CaptureState
from tracker.store.rawstore import RawStore

__all__ = [
    "CaptureState", "ClauseChangeRecord", "DatabaseError", "Evidence", "InvalidName", "InvalidSource", "OtaError",
    "RawStore", "RawStoreError", "StoreError", "StoredClause", "UnknownOverride", "UnknownProvider", "add_document",
    "clause_change_records", "find_documents", "latest_version", "make_engine", "open_database",
    "read_only_connection", "version_clauses", "version_evidence",
]
