"""Page rules (tracker.normalize.rules): CSS select/remove and Open Terms Archive range
selectors, applied by the normalizer to a page."""


import pytest
from corpora import DATA, TEST_CORPUS

from tracker.normalize import PageRule, RuleError, normalize, parse_selectors

LEX = TEST_CORPUS / "archive" / "dating--lex--privacy-policy"
PAGE = (DATA / "pages" / "page-rules.html").read_bytes()


def texts(doc):
    return [b.text for b in doc.blocks]


def rule(select=None, remove=None) -> PageRule:
    return PageRule(parse_selectors(select), parse_selectors(remove))


def test_select_keeps_every_match_in_order_even_what_looks_like_chrome():
    doc = normalize(PAGE, rules=(rule(select=".policy"),))
    assert texts(doc)[0] == "Collection"
    assert texts(doc)[-2:] == ["Retention", "We keep data for 30 days."]  # an <aside>, kept: selected
    assert "Contact: privacy@example.com" not in texts(doc)
    assert doc.title == "Example privacy"


def test_select_wins_over_the_scope_step():
    combined = (DATA / "scope" / "combined-legal-page.html").read_bytes()
    assert "Terms of Service" not in texts(normalize(combined))
    doc = normalize(combined, rules=(rule(select="main"),))
    assert "Terms of Service" in texts(doc) and "Data Processing Agreement" in texts(doc)
    assert doc.dropped == ()


def test_remove_drops_parts_and_the_rest_is_normalized_as_usual():
    plain = normalize(PAGE)
    assert "Editor's note." in texts(plain)
    doc = normalize(PAGE, rules=(rule(remove=[".note", "#end"]),))
    assert "Editor's note." not in texts(doc) and "Contact: privacy@example.com" not in texts(doc)
    assert "Collection" in texts(doc)


def test_range_selectors_as_open_terms_archive_writes_them():
    both = normalize(PAGE, rules=(rule(select={"startBefore": "#part-1", "endBefore": "#end"}),))
    assert texts(both)[0] == "Collection" and texts(both)[-1] == "We keep data for 30 days."
    after = normalize(PAGE, rules=(rule(select={"startAfter": "#part-1", "endAfter": "#end"}),))
    assert texts(after)[0] == "Retention" and texts(after)[-1] == "Contact: privacy@example.com"
    removed = normalize(PAGE, rules=(rule(remove={"startBefore": "#promo", "endBefore": "#part-2"}),))
    assert texts(removed)[0] == "Retention"


def test_select_matching_nothing_keeps_the_whole_page():
    assert normalize(PAGE, rules=(rule(select="#redesigned-site"),)).blocks == normalize(PAGE).blocks


def test_a_real_page_with_an_open_terms_archive_selector():
    body = (LEX / "20230419003251.html").read_bytes()
    doc = normalize(body, rules=(rule(select="#fullArticle", remove="table"),))
    assert doc.blocks and not any(b.kind == "table_row" for b in doc.blocks)
    assert [b for b in normalize(body).blocks if b.kind != "table_row"] == list(doc.blocks)


@pytest.mark.parametrize("bad", ["div[", "", 3, {"startBefore": "#a"}, {"startBefore": "#a", "endBefore": "#b",
                                                                          "startAfter": "#c"}])
def test_malformed_selectors_are_refused_with_a_clear_error(bad):
    with pytest.raises(RuleError):
        parse_selectors(bad)
