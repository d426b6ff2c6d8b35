"""Flips in shapes of their own: a plain table of contents, one linking through the page's
address then by fragments alone, a product menu away from the content's edge, a closed
<details> notice in the middle of the policy, a cookie banner without class names, a flip in
a history whose pages are re-flowed, two flips of different parts in a row, a flip whose
next capture is an error page (the capture after it tells) or holds a real edit elsewhere, a
flip lasting two captures, one whose section comes back with a small edit, and a product
menu right under the policy's title whose items change. The capture with the flip starts no
version; a section missing from three captures, from the newest ones, from the first one, or
whose place holds another text is a version, and a section added and then rewritten is two.
Through the archive server on loopback."""

import pytest
from capture_history import history, placed, versions_of

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

SECTIONS = {
    "What the studio collects": ["Kestrel Studio keeps the name, e-mail address and billing country of each customer.",
                                 "The editor stores the projects you save and the fonts you upload to them."],
    "Why it is used": ["The studio uses these records to run your workspace and to send the invoices you owe.",
                       "Crash reports help the studio fix faults; they never hold the text of your projects."],
    "Who else sees it": ["A hosting firm and a payment firm process records for the studio under written contracts.",
                         "The studio answers a court order only after its lawyer has checked that it binds."],
    "How long it is kept": ["Projects stay until you delete them; invoices stay for the ten years the tax office asks."],
}


def body(sections=SECTIONS, heading="h2", joined=False) -> str:
    parts = []
    for title, paragraphs in sections.items():
        parts.append(f"<{heading}>{title}</{heading}>")
        parts.append("<p>" + "<br>".join(paragraphs) + "</p>" if joined else "".join(f"<p>{p}</p>" for p in paragraphs))
    return "".join(parts)


def page(content: str, before: str = "", after: str = "") -> bytes:
    return (f"<html><head><title>Privacy - Kestrel Studio</title></head><body><main><h1>Privacy Policy</h1>"
            f"{before}{content}{after}</main></body></html>").encode()


def test_a_plain_table_of_contents_missing_once(database_url, tmp_path, archive, inbox):
    toc = "<p>On this page:</p><ol>" + "".join(f"<li>{t}</li>" for t in SECTIONS) + "</ol>"
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body(), toc), "20250201000000": page(body()),
        "20250301000000": page(body(), toc)})
    assert versions_of(world) == [1, 1, 1]


def test_a_table_of_contents_linking_through_the_pages_address_then_by_fragments(database_url, tmp_path,
                                                                                    archive, inbox):
    def toc(address: str) -> str:
        return "<ul>" + "".join(f"<li><a href='{address}#s{n}'>{t}</a></li>" for n, t in enumerate(SECTIONS)) + "</ul>"
    anchored = "".join(f"<h2 id='s{n}'>{t}</h2>" + "".join(f"<p>{p}</p>" for p in paragraphs)
                       for n, (t, paragraphs) in enumerate(SECTIONS.items()))
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(anchored, toc("https://kestrel.example/privacy")),
        "20250201000000": page(anchored, toc("")),
        "20250301000000": page(anchored.replace("ten years", "seven years"), toc(""))})
    assert versions_of(world) == [1, 1, 2]


def test_a_product_menu_away_from_the_edge_once(database_url, tmp_path, archive, inbox):
    menu = ("<ul>" + "".join(f"<li><a href='/{p.lower()}'>{p}</a></li>" for p in ("Editor", "Fonts", "Pricing", "Blog"))
            + "</ul>")
    desk = "<p>Write to the studio's privacy desk with any question about these records.</p>"
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body(), after=desk + menu),
        "20250201000000": page(body(), after=menu + desk),  # not at the edge: told by the first capture
        "20250301000000": page(body(), after=desk + menu)})
    rows = placed(world)
    assert versions_of(world) == [1, 1, 1]
    assert [d["reason"] for d in rows["20250201000000"][1]["dropped"]] == [
        "navigation: the items of a menu seen in an earlier capture"]


def test_a_closed_notice_in_the_middle_of_the_policy(database_url, tmp_path, archive, inbox):
    notice = ("<details open><summary>Notice to residents of the Northern Isles</summary>"
              "<p>Residents of the isles may also write to the island data office about any record.</p></details>")
    closed = "<details><summary>Notice to residents of the Northern Isles</summary></details>"
    first, rest = body(dict(list(SECTIONS.items())[:2])), body(dict(list(SECTIONS.items())[2:]))
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(first + notice + rest), "20250201000000": page(first + closed + rest),
        "20250301000000": page(first + notice + rest)})
    assert versions_of(world) == [1, 1, 1]


def test_a_cookie_banner_without_class_names_shown_once(database_url, tmp_path, archive, inbox):
    banner = ("<div><p>Small files help this studio's site work and tell us which pages are read.</p>"
              "<p><a href='#'>Allow all</a> <a href='#'>Only the needed ones</a></p></div>")
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body()), "20250201000000": page(body(), banner),
        "20250301000000": page(body())})
    assert versions_of(world) == [1, 1, 1]


def test_a_flip_in_a_history_of_reflowed_pages(database_url, tmp_path, archive, inbox):
    fewer = dict(list(SECTIONS.items())[:3])
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body()), "20250201000000": page(body(joined=True)),
        "20250301000000": page(body(fewer, joined=True)), "20250401000000": page(body(joined=True))})
    assert versions_of(world) == [1, 1, 1, 1]


