"""`tracker compare` on two real consecutive versions of a Chinese policy (tests/data/pages):
the CJK flags are printed, and redlines are wrapped by columns without cutting a marker."""

import unicodedata

from click.testing import CliRunner
from corpora import DATA

from tracker.cli import main

OLD, NEW = DATA / "pages" / "doubao-20240529063049.html", DATA / "pages" / "doubao-20240614063216.html"


def test_compare_chinese_versions_prints_flags_and_wraps_by_columns():
    result = CliRunner().invoke(main, ["compare", str(OLD), str(NEW)])
    assert result.exit_code == 0, result.output
    assert "negation_added" in result.output and "cosmetic" in result.output
    wide = [line for line in result.output.splitlines()
            if any(unicodedata.east_asian_width(c) == "W" for c in line)]
    assert len(wide) > 3
    assert all(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) <= 100 for line in wide)
    body = "".join(line.strip() for line in wide)
    assert "[-或-]" in body and body.count("{+") == body.count("+}")
    assert not any(line.strip().startswith(("]", "}", "-]", "+}")) for line in wide)
