"""Where the tests' corpora and data live, for any test module whatever its folder.

A module of its own rather than conftest.py: a folder may hold its own conftest.py, and
`import conftest` would then be ambiguous.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
SAMPLE_CORPUS = REPO / "tracker" / "sample" / "corpus"
TEST_CORPUS = DATA / "corpus"
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
SAMPLE_SEEDS = REPO / "tracker" / "sample" / "seeds"  # the customer's five seed documents
OTA_BUNDLE = REPO.parent / "shared" / "ota-versions" / "privacy-policies.bundle"
