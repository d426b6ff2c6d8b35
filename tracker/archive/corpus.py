"""Reading a folder in the shared corpus layout (pages.csv + archive/<page_id>/cdx.json).

Used by the demo and the benchmarks to register the corpus pages as tracked documents.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CorpusPage:
    page_id: str
    provider: str
    document: str
    urls: tuple[str, ...]  # every address the page was captured under, oldest first

    def folder(self, corpus_dir: Path) -> Path:
        return Path(corpus_dir) / "archive" / self.page_id


def corpus_pages(corpus_dir: str | Path) -> list[CorpusPage]:
    root = Path(corpus_dir)
    pages = []
    with open(root / "pages.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows = json.loads((root / "archive" / row["page_id"] / "cdx.json").read_text("utf-8"))[1:]
            urls = tuple(dict.fromkeys(r[2] for r in rows))
            pages.append(CorpusPage(row["page_id"], row["provider"], row["document"], urls))
    return pages


def read_labels(page_dir: Path) -> dict[str, tuple[str, str]]:
    """labels.csv as {timestamp: (prev_timestamp, label)}."""
    with open(page_dir / "labels.csv", newline="", encoding="utf-8") as handle:
        return {r["timestamp"]: (r["prev_timestamp"], r["label"]) for r in csv.DictReader(handle)}
