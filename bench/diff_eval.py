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

The hard pair stands for the worst pair met on pages outside the corpus (1,006 against 727
clauses, a long policy against a heavily rewritten and reordered one), built from the corpus
text so that it is the same in every run (``hard_pair``): the old side is the first
``HARD_SIZE`` distinct clauses of four words or more of the corpus's pages (each page's latest
version, pages in order of their ids); the new side takes it in runs of eight clauses, moves a
third of the runs elsewhere, drops 30 % of the clauses, rewrites 32 % (a third of the words
replaced by words of other corpus clauses, a clause of other text appended, one half cut, or
the middle third replaced), splits 4 % in two (the second half rewritten), joins 4 % to the
clause before, and inserts a clause of other text after 6 %. It is timed cold, like the pairs.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from difflib import SequenceMatcher
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tracker.archive import corpus_pages
from tracker.diff import KINDS, clear_caches, diff_clauses
from tracker.diff.words import words
from tracker.normalize import (
    normalize,
    sequence_hash,
)

SHARED = REPO.parent / "shared" / "corpus"
LOCAL = [REPO / "tests" / "data" / "corpus", REPO / "tracker" / "sample" / "corpus"]
REPEATS = 3  # each pair is timed this many times; the fastest run counts
HARD_SIZE = 1006  # clauses of the hard pair's old side


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


def hard_pair(pages: dict[str, list]) -> tuple[list, list]:
    """The synthetic hard pair (see the module's docstring); words joined by single spaces."""
    seen, source = set(), []
    for page_id in sorted(pages):
        for block in pages[page_id][-1] if pages[page_id] else ():
            if block.text not in seen and len(words(block.text)) >= 4:
                seen.add(block.text)
                source.append(block)
    old, spare = source[:HARD_SIZE], source[HARD_SIZE:] or source
    rng = random.Random(727)

    def other() -> list[str]:
        return list(words(rng.choice(spare).text))

    def rewrite(block):
        kept = list(words(block.text))
        n, how = len(kept), rng.randrange(4)
        if how == 0:
            for k in rng.sample(range(n), n // 3):
                kept[k] = rng.choice(other())
        elif how == 1:
            kept += other()
        elif how == 2:
            kept = kept[: n // 2] if rng.random() < 0.5 else kept[n // 2:]
        else:
            kept[n // 3: 2 * n // 3] = other()[: n // 3 + 1]
        return replace(block, text=" ".join(kept))

    runs = [old[k:k + 8] for k in range(0, len(old), 8)]
    for _ in range(len(runs) // 3):
        runs.insert(rng.randrange(len(runs)), runs.pop(rng.randrange(len(runs))))
    new: list = []
    for block in (b for run in runs for b in run):
        draw = rng.random()
        if draw < 0.30:
            continue
        if draw < 0.62:
            block = rewrite(block)
        elif draw < 0.66 and len(words(block.text)) >= 8:
            cut = len(words(block.text)) // 2
            new.append(replace(block, text=" ".join(words(block.text)[:cut])))
            block = rewrite(replace(block, text=" ".join(words(block.text)[cut:])))
        elif draw < 0.70 and new:
            new[-1] = replace(new[-1], text=new[-1].text + " " + block.text)
            continue
        new.append(block)
        if rng.random() < 0.06:
            new.append(rng.choice(spare))
    return old, new


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
    hard_old, hard_new = hard_pair(pages)
    hard_seconds = best_time(diff_clauses, hard_old, hard_new)[0]
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
        "hard_pair_clauses": [len(hard_old), len(hard_new)],
        "hard_pair_ms": hard_seconds * 1000,
        "hard_pair_baseline_ms": best_time(baseline, hard_old, hard_new)[0] * 1000,
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
        f"{'  hard pair, cold':<28} {r['hard_pair_ms']:>8.2f}ms {r['hard_pair_baseline_ms']:>8.2f}ms "
        f"{ratio(r['hard_pair_ms'], r['hard_pair_baseline_ms']):>8}   <= 100 ms",
        "    ({} against {} clauses, built from the corpus: see the docstring)".format(*r["hard_pair_clauses"]),
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
