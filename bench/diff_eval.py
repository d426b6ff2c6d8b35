"""The clause-level change engine over every consecutive version pair of a corpus.

    .venv/bin/python bench/diff_eval.py [--corpus DIR ...] [--json]

Default corpus: ../shared/corpus when present, else the in-repo copies. Each capture is
normalised (invalid captures skipped); consecutive captures with the same clause sequence are
one version, so the pairs are the consecutive distinct versions of each page. Printed: counts
per change kind, material vs cosmetic, flags and categories; time per pair (median, worst)
of ``diff_clauses`` (alignment, redlines, flags, categories), and the whole history of the
largest page (most clauses). Each pair is timed twice over, fastest of REPEATS runs: "cold"
empties every per-text cache (tokens, flags, categories; tracker.diff._align.clear_caches) before
each run, as for a pair none of whose texts was seen before; "in history order" empties
them only before a page's first pair and diffs its pairs in order, as ``tracker history``
does and as the tracker does when it diffs each new capture against the version before.
The baseline, measured in the same run on the same pairs, is plain difflib over the clause
texts (what a line-based diff of the normalised text gives: no moves, no pairing, no
redlines). Goals: median <= 5 ms, worst <= 100 ms, history < 1 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tracker.archive import corpus_pages
from tracker.diff import KINDS, clear_caches, diff_clauses
from tracker.normalize import (
    normalize,
    sequence_hash,
)

SHARED = REPO.parent / "shared" / "corpus"
LOCAL = [REPO / "tests" / "data" / "corpus", REPO / "tracker" / "sample" / "corpus"]
REPEATS = 3  # each pair is timed this many times; the fastest run counts


def page_versions(corpus: Path) -> dict[str, list]:
    """page id -> its distinct consecutive clause sequences, oldest first."""
    pages = {}
    for page in corpus_pages(corpus):
        versions, last = [], None
        for path in sorted(page.folder(corpus).glob("*.html")):
            document = normalize(path.read_bytes())
            if document.invalid_reason or not document.blocks:
                continue
            key = sequence_hash(document.blocks)
            if key != last:
                versions.append(document.blocks)
                last = key
        pages[page.page_id] = versions
    return pages


def best_time(function, *args) -> tuple[float, object]:
    times, result = [], None
    for _ in range(REPEATS):
        clear_caches()
        started = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - started)
    return min(times), result


def in_order_times(versions: list) -> list[float]:
    """Seconds per consecutive pair when the page's pairs are diffed in order, caches emptied
    before the first pair only; the fastest of REPEATS passes over the page."""
    best = [float("inf")] * (len(versions) - 1)
    for _ in range(REPEATS):
        clear_caches()
        for k, (old, new) in enumerate(zip(versions, versions[1:])):
            started = time.perf_counter()
            diff_clauses(old, new)
            best[k] = min(best[k], time.perf_counter() - started)
    return best


def baseline(old, new):
    return SequenceMatcher(None, [b.text for b in old], [b.text for b in new], autojunk=False).get_opcodes()


def evaluate(corpus_dirs: list[Path]) -> dict:
    pages = {}
    for corpus in corpus_dirs:
        pages.update(page_versions(corpus))
    kinds, flags, categories = Counter(), Counter(), Counter()
    engine_ms, baseline_ms, in_order_ms = [], [], []
    for versions in pages.values():
        in_order_ms += [seconds * 1000 for seconds in in_order_times(versions)]
        for old, new in zip(versions, versions[1:]):
            seconds, changes = best_time(diff_clauses, old, new)
            engine_ms.append(seconds * 1000)
            baseline_ms.append(best_time(baseline, old, new)[0] * 1000)
            for change in changes:
                kinds[change.kind] += 1
                if change.kind != "unchanged":
                    kinds["cosmetic" if change.cosmetic else "material"] += 1
                    flags.update(change.flags)
                    categories.update(change.categories)
    largest = max(pages, key=lambda p: max((len(v) for v in pages[p]), default=0))
    history = pages[largest]
    clear_caches()
    started = time.perf_counter()
    for old, new in zip(history, history[1:]):
        diff_clauses(old, new)
    history_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for old, new in zip(history, history[1:]):
        baseline(old, new)
    history_baseline = time.perf_counter() - started
    return {
        "pages": len(pages),
        "pairs": len(engine_ms),
        "kinds": {k: kinds[k] for k in (*KINDS, "material", "cosmetic")},
        "flags": dict(flags.most_common()),
        "categories": dict(categories.most_common()),
        "median_ms": statistics.median(engine_ms) if engine_ms else 0.0,
        "worst_ms": max(engine_ms, default=0.0),
        "in_order_median_ms": statistics.median(in_order_ms) if in_order_ms else 0.0,
        "in_order_worst_ms": max(in_order_ms, default=0.0),
        "baseline_median_ms": statistics.median(baseline_ms) if baseline_ms else 0.0,
        "baseline_worst_ms": max(baseline_ms, default=0.0),
        "largest_page": largest,
        "largest_page_versions": len(history),
        "largest_page_clauses": max((len(v) for v in history), default=0),
        "history_seconds": history_seconds,
        "history_baseline_seconds": history_baseline,
    }


def table(r: dict) -> str:
    def ratio(a: float, b: float) -> str:
        return f"{a / b:6.1f}x" if b else "     -"

    lines = [f"{r['pairs']} consecutive version pairs over {r['pages']} pages", "", "change kinds:"]
    lines += [f"  {kind:<10} {count:>6}" for kind, count in r["kinds"].items()]
    lines += ["", "flags:"] + [f"  {k:<20} {v:>6}" for k, v in r["flags"].items()]
    lines += ["", "categories:"] + [f"  {k:<34} {v:>6}" for k, v in r["categories"].items()]
    lines += [
        "",
        f"{'time per pair':<28} {'engine':>10} {'difflib':>10} {'ratio':>8}   goal",
        f"{'  median, cold':<28} {r['median_ms']:>8.2f}ms {r['baseline_median_ms']:>8.2f}ms "
        f"{ratio(r['median_ms'], r['baseline_median_ms']):>8}   <= 5 ms",
        f"{'  worst, cold':<28} {r['worst_ms']:>8.2f}ms {r['baseline_worst_ms']:>8.2f}ms "
        f"{ratio(r['worst_ms'], r['baseline_worst_ms']):>8}   <= 100 ms",
        f"{'  median, in history order':<28} {r['in_order_median_ms']:>8.2f}ms {'':>10} {'':>8}   <= 5 ms",
        f"{'  worst, in history order':<28} {r['in_order_worst_ms']:>8.2f}ms {'':>10} {'':>8}   <= 100 ms",
        f"{'  history of largest page':<28} {r['history_seconds'] * 1000:>8.1f}ms "
        f"{r['history_baseline_seconds'] * 1000:>8.1f}ms "
        f"{ratio(r['history_seconds'], r['history_baseline_seconds']):>8}   < 1 s",
        f"    ({r['largest_page']}: {r['largest_page_versions']} versions, up to "
        f"{r['largest_page_clauses']} clauses)",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", type=Path, help="corpus folder (repeatable)")
    parser.add_argument("--json", action="store_true", help="print one JSON object of the figures")
    args = parser.parse_args()
    corpus_dirs = args.corpus or ([SHARED] if SHARED.is_dir() else LOCAL)
    result = evaluate(corpus_dirs)
    print(json.dumps(result) if args.json else table(result))


if __name__ == "__main__":
    main()
