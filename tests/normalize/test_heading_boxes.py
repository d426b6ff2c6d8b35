"""A section title whose heading wraps a box named for the in-page navigation that targets it
(`<h2><div class="navigation-block" id="sharing">2. Sharing</div></h2>`): the box is the
title's, not a menu, whatever its class says."""

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
