"""CPU cost per capture of the whole pipeline, stage by stage, on SQLite and PostgreSQL.

    .venv/bin/python bench/pipeline.py [--corpus DIR] [--dump FILE] [--compare FILE]
        [--before FILE] [--repeat N] [--no-baselines] [--no-extraction] [--no-parallel] [--no-memory] [--json]
    scripts/with-postgres .venv/bin/python bench/pipeline.py ...   (adds the PostgreSQL half)

1. A backfill of every page of the corpus (../shared/corpus, else tests/data/corpus) through
   the project's archive server on loopback with pacing off, into a fresh database and raw
   store, once per backend (PostgreSQL when TRACKER_TEST_POSTGRES_URL is set). CPU time of
   the tracker's thread (`time.thread_time`: not wall time, which the shared 2-core machine
   makes noisy; not the archive server's thread, nor the PostgreSQL server's processes) is
   split by stage: list (CDX listing and pending rows), download, raw store, normalize,
   diff (alignment, categories, effective date), record (every database read and write of
   the derivation, commits included). `--repeat N`: N backfills per backend, SQLite and
   PostgreSQL in turn, the one with the least CPU shown. `--before FILE`: ratios against the
   `--json` output of an earlier run (e.g. of main's code).
2. The normalizer's pages per second against trafilatura's (the `bench` extra) on the
   same pages -- every distinct capture of the corpus, in corpus order as a backfill meets
   them -- in the same run, CPU time, one pass each. The normalizer's per-text caches are
   emptied before its pass (and before each backfill above): it gains from what a page's
   earlier captures repeat within the pass, never from an earlier pass.
3. Parallel derivation (`--jobs`): a whole backfill and a renormalize of the corpus with
   jobs=1, 2 (and the number of cores when more), each run a process of its own, wall and
   CPU time of all processes, ratios against jobs=1 in the same run, rows compared with
   jobs=1's (bench/parallel_derive.py, which says what the figures mean on 2 cores and
   more; `--no-parallel` skips it).
4. Peak memory (max RSS) of a whole backfill, in a process of its own, of a page of 200,000
   short paragraphs (and a second capture of it with a few paragraphs changed). Goal < 300 MB.
   Also with --jobs 2: the recording process's peak and its worker's.

Identity: `--dump FILE` writes every row of the SQLite run by natural keys (ids replaced by
the rows they point to, wall-clock columns left out, as tests/backfill/test_resume.py compares);
`--compare FILE` checks this run's rows against such a file, e.g. one made from main.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # natural_rows: the dump the tests compare

import parallel_derive
import sqlalchemy as sa
from natural_rows import dump as dump_rows

import tracker.backfill as backfill_module
import tracker.diff as diff_module
import tracker.versions.derive as derive_module
from tracker.archive import ArchiveServer, corpus_pages
from tracker.normalize import clear_caches as forget_normalized
from tracker.normalize import normalize
from tracker.store.db import open_database
from tracker.store.documents import add_document, find_documents
from tracker.store.models import Capture, CaptureState, Version
from tracker.store.rawstore import RawStore, sha1_base32
from tracker.wayback import Pacer, WaybackClient

SHARED_CORPUS = REPO.parent / "shared" / "corpus"
TEST_CORPUS = REPO / "tests" / "data" / "corpus"
POSTGRES_ENV = "TRACKER_TEST_POSTGRES_URL"
STAGES = ("list", "download", "raw store", "normalize", "diff", "record")
GOAL_MS, GOAL_PAGES_RATIO, GOAL_POSTGRES_RATIO, GOAL_PEAK_MB = 30, 5, 1.3, 300
PARAGRAPHS = 200_000


# ---- 1. stage costs ------------------------------------------------------------------------

class StageClock:
    """CPU time of this thread by stage; a stage's time excludes the stages nested in it."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._stack: list[list] = []

    def wrap(self, stage: str, function):
        def timed(*args, **kwargs):
            frame = [stage, time.thread_time(), 0.0]  # stage, start, nested time
            self._stack.append(frame)
            try:
                return function(*args, **kwargs)
            finally:
                self._stack.pop()
                spent = time.thread_time() - frame[1]
                self.seconds[stage] += spent - frame[2]
                if self._stack:
                    self._stack[-1][2] += spent
        return timed


