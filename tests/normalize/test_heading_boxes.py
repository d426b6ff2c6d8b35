"""Section titles that class and id names misread as chrome: a heading wrapping a box named for
the in-page navigation that targets it (`<h2><div class="navigation-block" id="sharing">2.
Sharing</div></h2>`), and a title styled as a paragraph whose id is its own text made a slug
(`<p id="why-no-consent-banner"><strong>Why no consent banner?</strong></p>`)."""

import pytest

from tracker.normalize import normalize

SECTION = "<p>We share your data only with the processors that host our service, under contract with us.</p>"


@pytest.mark.parametrize("box", ['<div class="navigation-block" id="s{n}">', '<span class="nav-anchor" id="s{n}">',
                                 '<div class="toc-target" id="s{n}">', '<a class="menu-anchor" name="s{n}">'])
def test_a_title_inside_a_navigation_target_box_is_kept(box):
    close = "</" + box[1:box.index(" ")] + ">"
    body = "".join(f"<h2>{box.format(n=n)}{n}. Part {n} of the policy{close}</h2>{SECTION}" for n in range(1, 5))
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{body}</main></body></html>".encode())
    assert [b.text for b in doc.blocks if b.kind == "heading"] == [
        "Privacy Policy", "1. Part 1 of the policy", "2. Part 2 of the policy", "3. Part 3 of the policy",
        "4. Part 4 of the policy"]


def test_a_menu_inside_the_page_header_still_goes():
    menu = '<div class="navigation"><a href="/">Home</a> <a href="/blog">Blog</a> <a href="/jobs">Jobs</a></div>'
    doc = normalize(f"<html><body><header>{menu}</header><main><h1>Privacy Policy</h1>{SECTION * 4}"
                    f"</main></body></html>".encode())
    assert not any("Blog" in b.text for b in doc.blocks)


@pytest.mark.parametrize("title", ["Why doesn't this website show a consent banner for cookies?",
                                   "Cookie consent notice for visitors from the EU", "Site navigation and menus"])
def test_a_styled_title_whose_id_is_its_own_slug_is_kept(title):
    slug = "-".join("".join(c for c in word if c.isalnum()) for word in title.lower().split())
    body = f'<p class="section-title" id="{slug}"><strong>{title}</strong></p>{SECTION}'
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{SECTION * 3}{body}</main></body></html>".encode())
    assert title in [b.text for b in doc.blocks]


def test_a_consent_banner_named_so_still_goes():
    banner = ('<div id="cookie-consent-banner"><p>We use cookies to improve your experience on our site.</p>'
              '<a href="#">Accept</a></div>')
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{SECTION * 4}{banner}</main></body></html>".encode())
    assert not any("improve your experience" in b.text for b in doc.blocks)
