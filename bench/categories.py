"""How many clause changes the topic tables leave in `other`, against the tables of an earlier
revision, on the same clause changes in the same run.

    .venv/bin/python bench/categories.py [--corpus DIR ...] [--before REV] [--show N] [--json]

Default corpus: ../shared/corpus when present, else the in-repo copies. The clause changes are
those of every consecutive distinct version pair of each page, read as bench/diff_eval.py reads
them. A clause change's topics are those of its old and new clauses together
(tracker.diff.categories.combined); it is in `other` when neither side names any topic.

The baseline is tracker/diff/categories.py as it was at revision REV (default: main before
its tables were widened for issue 25), read with `git show` and applied to the same clause
texts. Printed: the share in `other` before and after over all clause changes and as the
mean of the pages' shares (one page, hily, holds half of the changes), the count of each
topic, the share per page. `--show N`: N clause changes per topic that left `other`, and N
still there, to read by hand. There are no labels: this measures how often a topic is
named, not whether it is right.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import types
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from diff_eval import LOCAL, SHARED, page_versions  # noqa: E402

from tracker.diff import CATEGORIES, diff_clauses  # noqa: E402
from tracker.diff import categories as after  # noqa: E402

BEFORE = "61bdcd1"  # main before the tables changed (issue 25)


def tables_at(revision: str) -> types.ModuleType:
    """tracker/diff/categories.py as it was at `revision`, as a module of its own."""
    try:
        source = subprocess.run(["git", "-C", str(REPO), "show", f"{revision}:tracker/diff/categories.py"],
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.exit(f"categories.py: cannot read the tables at {revision!r} with git: {exc}")
    module = types.ModuleType(f"categories_{revision}")
    exec(compile(source, f"{revision}:tracker/diff/categories.py", "exec"), module.__dict__)
    return module


def topics(tables, texts: list[str | None]) -> tuple[str, ...]:
    return after.combined(tables.clause_categories(t) for t in texts if t is not None)


def measure(corpus_dirs: list[Path], before, show: int) -> dict:
    pages = {}
    for corpus in corpus_dirs:
        pages.update(page_versions(corpus))
    counts = {"before": Counter(), "after": Counter()}
    per_page: dict[str, dict[str, int]] = {}
    left: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    total = 0
    for page, versions in sorted(pages.items()):
        mine = per_page.setdefault(page, {"changes": 0, "before": 0, "after": 0})
        for old, new in zip(versions, versions[1:]):
            for change in diff_clauses(old, new):
                if change.kind == "unchanged":
                    continue
                texts = [change.old_text, change.new_text]
                was, now = topics(before, texts), topics(after, texts)
                total += 1
                mine["changes"] += 1
                counts["before"].update(was)
                counts["after"].update(now)
                mine["before"] += was == ("other",)
                mine["after"] += now == ("other",)
                text = (change.new_text or change.old_text or "").replace("\n", " ")[:160]
                if was == ("other",):
                    for category in now:
                        left[category].append(f"{page}: {text}")
    pages_with_changes = {p: m for p, m in per_page.items() if m["changes"]}
    rng = random.Random(25)
    return {
        "clause_changes": total,
        "pages": len(pages_with_changes),
        "other_before": counts["before"]["other"],
        "other_after": counts["after"]["other"],
        "other_share_before": round(counts["before"]["other"] / total, 4) if total else None,
        "other_share_after": round(counts["after"]["other"] / total, 4) if total else None,
        "other_share_mean_of_pages_before": _mean(m["before"] / m["changes"] for m in pages_with_changes.values()),
        "other_share_mean_of_pages_after": _mean(m["after"] / m["changes"] for m in pages_with_changes.values()),
        "categories_before": dict(counts["before"].most_common()),
        "categories_after": dict(counts["after"].most_common()),
        "per_page": pages_with_changes,
        "samples": {c: rng.sample(texts, min(show, len(texts))) for c, texts in left.items() if texts and show},
    }


def _mean(values) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else None


def table(result: dict, revision: str) -> str:
    n = result["clause_changes"]
    lines = [
        f"{n} clause changes on {result['pages']} pages; topics from the tables at {revision} (before) and now (after)",
        "",
        f"{'':44} {'before':>14} {'after':>14}",
        f"{'in other (no topic named)':44} {result['other_before']:>6} {result['other_share_before']:>7.1%} "
        f"{result['other_after']:>6} {result['other_share_after']:>7.1%}",
        f"{'  mean of the pages shares':44} {result['other_share_mean_of_pages_before']:>14.1%} "
        f"{result['other_share_mean_of_pages_after']:>14.1%}",
        "",
        "clause changes per topic (a change may have several):",
    ]
    for category in CATEGORIES:
        lines.append(f"  {category:42} {result['categories_before'].get(category, 0):>14} "
                     f"{result['categories_after'].get(category, 0):>14}")
    lines += ["", "share in other per page:"]
    for page, m in sorted(result["per_page"].items(), key=lambda item: -item[1]["changes"]):
        lines.append(f"  {page:42} {m['before'] / m['changes']:>14.1%} {m['after'] / m['changes']:>14.1%}"
                     f"   ({m['changes']} changes)")
    for category, texts in result["samples"].items():
        lines += ["", f"left other for {category}:" if category != "other" else "still other:"]
        lines += [f"  {text}" for text in texts]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", type=Path, help="corpus folder (repeatable)")
    parser.add_argument("--before", default=BEFORE, help=f"git revision of the baseline tables (default {BEFORE})")
    parser.add_argument("--show", type=int, default=0, help="clause changes to print per topic, to read by hand")
    parser.add_argument("--json", action="store_true", help="print one JSON object of the figures")
    args = parser.parse_args()
    corpus_dirs = args.corpus or ([SHARED] if SHARED.is_dir() else LOCAL)
    result = measure(corpus_dirs, tables_at(args.before), args.show)
    print(json.dumps(result) if args.json else table(result, args.before))


if __name__ == "__main__":
    main()