def test_a_flip_whose_next_capture_is_reflowed(database_url, tmp_path, archive, inbox):
    fewer = dict(list(SECTIONS.items())[:3])
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body()), "20250201000000": page(body(fewer)),
        "20250301000000": page(body(joined=True))})
    assert versions_of(world) == [1, 1, 1]


def test_two_flips_of_different_parts_in_a_row(database_url, tmp_path, archive, inbox):
    fewer = dict(list(SECTIONS.items())[:3])
    notice = "<h2>Notice to residents of the Northern Isles</h2><p>Residents may also write to the island office.</p>"
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body()), "20250201000000": page(body(fewer)),
        "20250301000000": page(body(), after=notice), "20250401000000": page(body())})
    rows = placed(world)
    assert versions_of(world) == [1, 1, 1, 1]
    assert all("a flip" in rows[ts][1]["note"] for ts in ("20250201000000", "20250301000000"))


def test_a_flip_told_by_the_capture_after_an_error_page(database_url, tmp_path, archive, inbox):
    fewer = dict(list(SECTIONS.items())[:3])
    error = b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body()), "20250201000000": page(body(fewer)),
        "20250301000000": error, "20250401000000": page(body())})
    assert versions_of(world) == [1, 1, None, 1]


def test_a_flip_whose_next_capture_holds_a_real_edit(database_url, tmp_path, archive, inbox):
    fewer = dict(list(SECTIONS.items())[:3])
    edited = page(body()).replace(b"billing country", b"postal address")
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body()), "20250201000000": page(body(fewer)), "20250301000000": edited})
    assert versions_of(world) == [1, 1, 2]


def test_a_section_added_then_edited_is_two_versions_not_a_flip(database_url, tmp_path, archive, inbox):
    notice = ("<h2>Notice to residents of the Northern Isles</h2><p>Residents may also write to the island office, "
              "which answers within a month and keeps no copy of the letter.</p>")
    edited = ("<h2>Island residents</h2><p>Residents may also write to the island office, which answers within "
              "a month by e-mail.</p>")  # rewritten at both ends
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body()), "20250201000000": page(body(), after=notice),
        "20250301000000": page(body(), after=edited)})
    assert versions_of(world) == [1, 2, 3]


def test_a_section_missing_from_two_captures_in_a_row(database_url, tmp_path, archive, inbox):
    fewer = dict(list(SECTIONS.items())[:3])
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body()), "20250201000000": page(body(fewer)),
        "20250301000000": page(body(fewer, joined=True)), "20250401000000": page(body())})
    rows = placed(world)
    assert versions_of(world) == [1, 1, 1, 1]
    assert "missing in this capture and the next 1 (" in rows["20250201000000"][1]["note"]
    assert "missing in this capture only" in rows["20250301000000"][1]["note"]


def test_a_section_missing_from_three_captures_is_a_version(database_url, tmp_path, archive, inbox):
    fewer = dict(list(SECTIONS.items())[:3])
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body()), "20250201000000": page(body(fewer)),
        "20250301000000": page(body(fewer)) + b" ", "20250401000000": page(body(fewer)) + b"  ",
        "20250501000000": page(body())})
    assert versions_of(world) == [1, 2, 2, 2, 3]


def test_a_section_missing_from_the_two_newest_captures_is_a_version(database_url, tmp_path, archive, inbox):
    fewer = dict(list(SECTIONS.items())[:3])
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body()), "20250201000000": page(body(fewer)),
        "20250301000000": page(body(fewer)) + b" "})
    assert versions_of(world) == [1, 2, 2]


def test_a_missing_section_back_with_a_small_edit(database_url, tmp_path, archive, inbox):
    fewer = dict(list(SECTIONS.items())[:3])
    edited = page(body()).replace(b"ten years", b"seven years")
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body()), "20250201000000": page(body(fewer)), "20250301000000": edited})
    rows = placed(world)
    assert versions_of(world) == [1, 1, 2]
    assert "'How long it is kept' and 1 more clause missing" in rows["20250201000000"][1]["note"]


def test_a_missing_section_whose_place_holds_another_text_is_a_version(database_url, tmp_path, archive, inbox):
    fewer = dict(list(SECTIONS.items())[:3])
    other = {**fewer, "How long it is kept": ["Records are erased a month after the account is closed, backups too."]}
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body()), "20250201000000": page(body(fewer)), "20250301000000": page(body(other))})
    assert versions_of(world) == [1, 2, 3]


def test_a_product_menu_right_under_the_title_that_changes(database_url, tmp_path, archive, inbox):
    def menu(*products: str) -> str:
        return "<ul>" + "".join(f"<li><a href='/{p.lower()}'>{p}</a></li>" for p in products) + "</ul>"
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body(), menu("Editor", "Fonts", "Pricing", "Blog")),
        "20250201000000": page(body(), menu("Editor", "Fonts", "Templates", "Pricing", "Blog")),
        "20250301000000": page(body(), menu("Studio", "Type library", "Plans")),
        "20250401000000": page(body().replace("ten years", "seven years"), menu("Studio", "Type library", "Plans"))})
    assert versions_of(world) == [1, 1, 1, 2]


def test_a_section_missing_from_the_first_capture_only_is_a_version(database_url, tmp_path, archive, inbox):
    """Nothing before the first capture to agree with: it reads as a section added after it."""
    fewer = dict(list(SECTIONS.items())[:3])
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(body(fewer)), "20250201000000": page(body()), "20250301000000": page(body()) + b" "})
    assert versions_of(world) == [1, 2, 2]
