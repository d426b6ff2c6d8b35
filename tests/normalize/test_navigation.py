"""Menus told by their repetition across captures of the same page: `normalize(navigation=...)`
with what earlier captures judged navigation drops a menu the page alone cannot tell from
the policy's own links, and never a list the policy introduces. Hand-made pages in
tests/data/scope (README there), real captures in tests/data/pages.
"""

import pytest
from corpora import DATA

from tracker.normalize import LinkList, normalize

SCOPE = DATA / "scope"
PAGES = DATA / "pages"


def page(name: str, navigation=()):
    return normalize((SCOPE / name).read_bytes(), navigation=navigation)


def texts(doc) -> list[str]:
    return [b.text for b in doc.blocks]


def test_menu_that_spam_hides_from_the_edge_is_dropped_when_an_earlier_capture_had_it_at_the_edge():
    earlier = page("menu-at-top.html")
    assert [d.reason for d in earlier.dropped] == ["navigation: a link list at the edge of the content"]
    alone = page("menu-below-spam.html")
    assert "Chat - talk to your data" in texts(alone) and "Enterprise" in texts(alone)
    remembered = page("menu-below-spam.html", earlier.navigation)
    assert remembered.blocks == earlier.blocks  # the menu (one entry more) and the spam are gone
    assert [d.reason for d in remembered.dropped] == [
        "injected spam", "navigation: the items of a menu seen in an earlier capture"]
    menu = remembered.to_dict()["scope"]["dropped"][1]
    assert menu["heading"] == "Chat - talk to your data | Search - find anything | Agents - work for you | ..."
    assert menu["blocks"] == 5 and menu["navigation"]["items"][-1] == "enterprise"


def test_product_menu_whose_items_changed_at_the_place_of_an_earlier_menu_is_dropped():
    earlier = page("menu-and-processors.html")
    assert [d.reason for d in earlier.dropped] == ["navigation: repeated within the page"] * 2
    alone = page("menu-and-processors-later.html")
    assert "Canvas - draw with data" in texts(alone)
    remembered = page("menu-and-processors-later.html", earlier.navigation)
    assert not any(t.startswith(("Canvas", "Studio", "Voice")) for t in texts(remembered))
    assert [d.reason for d in remembered.dropped] == [
        "navigation: where a menu was seen in an earlier capture, its items changed"]
    # the processors the policy introduces stay, the one added with them
    assert texts(remembered)[4:8] == ["Cloud Hosting Inc.", "Mail Delivery Ltd", "Payments GmbH", "Analytics Co"]


def test_list_the_policy_introduces_is_kept_whatever_earlier_captures_judged():
    doc = page("menu-and-processors-later.html")
    processors = ("cloud hosting inc.", "mail delivery ltd", "payments gmbh", "analytics co")
    at_its_place = LinkList(("a", "b", "c"), "these processors receive your personal information on our behalf:",
                            "each of them is bound by a data processing agreement and may use the data only t")
    for memory in (LinkList(processors), at_its_place):
        remembered = page("menu-and-processors-later.html", (memory,))
        assert "Analytics Co" in texts(remembered) and "Canvas - draw with data" in texts(remembered)
        assert texts(remembered) == texts(doc)


def test_list_sharing_few_items_with_a_remembered_menu_elsewhere_is_kept():
    elsewhere = LinkList(("canvas - draw with data", "studio - build your own apps", "pricing", "blog", "careers"))
    assert "Voice - just talk to it" in texts(page("menu-and-processors-later.html", (elsewhere,)))


def test_list_holding_most_of_a_menu_dropped_in_the_same_page_goes_with_it():
    doc = page("menu-repeated-in-part.html")
    assert not any(t in ("Chat", "Search", "Agents") for t in texts(doc))
    assert [d.reason for d in doc.dropped] == ["navigation: a link list at the edge of the content",
                                               "navigation: the items of a menu seen elsewhere in the page"]


@pytest.mark.parametrize("path", [*sorted(SCOPE.glob("*.html")), *sorted(PAGES.glob("*.html"))],
                         ids=lambda p: p.name)
