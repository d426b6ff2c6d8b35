"""`tracker renormalize`: documents' histories rebuilt from the raw store after a normalizer
upgrade or an override edit, with no request to the archive. Changes recorded before keep
their id, date and flag; what only the re-derivation finds is technical, never mailed
(see tracker.versions.derive.rebuild)."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.store.models import Document
from tracker.store.rawstore import RawStore
from tracker.versions.derive import RebuildStats, rebuild


@dataclass
class RenormalizeStats:
    document: str
    rebuilt: RebuildStats

    def line(self) -> str:
        r = self.rebuilt
        return (f"{self.document}: versions {r.versions_before} -> {r.versions_after}, "
                f"changes kept {r.changes_kept}, new technical {r.changes_new}, "
                f"gone {r.changes_gone}, invalid captures {r.invalid}")


def renormalize(sessions, raw: RawStore, documents: list[Document]) -> list[RenormalizeStats]:
    return [
        RenormalizeStats(f"{document.provider.name} / {document.name}",
                         rebuild(sessions, raw, document.id, technical=True))
        for document in documents
    ]
