"""Flips of page chrome the normalizer keeps as text (a cookie banner without class names, a
"Print this page | Download PDF" row, a newsletter box, breadcrumbs, a product menu under the
title, a regional notice's accordion), several in one capture: a template variant that leaves
out, or shows, a banner at the top and a tool row at the bottom at once. The capture starts
no version; the same parts gone for good, or back but one, are versions. Through the archive
server on loopback."""

import pytest
from capture_history import history, placed, versions_of

SECTIONS = {
    "What the bakery collects": ["Loafhouse keeps the name, delivery address and phone number of each customer.",
                                 "The order form also stores the allergy notes you add to an order for the kitchen."],
    "Why it is used": ["The bakery uses these records to bake and deliver your order and to send the receipt.",
                       "Delivery drivers see the address and phone number of the orders they carry that day."],
    "Who else sees it": ["A card processor handles payments for the bakery under a written contract with it.",
                         "The bakery hands records to the police only when a judge orders it in writing."],
    "How long it is kept": ["Orders stay for six years because the tax office asks for them; notes go after a month."],
}
BREADCRUMBS = "<ol><li><a href='/'>Home</a></li><li><a href='/legal'>Legal</a></li><li>Privacy Policy</li></ol>"
NEWSLETTER = ("<div><h3>Fresh news</h3><p>Sign up for our newsletter and hear about new loaves first.</p>"
              "<form><input type='email'><button>Subscribe</button></form></div>")
COOKIES = ("<div><p>We use cookies to make this site work and to see which pages are read.</p>"
           "<button>Accept all</button><button>Reject</button></div>")
TOOLS = "<div><a href='javascript:window.print()'>Print this page</a> | <a href='/privacy.pdf'>Download PDF</a></div>"
MENU = ("<ul><li>Breads<ul><li><a href='/rye'>Rye</a></li><li><a href='/spelt'>Spelt</a></li></ul></li>"
        "<li>Cakes<ul><li><a href='/tarts'>Tarts</a></li><li><a href='/buns'>Buns</a></li></ul></li></ul>")
CALIFORNIA = ("<div><button>For California residents</button><div><p>California residents may ask the bakery "
              "which records it holds about them and ask it to delete them.</p></div></div>")


def body(sections=SECTIONS) -> str:
    return "".join(f"<h2>{t}</h2>" + "".join(f"<p>{p}</p>" for p in ps) for t, ps in sections.items())


def page(top: str = "", bottom: str = "", content: str = "", crumbs: str = "") -> bytes:
    return (f"<html><head><title>Privacy - Loafhouse</title></head><body><main>{crumbs}<h1>Privacy Policy</h1>"
            f"{top}{content or body()}{bottom}</main></body></html>").encode()


@pytest.mark.parametrize(("shown", "flipped"), [
    (dict(top=COOKIES, bottom=TOOLS), dict()),  # both missing
    (dict(crumbs=BREADCRUMBS, bottom=NEWSLETTER), dict()),
    (dict(top=MENU, bottom=CALIFORNIA), dict()),  # a menu and a notice's text
    (dict(), dict(top=COOKIES, bottom=NEWSLETTER)),  # both shown once
    (dict(crumbs=BREADCRUMBS), dict(bottom=COOKIES)),  # one missing, another shown
    (dict(top=TOOLS, bottom=CALIFORNIA), dict(crumbs=MENU)),  # two missing, a third shown above the title
], ids=["banner+tools", "crumbs+newsletter", "menu+notice", "two-shown", "swapped", "three"])
def test_several_parts_flipped_in_one_capture(shown, flipped, database_url, tmp_path, archive, inbox):
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(**shown), "20250201000000": page(**flipped), "20250301000000": page(**shown) + b" "})
    assert versions_of(world) == [1, 1, 1]
    assert placed(world)["20250201000000"][1]["note"].startswith("a flip: ")


def test_several_sections_gone_for_good_are_a_version(database_url, tmp_path, archive, inbox):
    fewer = body({t: ps for t, ps in SECTIONS.items() if t not in ("Why it is used", "How long it is kept")})
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(), "20250201000000": page(content=fewer), "20250301000000": page(content=fewer) + b" ",
        "20250401000000": page(content=fewer) + b"  "})
    assert versions_of(world) == [1, 2, 2, 2]


def test_two_parts_missing_once_and_one_of_them_back_is_a_version(database_url, tmp_path, archive, inbox):
    """The next capture must agree with the latest version about every run: a section that
    stays away is removed."""
    fewer = body({t: ps for t, ps in SECTIONS.items() if t != "How long it is kept"})
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(top=COOKIES), "20250201000000": page(content=fewer),
        "20250301000000": page(top=COOKIES, content=fewer), "20250401000000": page(top=COOKIES, content=fewer) + b" "})
    assert versions_of(world)[1] == 2
    assert versions_of(world)[-1] != 1
