"""Parallel derivation (`--jobs`, tracker.versions.parallel): whether it pays, on this machine.

    .venv/bin/python bench/parallel_derive.py [--corpus DIR] [--jobs 1,2,...] [--repeat N] [--json]

A whole backfill of the corpus (../shared/corpus, else tests/data/corpus) through the archive
server on loopback with pacing off, then `renormalize` of everything it derived, with
jobs=1 (one process, the baseline), 2, and the number of cores when there are more than 2.
Each run is a process of its own on SQLite, with the archive server in this process: its
wall time, and the CPU time of every process that derived (the run's own, which lists,
downloads, diffs and records, and its workers', which normalise), the fastest of `--repeat`
runs, interleaved so that every configuration meets the same load. The rows of every run are
compared with jobs=1's by natural keys (they must be identical).

What can move to the workers is normalising: its share of jobs=1's CPU (measured in the
same run) bounds the gain, 1 / (1 - share), reached only with a free core per process.
On the shared 2-core machine the other developers' jobs take cores too, so the wall-clock
ratio is between that bound and below 1 (the workers' start-up, about 0.5 s of CPU each,
and the pages' trip between processes, cost CPU that only a free core hides).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SHARED_CORPUS = REPO.parent / "shared" / "corpus"
TEST_CORPUS = REPO / "tests" / "data" / "corpus"
PHASES = ("backfill", "renormalize")


def child(corpus: Path, archive_url: str, jobs: int, workdir: Path) -> dict:
    """Runs in a process of its own: both phases with `jobs`; their figures, rows in files."""
    from pipeline import dump_rows, register_corpus

    import tracker.versions.derive as derive_module
    from tracker.backfill import backfill
    from tracker.normalize import clear_caches
    from tracker.store.db import open_database
    from tracker.store.documents import find_documents
    from tracker.store.rawstore import RawStore
    from tracker.versions import renormalize
    from tracker.wayback import Pacer, WaybackClient

    normalizing = [0.0]
    normalize_capture = derive_module._normalize_capture

    def timed(*args, **kwargs):
        start = time.thread_time()
        try:
            return normalize_capture(*args, **kwargs)
        finally:
            normalizing[0] += time.thread_time() - start
    derive_module._normalize_capture = timed

    url = f"sqlite:///{workdir / 'tracker.db'}"
    sessions, raw = open_database(url), RawStore(workdir / "snapshots")
    register_corpus(sessions, corpus)
    with sessions() as session:
        documents = find_documents(session)
    figures = {}
    with WaybackClient(archive_url, cdx_interval=0, capture_interval=0, pacer=Pacer()) as client:
        for phase in PHASES:
            clear_caches()  # each phase as a command of its own would start
            normalizing[0] = 0.0
            before, start = os.times(), time.perf_counter()
            if phase == "backfill":
                backfill(sessions, client, raw, documents, jobs=jobs)
            else:
                renormalize(sessions, raw, documents, jobs=jobs)
            after, wall = os.times(), time.perf_counter() - start
            rows = workdir / f"{phase}-rows.json"
            rows.write_text(json.dumps(dump_rows(url)))
            figures[phase] = {"wall_s": wall, "main_cpu_s": after.user + after.system - before.user - before.system,
                              "workers_cpu_s": (after.children_user + after.children_system
                                                - before.children_user - before.children_system),
                              "normalize_cpu_s": normalizing[0], "rows": str(rows)}
    return figures


def run(corpus: Path, archive_url: str, jobs: int, workdir: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", str(jobs), "--corpus", str(corpus),
                           "--archive", archive_url, "--workdir", str(workdir)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"jobs={jobs} failed: {(done.stderr.strip().splitlines() or ['killed'])[-1]}")
    return json.loads(done.stdout.splitlines()[-1])


def measure(corpus: Path, jobs: list[int], repeat: int = 1) -> dict:
    """Both phases per number of jobs, the fastest of `repeat` interleaved runs each."""
    from tracker.archive import ArchiveServer

    best: dict[int, dict] = {}
    differences: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp, ArchiveServer(corpus) as archive:
        reference: dict[str, dict] = {}
        for attempt in range(repeat):
            for count in jobs:
                workdir = Path(tmp) / f"{attempt}-{count}"
                workdir.mkdir()
                figures = run(corpus, archive.url, count, workdir)
                for phase, got in figures.items():
                    rows = json.loads(Path(got.pop("rows")).read_text())
                    if count == jobs[0] and attempt == 0:
                        reference[phase] = rows
                    elif rows != reference[phase]:
                        differences[f"{phase} jobs={count}"] = {
                            name: len(set(expected) ^ set(rows.get(name, [])))
                            for name, expected in reference[phase].items() if rows.get(name) != expected}
                    kept = best.setdefault(count, {}).get(phase)
                    if kept is None or got["wall_s"] < kept["wall_s"]:
                        best[count][phase] = got
    return {"corpus": str(corpus), "cores": os.cpu_count(), "repeat": repeat,
            "runs": {str(count): best[count] for count in jobs}, "differences": differences}


def default_jobs() -> list[int]:
    cores = os.cpu_count() or 1
    return [1, 2] + ([cores] if cores > 2 else [])


def report(figures: dict) -> list[str]:
    runs = figures["runs"]
    base = runs[next(iter(runs))]
    lines = [f"Parallel derivation over {figures['corpus']}, SQLite, each run a process of its own, "
             f"{figures['cores']} cores, fastest of {figures['repeat']}:",
             f"{'phase':<12}{'jobs':>5}{'wall s':>8}{'ratio':>7}{'CPU s all':>10}{'main':>7}{'workers':>8}"]
    for phase in PHASES:
        for count, got in runs.items():
            cpu = got[phase]["main_cpu_s"] + got[phase]["workers_cpu_s"]
            lines.append(f"{phase:<12}{count:>5}{got[phase]['wall_s']:>8.2f}"
                         f"{base[phase]['wall_s'] / got[phase]['wall_s']:>6.2f}x{cpu:>10.2f}"
                         f"{got[phase]['main_cpu_s']:>7.2f}{got[phase]['workers_cpu_s']:>8.2f}")
    for phase in PHASES:
        share = base[phase]["normalize_cpu_s"] / base[phase]["main_cpu_s"]
        lines.append(f"{phase}: normalising is {share:.0%} of jobs=1's CPU: at most {1 / (1 - share):.2f}x "
                     "with a free core per process")
    lines.append("rows of every run against jobs=1's: " + (
        "identical" if not figures["differences"] else f"DIFFERENT {figures['differences']}"))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--jobs", help="comma-separated, the first is the baseline (default 1,2[,cores])")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--archive", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    corpus = args.corpus or (SHARED_CORPUS if SHARED_CORPUS.is_dir() else TEST_CORPUS)
    if args.child:
        print(json.dumps(child(corpus, args.archive, args.child, args.workdir)))
        return 0
    jobs = [int(j) for j in args.jobs.split(",")] if args.jobs else default_jobs()
    figures = measure(corpus, jobs, args.repeat)
    print(json.dumps(figures, indent=1) if args.json else "\n".join(report(figures)))
    return 1 if figures["differences"] else 0


if __name__ == "__main__":
    sys.exit(main())
