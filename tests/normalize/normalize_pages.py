"""What the normalizer tests share: the corpus pages they read, small policy pages built
from strings, and bench/extraction.py (recall is measured exactly as the bench measures it)."""

import csv
import importlib.util
from functools import cache
from pathlib import Path

from corpora import REPO, SAMPLE_CORPUS, SHARED_CORPUS, TEST_CORPUS

from tracker.normalize import Page, normalize

SAMPLE = SAMPLE_CORPUS / "archive"
LOCAL = TEST_CORPUS / "archive"
SHARED = SHARED_CORPUS
VOIP = SAMPLE / "seed--voip.com--privacy-policy"
LEX = LOCAL / "dating--lex--privacy-policy"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_extraction", REPO / "bench" / "extraction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = load_bench()


@cache
def capture(page: Path, stamp: str) -> Page:
    return normalize((page / f"{stamp}.html").read_bytes())


def labels(page: Path) -> list[dict]:
    with (page / "labels.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def html(body: str, head: str = "") -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def policy(*paragraphs: str) -> str:
    """Enough policy prose that a test page is not near-empty."""
    filler = "We collect your name and email address to provide the service and answer your requests."
    return "".join(f"<p>{p}</p>" for p in paragraphs) + f"<p>{filler}</p>" * 6


def texts(doc: Page, kind: str | None = None) -> list[str]:
    return [b.text for b in doc.blocks if kind is None or b.kind == kind]
