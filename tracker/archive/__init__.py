"""The project's own Wayback-compatible archive: corpus folders served over HTTP on loopback
(CDX JSON/text with paging, `id_` captures, redirects, notices, Save Page Now 2), with
switchable faults; and a live site whose pages change over time, for live checks. They back
the demo, the tests and the benches; `tracker serve-archive` runs the archive.

Modules: `server` (the archive over HTTP), `index` (the CDX index and its queries), `saves`
(Save Page Now's jobs), `live` (the live site), `faults` (injected failures), `corpus`
(reading a folder in the corpus layout); `_http` is what both servers share.
"""

from tracker.archive._http import RequestRecord
from tracker.archive.corpus import CorpusPage, corpus_pages, read_labels
from tracker.archive.exceptions import CorpusError
from tracker.archive.faults import FAULT_KINDS, Fault, Faults
from tracker.archive.live import LiveSite, Published
from tracker.archive.server import ArchiveServer

__all__ = ["FAULT_KINDS", "ArchiveServer", "CorpusError", "CorpusPage", "Fault", "Faults", "LiveSite", "Published",
           "RequestRecord", "corpus_pages", "read_labels"]
