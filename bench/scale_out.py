"""Scaling out: throughput of 1, 2 and 4 `tracker worker` processes against one process.

    scripts/with-postgres .venv/bin/python bench/scale_out.py [--workers 1,2,4]
        [--synthetic-workers 1,2] [--documents 10000] [--captures 2] [--no-corpus] [--json]

Every run is on a fresh PostgreSQL database (TRACKER_TEST_POSTGRES_URL, which
scripts/with-postgres sets). Stores and steps, each run by one process, then queued for N
workers (started and registered before the jobs are queued, so their start is not counted;
the producer's time is):

- the corpus (the sample and test corpora, and ../shared/corpus when present), through the
  archive server on loopback with pacing off (`--workers`):
  1. backfill: `tracker backfill`, then `tracker backfill --queue` (a fresh database each);
  2. renormalize (CPU-bound: no network, every capture normalised and diffed again):
     `tracker renormalize`, then `tracker renormalize --queue` on the backfilled database;
- a synthetic store of `--documents` policies of `--captures` snapshots each, as a
  Princeton-Leuven-layout repository (bench/import_scale.py's generator: real policy texts
  edited snapshot after snapshot; `--synthetic-workers`):
  1. import (CPU-bound): `tracker import citp`, then `tracker import citp --queue` (a fresh
     database each);
  2. renormalize, on the database the one-process import filled.

A backfill of the real archive is paced by the archive (one request at a time for every
worker together: docs/scale.md), so more workers make checks and backfills no faster there;
the loopback archive, unpaced, shows what the tracker's side costs.

Each line: wall seconds, captures per second, speed-up against the one process of the same
store and step in the same run, and CPU milliseconds per capture of the tracker processes
(children of this bench, waited for) and of the bench's PostgreSQL server (its postmaster
and backends, from /proc, before and after; every run's database is vacuumed and analysed
after it, so autovacuum's work on it is not counted in the next run). "Queue overhead" is 1 worker's CPU per capture
(the producer's included) against the one process's, start-ups aside (a process that does
nothing: measured first), without and with the database's. The archive
server runs in this bench's process and is not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import sqlalchemy as sa  # noqa: E402
from corpora import SAMPLE_CORPUS, SHARED_CORPUS, TEST_CORPUS, register_corpora  # noqa: E402
from import_scale import generate  # noqa: E402

from tracker.archive import ArchiveServer  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
START_UP: dict[str, float] = {}  # CPU seconds of a process that does nothing: "one process", "worker"


@dataclass
class Line:
    store: str
    step: str
    processes: str  # "one process" or "N workers"
    seconds: float
    captures: int
    tracker_cpu_ms: float  # per capture
    database_cpu_ms: float  # per capture
    speedup: float = 1.0

    @property
    def rate(self) -> float:
        return self.captures / self.seconds


def _stat(pid: int | str) -> list[str]:
    """The fields of /proc/PID/stat after the command name: state, ppid, ..."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def server_cpu(admin: sa.Engine) -> float:
    """CPU seconds of the bench's PostgreSQL server so far: the postmaster and its live
    processes, and the backends that ended (reaped by the postmaster, so in its children's
    times). Other servers on the machine are not counted."""
    with admin.connect() as conn:
        postmaster = int(_stat(conn.execute(sa.text("SELECT pg_backend_pid()")).scalar())[1])
    total = sum(int(v) for v in _stat(postmaster)[11:15])  # utime, stime, cutime, cstime
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            values = _stat(stat.parent.name)
            if int(values[1]) == postmaster:
                total += sum(int(v) for v in values[11:15])
        except (OSError, IndexError, ValueError):
            continue
    return total / TICK


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Database:
    def __init__(self, admin: sa.Engine) -> None:
        self.admin = admin
        self.name = f"bench_{uuid.uuid4().hex}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        self.url = admin.url.set(database=self.name).render_as_string(hide_password=False)
        # One connection kept for the bench's own queries: it polls the queue every 50 ms
        # while workers drain it, and a new connection each time cost the server ~3 ms of
        # CPU (measured), counted as the queue's until 2026-12-07.
        self.engine = sa.create_engine(self.url, poolclass=sa.pool.StaticPool, isolation_level="AUTOCOMMIT")

    def scalar(self, query: str):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(query)).scalar()

    def settle(self) -> None:
        """VACUUM ANALYZE: what a run wrote is not vacuumed by autovacuum during the next run
        (whose database CPU and wall time it would otherwise be counted in)."""
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        engine.dispose()

    def drop(self) -> None:
        self.engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))


