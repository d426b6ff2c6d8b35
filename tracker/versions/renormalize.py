"""`tracker renormalize`: documents' histories rebuilt from the raw store after a normalizer
upgrade or an override edit, with no request to the archive. Changes recorded before keep
their id, date and flag; what only the re-derivation finds is technical, never mailed
(see tracker.versions.derive.rebuild). With `jobs` > 1 the next documents are normalised
ahead in worker processes while one is rebuilt (tracker.versions.parallel)."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.store.models import Document
from tracker.store.rawstore import RawStore
from tracker.versions.derive import RebuildStats, rebuild, rebuild_plan
from tracker.versions.parallel import Prefetch


@dataclass
class RenormalizeStats:
    document: str
    rebuilt: RebuildStats

    def line(self) -> str:
        r = self.rebuilt
        return (f"{self.document}: versions {r.versions_before} -> {r.versions_after}, "
                f"changes kept {r.changes_kept}, new technical {r.changes_new}, "
                f"gone {r.changes_gone}, invalid captures {r.invalid}")


def renormalize(sessions, raw: RawStore, documents: list[Document], *, jobs: int = 1) -> list[RenormalizeStats]:
    results = []
    with Prefetch(raw, jobs) as pages:
        for index, document in enumerate(documents):
            # this document and the next `jobs`: the workers send their pages in this order
            for ahead in documents[index:index + 1 + jobs] if pages.active else ():
                if not pages.planned(ahead.id):
                    with sessions() as session:
                        pages.plan(rebuild_plan(session, raw, ahead.id))
            rebuilt = rebuild(sessions, raw, document.id, technical=True, pages=pages if pages.active else None)
            pages.forget(document.id)
            results.append(RenormalizeStats(f"{document.provider.name} / {document.name}", rebuilt))
    return results
