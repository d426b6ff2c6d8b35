"""Flips of page chrome the normalizer keeps as text (a cookie banner whose buttons are form
controls, a help box, a newsletter box, a regional notice's accordion): several in one
capture (a template variant that leaves out, or shows, a banner at the top and a help box at
the bottom at once), or one in the capture that makes a real edit.
Such a capture starts no version of its own; the same parts gone for good, back but one, or a
large part missing at an edit, are versions. And chrome that changes without flipping:
breadcrumbs, a mega-menu of groups under the title, a copyright line and a tool row under it.
Through the archive server on loopback."""

import pytest
from capture_history import history, placed, versions_of
from sqlalchemy import select

from tracker.store.models import ClauseChange

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

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
HELP = ("<div><h3>Need help with an order?</h3><p>Our shop staff answer calls every day from eight until eight, "
        "weekends included.</p></div>")
MENU = ("<ul><li>Breads<ul><li><a href='/rye'>Rye</a></li><li><a href='/spelt'>Spelt</a></li></ul></li>"
        "<li>Cakes<ul><li><a href='/tarts'>Tarts</a></li><li><a href='/buns'>Buns</a></li></ul></li></ul>")
CALIFORNIA = ("<div><button>For California residents</button><div><p>California residents may ask the bakery "
              "which records it holds about them and ask it to delete them.</p></div></div>")


def body(sections=SECTIONS) -> str:
    return "".join(f"<h2>{t}</h2>" + "".join(f"<p>{p}</p>" for p in ps) for t, ps in sections.items())


def page(top: str = "", bottom: str = "", content: str = "", crumbs: str = "") -> bytes:
    return (f"<html><head><title>Privacy - Loafhouse</title></head><body><main>{crumbs}<h1>Privacy Policy</h1>"
            f"{top}{content or body()}{bottom}</main></body></html>").encode()


@pytest.mark.parametrize(("shown", "flipped", "runs"), [
    (dict(top=COOKIES, bottom=HELP), dict(), 2),  # both missing
    (dict(top=NEWSLETTER, bottom=HELP), dict(), 2),
    (dict(top=HELP, bottom=CALIFORNIA), dict(), 2),  # a help box and a notice's text
    (dict(), dict(top=COOKIES, bottom=HELP), 2),  # both shown once
    (dict(top=HELP), dict(bottom=COOKIES), 2),  # one missing, another shown
    (dict(top=HELP, bottom=CALIFORNIA), dict(crumbs=COOKIES), 3),  # two missing, a third shown above the title
], ids=["banner+help", "newsletter+help", "help+notice", "two-shown", "swapped", "three"])
def test_several_parts_flipped_in_one_capture(shown, flipped, runs, database_url, tmp_path, archive, inbox):
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(**shown), "20250201000000": page(**flipped), "20250301000000": page(**shown) + b" "})
    assert versions_of(world) == [1, 1, 1]
    note = placed(world)["20250201000000"][1]["note"]
    assert note.startswith("a flip: ") and note.count(" missing") + note.count(" shown") == runs


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


SHOPS = ["the market hall", "the station kiosk", "the harbour shop", "the old mill", "the school canteen",
         "the night bakery", "the north depot", "the river stall"]
LONG = body() + "".join(  # a policy's length: the parts flipped beside an edit are a small share of it
    f"<h2>Orders collected at {shop}</h2><p>Staff at {shop} see the name on an order and its pick-up time, and "
    f"nothing else; slips printed for {shop} are shredded each evening after closing.</p>" for shop in SHOPS)
EDITED = LONG.replace("six years", "seven years")