def env_for(url: str, workdir: Path, archive_url: str) -> dict[str, str]:
    return {**os.environ, "TRACKER_CONFIG": os.devnull, "TRACKER_DATABASE_URL": url,
            "TRACKER_WAYBACK_URL": archive_url, "TRACKER_SNAPSHOTS_DIR": str(workdir / "snapshots"),
            "TRACKER_STALLED_AFTER": "8"}


def tracker(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "tracker.cli", *args], env=env, check=True, capture_output=True)


def measured(admin: sa.Engine, run) -> tuple[float, float, float]:
    """Wall seconds, tracker CPU seconds (waited-for children), database CPU seconds of `run()`."""
    cpu, db = children_cpu(), server_cpu(admin)
    start = time.perf_counter()
    run()
    return time.perf_counter() - start, children_cpu() - cpu, server_cpu(admin) - db


def with_workers(database: Database, env: dict[str, str], count: int, enqueue: list[str] | None, log: Path) -> tuple:
    """Start `count` workers, wait until registered, enqueue, wait until drained, stop them
    (`enqueue` None: stop them at once, for their start-up's cost)."""
    workers = [subprocess.Popen([sys.executable, "-m", "tracker.cli", "worker"], env=env,
                                stdout=open(log, "a"), stderr=subprocess.STDOUT) for _ in range(count)]
    try:
        while database.scalar("SELECT to_regclass('procrastinate_workers') IS NULL") or \
                database.scalar("SELECT count(*) FROM procrastinate_workers") < count:
            if any(worker.poll() is not None for worker in workers):
                sys.exit(f"a worker ended before it started: see {log}")
            time.sleep(0.1)

        def run() -> None:
            if enqueue is not None:
                tracker(env, *enqueue)
            while database.scalar("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"):
                time.sleep(0.05)
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait()
        return measured(database.admin, run)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


@dataclass
class Step:
    """A unit of work run by one process (`alone`), then queued (`queued`) for N workers.
    `fresh`: each run on a new database (the work is writing it); otherwise every run
    repeats the work on the database of the first run of the store's first step."""

    name: str
    alone: list[str]
    queued: list[str]
    fresh: bool


class Store:
    """A store to run steps on: `register` tracks its documents in a new database."""

    def __init__(self, name: str, admin: sa.Engine, archive_url: str, register, workdir: Path) -> None:
        self.name, self.admin, self.archive_url, self.register, self.workdir = name, admin, archive_url, register, workdir
        self.filled: tuple[Database, dict[str, str]] | None = None

    def fresh(self) -> tuple[Database, dict[str, str]]:
        database = Database(self.admin)
        self.register(database.url)
        folder = Path(tempfile.mkdtemp(dir=self.workdir))
        return database, env_for(database.url, folder, self.archive_url)

    def run(self, step: Step, counts: list[int]) -> list[Line]:
        log = self.workdir / "workers.log"
        database, env = self.fresh() if step.fresh or self.filled is None else self.filled
        wall, cpu, db = measured(self.admin, lambda: tracker(env, *step.alone))
        database.settle()
        captures = database.scalar("SELECT count(*) FROM capture WHERE state = 'fetched'")
        alone = Line(self.name, step.name, "one process", wall, captures, 1000 * cpu / captures, 1000 * db / captures)
        lines = [alone]
        for count in counts:
            queued, queued_env = self.fresh() if step.fresh else (database, env)
            wall, cpu, db = with_workers(queued, queued_env, count, step.queued, log)
            queued.settle()
            lines.append(Line(self.name, step.name, f"{count} workers", wall, captures, 1000 * cpu / captures,
                              1000 * db / captures, alone.seconds / wall))
            if queued is not database:
                queued.drop()
        if self.filled is None:
            self.filled = (database, env)
        elif database is not self.filled[0]:
            database.drop()
        return lines

    def close(self) -> None:
        if self.filled:
            self.filled[0].drop()


