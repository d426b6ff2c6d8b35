"""The package structure holds: pure stages load no database or HTTP library, and no package
imports one above it (the table is docs/development.md's, "Which package imports which")."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

TRACKER = Path(__file__).resolve().parents[1] / "tracker"

# What each package may import of ours, besides the foundation (errors, urls, config, writing,
# dates, outputs).
ALLOWED = {
    "wayback": set(),
    "normalize": set(),
    "diff": set(),
    "archive": {"wayback"},
    "store": {"normalize", "diff"},
    "versions": {"store", "normalize", "diff"},
    "backfill": {"versions", "store", "wayback"},
    "read": {"store", "diff", "normalize"},
    "notify": {"store", "diff", "read"},
    "importers": {"backfill", "versions", "store", "normalize", "diff", "wayback"},
    "live": {"backfill", "versions", "store", "wayback"},
    "jobs": {"backfill", "importers", "live", "notify", "store", "versions", "wayback"},
    "web": {"read", "store", "diff"},
    "cli": {"archive", "backfill", "diff", "importers", "jobs", "live", "normalize", "notify", "read", "store",
            "versions", "wayback", "web"},
}
FOUNDATION = {"errors", "urls", "config", "writing", "dates", "outputs"}


def package_imports() -> dict[str, set[str]]:
    """Which of our packages each package imports (module-level or inside functions)."""
    found: dict[str, set[str]] = {name: set() for name in ALLOWED}
    for path in TRACKER.rglob("*.py"):
        parts = path.relative_to(TRACKER).with_suffix("").parts
        package = parts[0]
        if package not in found:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                pieces = name.split(".")
                if pieces[0] == "tracker" and len(pieces) > 1 and pieces[1] != package:
                    found[package].add(pieces[1])
    return {name: imported - FOUNDATION - {"__version__"} for name, imported in found.items()}


def test_no_package_imports_one_above_it():
    actual = package_imports()
    wrong = {name: sorted(imported - ALLOWED[name]) for name, imported in actual.items() if imported - ALLOWED[name]}
    assert not wrong, f"imports against the layering (docs/development.md): {wrong}"


@pytest.mark.parametrize("package, forbidden", [
    ("tracker.wayback", ("sqlalchemy", "tracker.store", "tracker.normalize", "tracker.diff")),
    ("tracker.normalize", ("sqlalchemy", "requests", "tracker.store", "tracker.wayback", "tracker.diff")),
    ("tracker.diff", ("sqlalchemy", "requests", "tracker.store", "tracker.wayback", "tracker.normalize")),
])
def test_pure_stage_loads_no_database_or_http(package, forbidden):
    """Imported alone in a fresh interpreter, a pure stage pulls in neither SQLAlchemy nor
    (for normalize and diff) the HTTP client, nor another stage."""
    program = f"import sys, {package}; print(' '.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                                check=True).stdout.split())
    assert not {name for name in loaded for f in forbidden if name == f or name.startswith(f + ".")}


def test_version_option_loads_no_scheduler_mail_or_http():
    program = ("import sys; from tracker.cli import main\n"
               "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
               "print(' '.join(sorted(sys.modules)))")
    loaded = set(subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                                check=True).stdout.split())
    heavy = {"apscheduler", "jinja2", "smtplib", "requests", "sqlalchemy", "lxml"}
    assert not loaded & heavy