def instrument(clock: StageClock) -> None:
    """Route the pipeline's stage functions through the clock (the bench's process only)."""
    for name, stage in (("list_captures", "list"), ("download_captures", "download"),
                        ("derive_versions", "record")):
        setattr(backfill_module, name, clock.wrap(stage, getattr(backfill_module, name)))
    RawStore.put = clock.wrap("raw store", RawStore.put)
    derive_module._normalize_capture = clock.wrap("normalize", derive_module._normalize_capture)
    for name in ("diff_clauses", "clause_categories", "find_effective_date"):
        setattr(diff_module, name, clock.wrap("diff", getattr(diff_module, name)))


def register_corpus(sessions, corpus: Path) -> None:
    """Every page of the corpus tracked, each of its URLs a document."""
    with sessions.begin() as session:
        for page in corpus_pages(corpus):
            for page_url in page.urls:
                add_document(session, page_url, page.provider, page.document)


def run_backfill(url: str, corpus: Path, workdir: Path, clock: StageClock, jobs: int = 1) -> dict:
    diff_module.clear_caches()  # a repeated run must not find its texts' results cached
    forget_normalized()
    sessions = open_database(url)
    register_corpus(sessions, corpus)
    clock.seconds.clear()
    with ArchiveServer(corpus) as archive, \
            WaybackClient(archive.url, cdx_interval=0, capture_interval=0, pacer=Pacer()) as client:
        with sessions() as session:
            documents = find_documents(session)
        start = time.perf_counter()
        backfill_module.backfill(sessions, client, RawStore(workdir / "snapshots"), documents, jobs=jobs)
        wall = time.perf_counter() - start
    with sessions() as session:
        captures = session.scalar(sa.select(sa.func.count(Capture.id)).where(Capture.state == CaptureState.FETCHED))
        versions = session.scalar(sa.select(sa.func.count(Version.id)))
    sessions.kw["bind"].dispose()
    ms = {stage: 1000 * clock.seconds[stage] / captures for stage in STAGES}
    return {"documents": len(documents), "captures": captures, "versions": versions,
            "ms_per_capture": ms, "total_ms_per_capture": sum(ms.values()), "wall_s": wall}


def keep_fastest(figures: dict, backend: str, run: dict) -> None:
    """Of repeated runs, the one with the least CPU in total (the others met more load)."""
    run["runs"] = figures.get(backend, {}).get("runs", 0) + 1
    if backend not in figures or run["total_ms_per_capture"] < figures[backend]["total_ms_per_capture"]:
        figures[backend] = run
    figures[backend]["runs"] = run["runs"]


