"""Two versions of a small policy whose second re-cuts two paragraphs into three (and changes
"one year" to "two years"): the diff records one `rewritten` clause change between them. For
the tests of what stores and shows it (tests/read, tests/web)."""

from __future__ import annotations

from pathlib import Path

MESSAGES = "We keep the messages you send to other members for one year after you send them."
PHOTOS = "Photos you upload stay on our servers until you delete them from your profile."
LOCATION = "The location of your phone is stored for thirty days so that we can show you members nearby."
PAYMENTS = "Payment records are kept for seven years because the tax law of our country requires it."
OLD = [f"{MESSAGES} {PHOTOS}", f"{LOCATION} {PAYMENTS}"]
NEW = [MESSAGES.replace("one year", "two years"), f"{PHOTOS} {LOCATION}", PAYMENTS]


def policy(paragraphs: list[str]) -> str:
    return "\n\n".join([
        "# Privacy Policy",
        "This privacy policy explains how Example Ltd collects, uses and protects your personal data.",
        *paragraphs,
        "Write to privacy@example.com with any question about your personal data or this policy.",
    ]) + "\n"


def import_both(run, folder: Path) -> None:
    """Import the two versions for provider "Example" (2020 and 2021) with `tracker_cli`."""
    for year, paragraphs in (("2020", OLD), ("2021", NEW)):
        path = folder / f"{year}.md"
        path.write_text(policy(paragraphs))
        run("import", "files", str(path), "--provider", "Example", "--date", f"{year}-01-01", "--quiet")
