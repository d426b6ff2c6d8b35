"""The project's own Wayback-compatible archive: corpus folders served over HTTP on loopback
(CDX JSON/text with paging, `id_` captures, redirects, notices), with switchable faults.
It backs the demo, the tests and the benches; `tracker serve-archive` runs it.

Modules: `server` (HTTP), `index` (the CDX index and its queries), `faults` (injected
failures), `corpus` (reading a folder in the corpus layout).
"""

from tracker.archive.corpus import CorpusPage, corpus_pages, read_labels
from tracker.archive.exceptions import CorpusError
from tracker.archive.faults import FAULT_KINDS, Fault, Faults
from tracker.archive.server import ArchiveServer, RequestRecord

__all__ = ["FAULT_KINDS", "ArchiveServer", "CorpusError", "CorpusPage", "Fault", "Faults", "RequestRecord",
           "corpus_pages", "read_labels"]
