"""Importing a Princeton-Leuven-layout repository at scale.

    .venv/bin/python bench/import_scale.py [--domains 100] [--snapshots 10] [--full]
        [--postgres URL] [--json]

1. Generates a repository in the corpus's layout (`a/ab/abc/<domain>.md`, one commit per
   snapshot, commits in date order across domains, JSON metadata in each message, the
   provenance line and `# title` on top of each file) with `git fast-import`. Texts are
   real policies (the reference Markdown of ../shared/corpus when present, else the bundled
   sample and tests/data), each domain starting from one and editing it snapshot after
   snapshot as sites do: a third of snapshots change nothing but the provenance line, the
   others reword a sentence, add one, drop a paragraph or move the "Last updated" date.
2. Runs `tracker import citp` on it as a separate process into a fresh SQLite database and
   (with --postgres or TRACKER_TEST_POSTGRES_URL) a fresh PostgreSQL one: policies per
   second, peak memory (the process and its git readers), database bytes per version, and
   the time of a rerun (nothing to do).
3. Baselines measured in the same run: reading every record from git alone (`git log` +
   `git cat-file`, the floor for any importer), and reading + normalising without a
   database (what the import adds over that is the diff and the store).

`--full` is the issue's size, 10,000 domains x 10 snapshots. The extrapolation to the whole
published corpus (1,071,488 policies) divides it by the measured rate; it assumes the rate
holds as the database grows, which the run at hand only shows for its own size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402

from tracker.importers import Blobs, citp_records  # noqa: E402
from tracker.normalize import normalize  # noqa: E402

CORPUS_POLICIES = 1_071_488  # Amos et al., WWW 2021
SHARED = REPO.parent / "shared" / "corpus" / "archive"
LOCAL = [REPO / "tracker" / "sample" / "corpus" / "archive", REPO / "tests" / "data" / "corpus" / "archive"]
START = datetime(2000, 1, 1)
WORDS = re.compile(r"[A-Za-z]{4,}")
# Runs the import as a child and reports the peak RSS of it and the git processes it waited for.
MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
           "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
           "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode); "
           "print(r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr.strip())")


def base_texts() -> list[str]:
    """One reference Markdown per corpus page (the oldest), policy text of real sites."""
    roots = [SHARED] if SHARED.exists() else LOCAL
    texts = []
    for root in roots:
        for page in sorted(p for p in root.iterdir() if (p / "reference").is_dir()):
            first = sorted((page / "reference").glob("*.md"))[:1]
            texts += [f.read_text("utf-8") for f in first]
    seeds = REPO / "tracker" / "sample" / "seeds"
    texts += [re.sub(r"\A>.*\n", "", f.read_text("utf-8")) for f in sorted(seeds.glob("*.txt"))]
    return [t for t in texts if len(t.split()) > 200]


def edit(paragraphs: list[str], rng: random.Random, pool: list[str], step: int) -> list[str]:
    """One snapshot's edits: a third change nothing; the others 1-3 edits of the kinds sites make."""
    paragraphs = list(paragraphs)
    if rng.random() < 1 / 3:
        return paragraphs
    for _ in range(rng.randint(1, 3)):
        kind = rng.random()
        i = rng.randrange(len(paragraphs))
        if kind < 0.45:  # reword: one word replaced
            words = WORDS.findall(paragraphs[i])
            if words:
                paragraphs[i] = paragraphs[i].replace(rng.choice(words), rng.choice(pool), 1)
        elif kind < 0.7:  # a sentence added
            paragraphs.insert(i, f"We may also process {rng.choice(pool)} data to {rng.choice(pool)} our services.")
        elif kind < 0.85 and len(paragraphs) > 10:  # a paragraph dropped
            del paragraphs[i]
        else:  # a new stated date
            paragraphs[0] = f"Last updated: {START + timedelta(days=400 * step + rng.randrange(300)):%B %d, %Y}"
    return paragraphs