def start_ups(admin: sa.Engine, archive_url: str, workdir: Path) -> None:
    """What a process costs before any work: a backfill of no document, a worker started and stopped."""
    idle = Store("idle", admin, archive_url, lambda url: None, workdir)
    database, env = idle.fresh()
    START_UP["one process"] = min(measured(admin, lambda: tracker(env, "backfill", "--quiet"))[1] for _ in range(2))
    START_UP["worker"] = min(with_workers(database, env, 1, None, workdir / "workers.log")[1] for _ in range(2))
    database.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4", help="Worker counts to run on the corpus (comma-separated).")
    parser.add_argument("--synthetic-workers", default="1,2", help="Worker counts to run on the synthetic store.")
    parser.add_argument("--documents", type=int, default=10_000, help="Documents of the synthetic store.")
    parser.add_argument("--captures", type=int, default=2, help="Captures per synthetic document.")
    parser.add_argument("--no-corpus", action="store_true", help="Only the synthetic store.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("TRACKER_TEST_POSTGRES_URL")
    if not url:
        sys.exit("no PostgreSQL: run through scripts/with-postgres")
    counts = [int(n) for n in args.workers.split(",")]
    synthetic_counts = [int(n) for n in args.synthetic_workers.split(",")]
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    corpora = [SAMPLE_CORPUS, TEST_CORPUS] + ([SHARED_CORPUS] if SHARED_CORPUS.is_dir() else [])
    backfill = Step("backfill", ["backfill", "--quiet"], ["backfill", "--queue"], fresh=True)
    renormalize = Step("renormalize", ["renormalize"], ["renormalize", "--queue"], fresh=False)
    lines: list[Line] = []
    with tempfile.TemporaryDirectory() as tmp, ArchiveServer(*corpora) as archive:
        workdir = Path(tmp)
        start_ups(admin, archive.url, workdir)
        if not args.no_corpus:
            corpus = Store("corpus", admin, archive.url, lambda u: register_corpora(u, *corpora), workdir)
            lines += corpus.run(backfill, counts) + corpus.run(renormalize, counts)
            corpus.close()
        repository = workdir / "citp"
        generate(repository, args.documents, args.captures)
        synthetic = Store(f"synthetic {args.documents:,}x{args.captures}", admin, archive.url, lambda u: None,
                          workdir)
        lines += synthetic.run(Step("import", ["import", "citp", str(repository), "--quiet"],
                                    ["import", "citp", str(repository), "--quiet", "--queue"], fresh=True),
                               synthetic_counts)
        lines += synthetic.run(renormalize, synthetic_counts)
        synthetic.close()
    if args.json:
        print(json.dumps({"lines": [{**asdict(line), "rate": line.rate} for line in lines], "start_up": START_UP},
                         indent=2))
        return
    print(f"scale-out on {os.cpu_count()} cores; PostgreSQL at {sa.engine.make_url(url).host}; "
          f"tracker CPU: the processes run (workers or the one process); database CPU: the server's")
    print(f"{'store':<22} {'step':<12} {'processes':<12} {'seconds':>8} {'captures/s':>11} {'speed-up':>9} "
          f"{'tracker ms/capture':>19} {'database ms/capture':>20}")
    for line in lines:
        print(f"{line.store:<22} {line.step:<12} {line.processes:<12} {line.seconds:8.2f} {line.rate:11.1f} "
              f"{line.speedup:8.2f}x {line.tracker_cpu_ms:19.1f} {line.database_cpu_ms:20.1f}")
    for store, step in dict.fromkeys((line.store, line.step) for line in lines):
        one = next(x for x in lines if (x.store, x.step, x.processes) == (store, step, "one process"))
        single = next((x for x in lines if (x.store, x.step, x.processes) == (store, step, "1 workers")), None)
        if single:
            # the worker's start-up and the producer's (`--queue`: a process that enqueues)
            worker = single.tracker_cpu_ms - 1000 * (START_UP["worker"] + START_UP["one process"]) / single.captures
            alone = one.tracker_cpu_ms - 1000 * START_UP["one process"] / one.captures
            print(f"queue overhead, {store} {step}: tracker CPU, start-ups aside, {worker:.1f} ms/capture with "
                  f"1 worker against {alone:.1f} alone ({100 * (worker / alone - 1):+.0f} %); with the database's "
                  f"{worker + single.database_cpu_ms:.1f} against {alone + one.database_cpu_ms:.1f} "
                  f"({100 * ((worker + single.database_cpu_ms) / (alone + one.database_cpu_ms) - 1):+.0f} %)")
    print(f"start-up CPU: a worker {START_UP['worker']:.2f} s, one process {START_UP['one process']:.2f} s")


if __name__ == "__main__":
    main()
