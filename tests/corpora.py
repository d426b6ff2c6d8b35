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


def register_corpora(url: str, *corpora: Path) -> None:
    """Track every page of `corpora` (each URL of a page a document) in the database at `url`."""
    from tracker.archive import corpus_pages
    from tracker.store.db import open_database
    from tracker.store.documents import add_document

    sessions = open_database(url)
    with sessions.begin() as session:
        for corpus in corpora:
            for page in corpus_pages(corpus):
                for page_url in page.urls:
                    add_document(session, page_url, page.provider, page.document)
    sessions.kw["bind"].dispose()