def generate(path: Path, domains: int, snapshots: int, seed: int = 14) -> int:
    """The repository, built through one `git fast-import` stream; returns its commit count."""
    rng = random.Random(seed)
    bases = [[p for p in t.split("\n\n") if p.strip()] for t in base_texts()]
    pool = sorted({w.lower() for t in bases[:5] for p in t for w in WORDS.findall(p)})
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    states = {}
    events = []
    for d in range(domains):
        domain = f"{rng.choice('abcdefghijklmnopqrstuvwxyz')}{d:05d}-policy.com"
        states[domain] = ["Last updated: January 1, 2000", *rng.choice(bases)]
        when = START + timedelta(days=rng.randrange(365))
        for step in range(snapshots):  # about a year apart, as the corpus's yearly crawls
            events.append((when, domain, step))
            when += timedelta(days=int(365 * rng.uniform(0.8, 1.2)))
    events.sort()
    process = subprocess.Popen(["git", "-C", str(path), "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = process.stdin
    for when, domain, step in events:
        states[domain] = edit(states[domain], rng, pool, step)
        url = f"http://www.{domain}/privacy"
        stamp = when.strftime("%Y%m%d%H%M%S")
        text = (f"> *The following text is extracted and transformed from the {domain} privacy policy that was "
                f"archived on {when:%Y-%m-%d}. Please check the [original snapshot on the Wayback Machine]"
                f"(https://web.archive.org/web/{stamp}id_/http%3A//www.{domain}/privacy) for the most accurate "
                f"reproduction.*\n\n# {domain} privacy policy\n\n" + "\n\n".join(states[domain]) + "\n").encode()
        message = json.dumps({"domain": domain, "url": url, "archived": when.isoformat()}).encode()
        seconds = int((when - datetime(1970, 1, 1)).total_seconds())
        name = f"{domain[0]}/{domain[:2]}/{domain[:3]}/{domain}.md"
        out.write(b"commit refs/heads/main\n")
        out.write(f"committer crawler <crawler@example.org> {seconds} +0000\n".encode())
        out.write(f"data {len(message)}\n".encode() + message + b"\n")
        out.write(f"M 100644 inline {name}\ndata {len(text)}\n".encode() + text + b"\n")
    out.close()
    if process.wait() != 0:
        raise SystemExit("git fast-import failed")
    return len(events)


def read_floor(repo: Path) -> tuple[float, int]:
    """Seconds to read every record from git (log + blobs), and the record count."""
    start = time.perf_counter()
    with Blobs(repo) as blobs:
        _, records = citp_records(repo, blobs)
        count = sum(1 for r in records if r.load())
    return time.perf_counter() - start, count


def read_and_normalize(repo: Path) -> float:
    start = time.perf_counter()
    with Blobs(repo) as blobs:
        _, records = citp_records(repo, blobs)
        for pending in records:
            record = pending.load()
            normalize(record.body, record.content_type)
    return time.perf_counter() - start


def run_import(repo: Path, database_url: str, snapshots: Path) -> dict:
    env = {**os.environ, "TRACKER_DATABASE_URL": database_url, "TRACKER_SNAPSHOTS_DIR": str(snapshots),
           "TRACKER_CONFIG": os.devnull}
    tracker = str(Path(sys.executable).with_name("tracker"))
    result = subprocess.run([sys.executable, "-c", MEASURE, tracker, "import", "citp", str(repo), "--quiet"],
                            capture_output=True, text=True, env=env, check=True)
    timing, summary = result.stdout.strip().split("\n", 1)
    seconds, peak_kb, code = timing.split()
    if code != "0":
        raise SystemExit(f"import failed: {summary}")
    return {"seconds": round(float(seconds), 2), "peak_mb": round(int(peak_kb) / 1024, 1), "summary": summary}


def database_figures(url: str) -> dict:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT count(*) FROM version")).scalar()
        captures = conn.execute(sa.text("SELECT count(*) FROM capture")).scalar()
        if engine.dialect.name == "sqlite":
            size = Path(engine.url.database).stat().st_size
        else:
            size = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
    engine.dispose()
    return {"versions": versions, "captures": captures, "bytes": size}


def measure(repo: Path, url: str, work: Path, policies: int, empty_bytes: int) -> dict:
    first = run_import(repo, url, work / "snapshots")
    figures = database_figures(url)
    again = run_import(repo, url, work / "snapshots")
    rate = policies / first["seconds"]
    return {
        "seconds": first["seconds"], "policies_per_second": round(rate, 1), "peak_mb": first["peak_mb"],
        "versions": figures["versions"], "captures": figures["captures"],
        "database_mb": round(figures["bytes"] / 1e6, 1),
        "bytes_per_version": round((figures["bytes"] - empty_bytes) / max(figures["versions"], 1)),
        "rerun_seconds": again["seconds"], "rerun_summary": again["summary"], "summary": first["summary"],
        "corpus_hours": round(CORPUS_POLICIES / rate / 3600, 1),
    }


def empty_size(url: str) -> int:
    from tracker.store import open_database

    open_database(url).kw["bind"].dispose()
    return database_figures(url)["bytes"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=100)
    parser.add_argument("--snapshots", type=int, default=10)
    parser.add_argument("--full", action="store_true", help="10,000 domains x 10 snapshots (the issue's size).")
    parser.add_argument("--postgres", default=os.environ.get("TRACKER_TEST_POSTGRES_URL"),
                        help="An admin URL of a PostgreSQL server to make a scratch database on.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    domains, snapshots = (10_000, 10) if args.full else (args.domains, args.snapshots)
    with tempfile.TemporaryDirectory(prefix="import-scale-") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        policies = generate(work / "repo", domains, snapshots)
        figures = {"domains": domains, "snapshots": snapshots, "policies": policies,
                   "generate_seconds": round(time.perf_counter() - start, 1)}
        floor, count = read_floor(work / "repo")
        assert count == policies, (count, policies)
        figures["read_floor_seconds"] = round(floor, 2)
        figures["read_normalize_seconds"] = round(read_and_normalize(work / "repo"), 2)
        url = f"sqlite:///{work / 'bench.db'}"
        figures["sqlite"] = measure(work / "repo", url, work / "sqlite", policies, empty_size(url))
        if args.postgres:
            figures["postgresql"] = postgres(args.postgres, work, policies)
    if args.json:
        print(json.dumps(figures))
        return
    report(figures)


def postgres(admin_url: str, work: Path, policies: int) -> dict:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"bench_import_{os.getpid()}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        return measure(work / "repo", url, work / "postgresql", policies, empty_size(url))
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def report(f: dict) -> None:
    print(f"Princeton-Leuven-layout repository: {f['domains']:,} domains x {f['snapshots']} snapshots = "
          f"{f['policies']:,} policies (generated in {f['generate_seconds']} s)\n")
    floor, normal = f["read_floor_seconds"], f["read_normalize_seconds"]
    print(f"{'run':<34} {'seconds':>8} {'policies/s':>11} {'x read floor':>13} {'peak MB':>8} "
          f"{'versions':>9} {'bytes/version':>14} {'rerun s':>8} {'corpus h':>9}")
    print(f"{'baseline: read from git only':<34} {floor:>8} {f['policies'] / floor:>11.1f} {1.0:>13.2f}")
    print(f"{'baseline: read + normalise, no db':<34} {normal:>8} {f['policies'] / normal:>11.1f} "
          f"{normal / floor:>13.2f}")
    for name in ("sqlite", "postgresql"):
        if name not in f:
            continue
        r = f[name]
        print(f"{'tracker import citp, ' + name:<34} {r['seconds']:>8} {r['policies_per_second']:>11} "
              f"{r['seconds'] / floor:>13.2f} {r['peak_mb']:>8} {r['versions']:>9,} {r['bytes_per_version']:>14,} "
              f"{r['rerun_seconds']:>8} {r['corpus_hours']:>9}")
    for name in ("sqlite", "postgresql"):
        if name in f:
            print(f"\n{name}: {f[name]['summary']}\n  rerun: {f[name]['rerun_summary']}")
    print(f"\ncorpus h: hours for the published corpus ({CORPUS_POLICIES:,} policies) at this run's rate, on one "
          "machine, one process; the rate was measured at this run's size only.")


if __name__ == "__main__":
    main()