def test_a_page_normalised_with_its_own_navigation_is_unchanged(path):
    """The same bytes give the same version whatever the memory their own captures left."""
    body = path.read_bytes()
    doc = normalize(body)
    assert normalize(body, navigation=doc.navigation).blocks == doc.blocks


def _guides_page(closing: str) -> bytes:
    prose = "".join(f"<p>We explain here how we handle the personal data of our members, part {n}.</p>"
                    for n in range(6))
    guides = "".join(f'<li><a href="/help/{n}">Guide to {n}</a></li>' for n in ("exports", "deletion", "consent"))
    return f"<html><body><main><h1>Privacy Policy</h1>{prose}<ul>{guides}</ul>{closing}</main></body></html>".encode()


def test_list_an_earlier_capture_kept_stays_when_the_layout_puts_it_at_the_edge():
    earlier = normalize(_guides_page("<p>Write to our data protection officer for anything else.</p>"))
    assert "Guide to deletion" in texts(earlier) and earlier.dropped == ()
    assert [k.items for k in earlier.kept_lists] == [("guide to exports", "guide to deletion", "guide to consent")]
    alone = normalize(_guides_page(""))  # the closing line went: the list now ends the content
    assert "Guide to deletion" not in texts(alone)
    assert [d.reason for d in alone.dropped] == ["navigation: a link list at the edge of the content"]
    remembered = normalize(_guides_page(""), navigation=earlier.navigation)
    assert "Guide to deletion" in texts(remembered) and remembered.dropped == ()


def test_the_latest_decision_about_a_list_is_taken_again():
    kept = normalize(_guides_page("<p>Write to our data protection officer for anything else.</p>")).kept_lists[0]
    dropped_later = LinkList(kept.items, "somewhere", "else")  # judged navigation by a later capture
    doc = normalize(_guides_page(""), navigation=(kept, dropped_later))
    assert "Guide to deletion" not in texts(doc)
    doc = normalize(_guides_page(""), navigation=(dropped_later, kept))
    assert "Guide to deletion" in texts(doc)


BODY = "".join(f"<h2>Part {n}</h2><p>We explain here one more way in which we process the personal data of users.</p>"
               for n in range(4))
LANGUAGES = ('<div class="languages"><a href="?hl=en">English</a> | <a href="?hl=de">Deutsch</a> | '
             '<a href="?hl=fr">Français</a> | <a href="?hl=es">Español</a></div>')


@pytest.mark.parametrize("line", ["<p>Last updated: May 5, 2025</p>", "<p><em>Tuesday, July 29, 2025</em></p>",
                                  "<div>Effective date: Mar 18, 2026</div>", "<p>Contact us</p>"])
def test_a_row_of_languages_under_the_title_and_a_line_of_a_few_words_is_at_the_edge(line):
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{line}{LANGUAGES}{BODY}</main></body></html>".encode())
    assert "English | Deutsch | Français | Español" not in texts(doc) and "English" not in texts(doc)
    assert [d.reason for d in doc.dropped] == ["navigation: a link list at the edge of the content"]


def test_a_row_of_links_after_a_sentence_of_the_policy_stays():
    sentence = "<p>We publish this policy in the four languages our members write to us in.</p>"
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{sentence}{LANGUAGES}{BODY}</main></body></html>".encode())
    assert not doc.dropped


@pytest.mark.parametrize("line", ["<p>联系我们</p>", "<p>百度隐私政策总则</p>"])
def test_a_row_of_languages_under_a_short_chinese_line_is_at_the_edge(line):
    """Each character of Chinese counts as a word: a title of eight characters is no sentence."""
    body = "".join(f"<h2>第{n}部分</h2><p>我们在这里说明我们如何收集、使用和保护您的个人信息，以及您可以如何行使您的权利。</p>"
                   for n in range(4))
    doc = normalize(f"<html><body><main><h1>隐私政策</h1>{line}{LANGUAGES}{body}</main></body></html>".encode())
    assert not any("Deutsch" in t for t in texts(doc))