def postgres_database(admin_url: str):
    """A fresh database on the server of `admin_url`, and a function that drops it."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"bench_{uuid.uuid4().hex}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return admin.url.set(database=name).render_as_string(hide_password=False), drop


def compare_rows(expected: dict, got: dict) -> dict:
    return {name: {"missing": len(set(rows) - set(got.get(name, []))),
                   "extra": len(set(got.get(name, [])) - set(rows))}
            for name, rows in expected.items() if got.get(name) != rows}


# ---- 2. normalizer vs trafilatura ----------------------------------------------------------

def distinct_pages(corpus: Path) -> list[bytes]:
    bodies = {}
    for page in corpus_pages(corpus):
        for path in sorted(page.folder(corpus).glob("*.html")):
            body = path.read_bytes()
            bodies.setdefault(hash(body), body)
    return list(bodies.values())


def pages_per_second(extract, bodies: list[bytes]) -> float:
    """In one pass, as a backfill meets them; the normalizer's caches of texts seen in earlier
    pages are emptied first, so that nothing is left from an earlier pass."""
    forget_normalized()
    start = time.thread_time()
    for body in bodies:
        try:
            extract(body)
        except Exception:  # noqa: BLE001 - a page an extractor refuses still took its time
            pass
    return len(bodies) / (time.thread_time() - start)


def extraction_speed(corpus: Path, baselines: bool) -> dict:
    bodies = distinct_pages(corpus)
    figures = {"pages": len(bodies), "normalize_pages_s": pages_per_second(normalize, bodies)}
    try:
        import trafilatura
    except ImportError:
        figures["trafilatura"] = "not installed (pip install -e '.[bench]'), skipped"
        return figures
    if baselines:
        figures["trafilatura_pages_s"] = pages_per_second(
            lambda body: trafilatura.extract(body, output_format="markdown", favor_recall=True), bodies)
        figures["ratio"] = figures["normalize_pages_s"] / figures["trafilatura_pages_s"]
    return figures


# ---- 3. peak memory of a backfill of a huge page -------------------------------------------

def huge_corpus(root: Path) -> Path:
    url = "https://huge.example/privacy"
    folder = root / "archive" / "huge--privacy"
    folder.mkdir(parents=True)
    cdx = [["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]]
    for n, stamp in enumerate(("20200101000000", "20210101000000")):
        paragraphs = "".join(f"<p>Clause {i} of the policy{' (revised)' if n and i % 20_000 == 7 else ''}.</p>"
                             for i in range(PARAGRAPHS))
        body = f"<html><body><h1>Privacy Policy</h1>{paragraphs}</body></html>".encode()
        (folder / f"{stamp}.html").write_bytes(body)
        cdx.append(["example,huge)/privacy", stamp, url, "text/html", "200", sha1_base32(body), str(len(body))])
    (folder / "cdx.json").write_text(json.dumps(cdx))
    (root / "pages.csv").write_text("page_id,provider,document,url\nhuge--privacy,Huge,Privacy Policy," + url + "\n")
    return root


def memory_child(corpus: Path, jobs: int) -> None:
    """Runs in a process of its own: a whole backfill of the huge page; prints its figures
    (with workers, also the largest worker's peak: they are waited for when the pool stops)."""
    with tempfile.TemporaryDirectory() as tmp:
        figures = run_backfill(f"sqlite:///{tmp}/huge.db", corpus, Path(tmp), StageClock(), jobs)
    print(json.dumps({"versions": figures["versions"],
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def peak_memory(jobs: int = 1) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = huge_corpus(Path(tmp) / "corpus")
        done = subprocess.run([sys.executable, __file__, "--memory-child", str(corpus), "--memory-jobs", str(jobs)],
                              capture_output=True, text=True)
    if done.returncode:
        return {"paragraphs": PARAGRAPHS, "error": (done.stderr.strip().splitlines() or ["killed"])[-1]}
    return {"paragraphs": PARAGRAPHS, **json.loads(done.stdout.splitlines()[-1])}


# ---- report --------------------------------------------------------------------------------

def print_report(figures: dict, before: dict | None) -> None:
    runs = [(name, figures[name]) for name in ("sqlite", "postgresql") if name in figures]
    print(f"Pipeline cost over {figures['corpus']} ({runs[0][1]['documents']} documents, "
          f"{runs[0][1]['captures']} fetched captures, {runs[0][1]['versions']} versions); "
          "CPU ms per capture of the tracker's thread")
    header = f"{'stage':<12}" + "".join(f"{name:>12}" + (f"{'before':>9}{'ratio':>7}" if before else "")
                                         for name, _ in runs)
    print(header)
    for stage in (*STAGES, "total"):
        line = f"{stage:<12}"
        for name, run in runs:
            now = run["total_ms_per_capture"] if stage == "total" else run["ms_per_capture"][stage]
            line += f"{now:>12.1f}"
            if before and name in before:
                old = before[name]["total_ms_per_capture"] if stage == "total" else before[name]["ms_per_capture"][stage]
                line += f"{old:>9.1f}{old / now if now else 0:>6.1f}x"
        print(line)
    sqlite_total = figures["sqlite"]["total_ms_per_capture"]
    print(f"goal: <= {GOAL_MS} ms per capture on SQLite: {'met' if sqlite_total <= GOAL_MS else 'NOT met'}")
    if "postgresql" in figures:
        ratio = figures["postgresql"]["total_ms_per_capture"] / sqlite_total
        ok = "met" if ratio <= GOAL_POSTGRES_RATIO else "NOT met"
        print(f"PostgreSQL / SQLite: {ratio:.2f} (goal <= {GOAL_POSTGRES_RATIO}: {ok})")
    else:
        print(f"PostgreSQL: skipped ({POSTGRES_ENV} not set; run through scripts/with-postgres)")
    speed = figures.get("extraction")
    if speed:
        line = f"normalize: {speed['normalize_pages_s']:.1f} pages/s (CPU) over {speed['pages']} distinct pages"
        if "ratio" in speed:
            ok = "met" if speed["ratio"] >= GOAL_PAGES_RATIO else "NOT met"
            line += (f"; trafilatura {speed['trafilatura_pages_s']:.1f} pages/s; {speed['ratio']:.1f}x"
                     f" (goal >= {GOAL_PAGES_RATIO}x: {ok})")
        print(line + (f"; trafilatura {speed['trafilatura']}" if "trafilatura" in speed else ""))
    if "parallel" in figures:
        print("\n".join(parallel_derive.report(figures["parallel"])))
    if "error" in figures.get("memory", {}):
        print(f"peak memory: the backfill of the huge page failed: {figures['memory']['error']}")
    elif "memory" in figures:
        peak = figures["memory"]["peak_mb"]
        print(f"peak memory of a backfill of a {PARAGRAPHS:,}-paragraph page: {peak:.0f} MB "
              f"(goal < {GOAL_PEAK_MB} MB: {'met' if peak < GOAL_PEAK_MB else 'NOT met'})")
    two = figures.get("memory_jobs_2", {})
    if "peak_mb" in two:
        ok = "met" if two["peak_mb"] < GOAL_PEAK_MB else "NOT met"
        print(f"the same with --jobs 2: {two['peak_mb']:.0f} MB (goal: {ok}), its worker {two['worker_peak_mb']:.0f} MB")
    elif two:
        print(f"peak memory with --jobs 2: the backfill of the huge page failed: {two['error']}")
    if "identical_to" in figures:
        diff = figures["differences"]
        print(f"rows compared with {figures['identical_to']}: " + ("identical" if not diff else f"DIFFERENT {diff}"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--dump", type=Path, help="write the SQLite run's rows by natural keys")
    parser.add_argument("--compare", type=Path, help="compare the SQLite run's rows with a --dump file")
    parser.add_argument("--before", type=Path, help="--json output of an earlier run, for ratios")
    parser.add_argument("--repeat", type=int, default=1, help="backfills per backend; the fastest is shown")
    parser.add_argument("--no-baselines", action="store_true", help="skip trafilatura")
    parser.add_argument("--no-extraction", action="store_true", help="skip pages/s")
    parser.add_argument("--no-memory", action="store_true", help="skip the huge page")
    parser.add_argument("--no-parallel", action="store_true", help="skip normalising in a process pool")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--memory-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--memory-jobs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.memory_jobs)
        return 0
    corpus = args.corpus or (SHARED_CORPUS if SHARED_CORPUS.is_dir() else TEST_CORPUS)
    if not args.corpus and corpus == TEST_CORPUS:
        print(f"{SHARED_CORPUS} not present: measuring tests/data/corpus instead", file=sys.stderr)
    clock = StageClock()
    instrument(clock)
    figures: dict = {"corpus": str(corpus)}
    with tempfile.TemporaryDirectory() as tmp:
        for attempt in range(args.repeat):  # SQLite and PostgreSQL in turn: both meet the same load
            work = Path(tmp) / str(attempt)
            url = f"sqlite:///{work}.db"
            keep_fastest(figures, "sqlite", run_backfill(url, corpus, work / "sqlite", clock))
            if attempt == 0:
                rows = dump_rows(url)
                if args.dump:
                    args.dump.write_text(json.dumps(rows))
                if args.compare:
                    figures["identical_to"] = str(args.compare)
                    figures["differences"] = compare_rows(json.loads(args.compare.read_text()), rows)
            if os.environ.get(POSTGRES_ENV):
                pg_url, drop = postgres_database(os.environ[POSTGRES_ENV])
                try:
                    keep_fastest(figures, "postgresql", run_backfill(pg_url, corpus, work / "postgresql", clock))
                finally:
                    drop()
    if not args.no_extraction:
        figures["extraction"] = extraction_speed(corpus, not args.no_baselines)
    if not args.no_parallel:
        figures["parallel"] = parallel_derive.measure(corpus, parallel_derive.default_jobs())
    if not args.no_memory:
        figures["memory"] = peak_memory()
        figures["memory_jobs_2"] = peak_memory(jobs=2)
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        print_report(figures, json.loads(args.before.read_text()) if args.before else None)
    return 1 if figures.get("differences") or figures.get("parallel", {}).get("differences") else 0


if __name__ == "__main__":
    sys.exit(main())
