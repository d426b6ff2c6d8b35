"""The normalizer over the full shared corpus (../shared/corpus, skipped when absent): no
labelled change is taken for junk, and recall, stability and leak as bench/extraction.py
measures them."""


import pytest
from normalize_pages import SHARED, bench, capture, labels

# --- the full shared corpus -----------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_pages():
    if not (SHARED / "archive").is_dir():
        pytest.skip(f"full corpus not present at {SHARED}")
    return sorted(p for p in (SHARED / "archive").iterdir() if p.is_dir())


def test_no_change_capture_is_invalid_in_full_corpus(corpus_pages):
    for page in corpus_pages:
        for row in labels(page):
            if row["label"] == "change":
                assert capture(page, row["timestamp"]).invalid_reason is None, (page.name, row)


@pytest.fixture(scope="module")
def corpus_results(corpus_pages):
    return {page.name: bench.measure_page(page) for page in corpus_pages}


def test_full_corpus_recall(corpus_results):
    # Against the references less the chrome bench/reference_errata.json lists (three silver
    # references keep the site's menus, forms and footers).
    assert bench.total(corpus_results).figures()["recall"] >= 0.99
    assert all(r.figures()["recall"] is None or r.figures()["recall"] >= 0.95 for r in corpus_results.values())


def test_full_corpus_stability(corpus_results):
    results = corpus_results
    total = bench.total(results).figures()
    # A false version inside an OTA extraction outage is a real text change the silver labels
    # cannot place (`labels_silent`, as bench/corpus_eval.py sets them aside: Hily's three,
    # npm's and Open Terms Archive's). Each of the two others is listed in bench/extraction.py:
    # a real change outside OTA's selection (Bumble), another page served at the URL (happn).
    assert total["false_versions"] - total["labels_silent"] <= 2
    assert total["leak"] <= 0.035  # Bumble: OTA's reference keeps only its .formatted-text parts