@pytest.mark.parametrize(("shown", "flipped"), [
    (dict(top=COOKIES), dict()),  # the banner missing from the capture that makes the edit
    (dict(top=HELP, bottom=COOKIES), dict()),
    (dict(bottom=CALIFORNIA), dict(top=NEWSLETTER)),
    (dict(), dict(crumbs=COOKIES)),  # shown in that capture only
], ids=["banner", "help+banner", "notice+newsletter", "banner-shown"])
def test_a_flip_in_the_capture_that_makes_an_edit(shown, flipped, database_url, tmp_path, archive, inbox):
    """The edit is a version; the part that capture alone lacks or shows is no second one
    when it is back as before."""
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(**shown, content=LONG), "20250201000000": page(**flipped, content=EDITED),
        "20250301000000": page(**shown, content=EDITED), "20250401000000": page(**shown, content=EDITED) + b" "})
    rows = placed(world)
    assert versions_of(world) == [1, 2, 2, 2]
    assert "a version of the next capture's text" in rows["20250201000000"][1]["note"]
    with world.sessions() as session:
        assert session.scalars(select(ClauseChange.kind).where(ClauseChange.kind != "unchanged")).all() == ["modified"]


def test_a_section_missing_with_an_edit_then_back_edited_is_each_a_version(database_url, tmp_path, archive, inbox):
    """The section comes back rewritten: the capture lacking it is not the next one's text."""
    without = body({t: ps for t, ps in SECTIONS.items() if t != "Who else sees it"}).replace("six years", "seven years")
    rewritten = EDITED.replace("a written contract", "a signed contract")
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(), "20250201000000": page(content=without), "20250301000000": page(content=rewritten)})
    assert versions_of(world) == [1, 2, 3]


def test_a_section_added_with_an_edit_and_kept_is_one_version(database_url, tmp_path, archive, inbox):
    added = EDITED + CALIFORNIA
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(), "20250201000000": page(content=added), "20250301000000": page(content=added) + b" "})
    assert versions_of(world) == [1, 2, 2]


def test_a_large_part_missing_from_the_capture_that_makes_an_edit_is_a_version(database_url, tmp_path, archive,
                                                                              inbox):
    """A fifth of the policy missing when it is edited may be a part of the edit, put back
    later: each is a version."""
    shops = "".join(f"<tr><td>{shop}</td><td>the name on an order and its pick-up time</td></tr>" for shop in SHOPS)
    table = f"<h2>Who sees an order</h2><table>{shops}</table>"
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(content=LONG + table), "20250201000000": page(content=EDITED),
        "20250301000000": page(content=EDITED + table)})
    assert versions_of(world) == [1, 2, 3]


def test_breadcrumbs_whose_trail_changes(database_url, tmp_path, archive, inbox):
    """The trail leaves the page itself unlinked, as its title: it is no text of the policy."""
    moved = BREADCRUMBS.replace("<a href='/legal'>Legal</a>", "<a href='/help'>Help centre</a>")
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(crumbs=BREADCRUMBS), "20250201000000": page(crumbs=moved),
        "20250301000000": page(crumbs=moved) + b" ", "20250401000000": page(crumbs=moved, content=EDITED)})
    assert versions_of(world) == [1, 1, 1, 2]


def test_a_mega_menu_under_the_title_whose_groups_change(database_url, tmp_path, archive, inbox):
    """Group labels over lists of links: a menu, dropped, whatever its items."""
    other = MENU.replace("<li><a href='/spelt'>Spelt</a></li>", "").replace("Cakes", "Pastries")
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(top=MENU), "20250201000000": page(top=other),
        "20250301000000": page(top=MENU, content=EDITED)})
    assert versions_of(world) == [1, 1, 2]


def test_a_copyright_line_and_a_tool_row_under_the_title(database_url, tmp_path, archive, inbox):
    """Widgets under the title, its year changing: no text of the policy."""
    def top(year: int) -> str:
        return f"<p>© {year} Loafhouse Bakeries Ltd</p><p>Print this page · Download PDF</p>"
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(top=top(2025)), "20260201000000": page(top=top(2026)),
        "20260301000000": page(top=top(2026), content=EDITED)})
    assert versions_of(world) == [1, 1, 2]


def test_a_newsletter_box_whose_heading_changes(database_url, tmp_path, archive, inbox):
    """At the end, the sign-up goes with its own heading, whatever it says."""
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(bottom=NEWSLETTER), "20250201000000": page(bottom=NEWSLETTER.replace("Fresh", "Hot")),
        "20250301000000": page(bottom=NEWSLETTER, content=EDITED)})
    assert versions_of(world) == [1, 1, 2]
