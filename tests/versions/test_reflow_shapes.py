"""Re-flows in shapes of their own: the next capture holds exactly the same words in the
same order, split into other blocks (a list run into its lead-in sentence, text loose in
<div>s, a heading run into its paragraph, a definition list become a table, lines become
list items, a layout table become paragraphs, a list of links under its label become lines
of one paragraph, list items become paragraphs that type their numbers or bullets, a list of
links become a row of links set apart by dots). Each is a capture of the same version; a
real edit after it is still a version. Through the archive server on loopback."""

import pytest
from capture_history import history, placed, versions_of

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

TITLE = "<h1>Privacy Policy</h1><p>Tidewater Books, effective 2 February 2025.</p>"
ACCOUNT = "Tidewater Books keeps a reading account for each member of the lending circle."
CONTACT = "Questions about this notice go to the circle's data steward by post or by e-mail."
PADDING = "".join(f"<p>Part {n} describes one more way the circle looks after the records of its members.</p>"
                  for n in range(5))


def page(body: str, end: str = "") -> bytes:
    return f"<html><body><main>{TITLE}<p>{ACCOUNT}</p>{body}{PADDING}<p>{CONTACT}</p>{end}</main></body></html>".encode()


def edited(body: str, end: str = "") -> bytes:
    return page(body, end).replace(b"by post or by e-mail", b"by e-mail only")


def reflowed(database_url, tmp_path, archive, inbox, before: str, after: str) -> list[int | None]:
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(before), "20250201000000": page(after), "20250301000000": edited(after)})
    return versions_of(world)


def test_a_list_run_into_its_lead_in_sentence(database_url, tmp_path, archive, inbox):
    items = ["the name on your card;", "the e-mail address you sign in with;", "the books you borrow and return."]
    listed = "<p>We record:</p><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
    run_in = "<p>We record: " + " ".join(items) + "</p>"
    assert reflowed(database_url, tmp_path, archive, inbox, listed, run_in) == [1, 1, 2]


def test_text_loose_in_divs_become_paragraphs(database_url, tmp_path, archive, inbox):
    lines = ["Loans are kept for two years after the book comes back.",
             "Fines are kept for as long as tax law asks, then erased.",
             "Reading lists are yours and go when you delete them."]
    soup = f"<div class='copy'>{lines[0]}<div class='row'>{lines[1]}</div>{lines[2]}</div>"
    paragraphs = "".join(f"<p>{line}</p>" for line in lines)
    assert reflowed(database_url, tmp_path, archive, inbox, soup, paragraphs) == [1, 1, 2]


def test_a_heading_run_into_its_paragraph_in_bold(database_url, tmp_path, archive, inbox):
    text = "The site sets one cookie that remembers your language and nothing more."
    heading = f"<h3>Cookies</h3><p>{text}</p>"
    run_in = f"<p><strong>Cookies</strong> {text}</p>"
    assert reflowed(database_url, tmp_path, archive, inbox, heading, run_in) == [1, 1, 2]


def test_a_definition_list_become_a_table(database_url, tmp_path, archive, inbox):
    rows = [("Membership records", "Until you leave the circle"), ("Loan history", "Two years"),
            ("Donations", "Six years, as charity law requires")]
    terms = "<dl>" + "".join(f"<dt>{a}</dt><dd>{b}</dd>" for a, b in rows) + "</dl>"
    table = "<table>" + "".join(f"<tr><th>{a}</th><td>{b}</td></tr>" for a, b in rows) + "</table>"
    assert reflowed(database_url, tmp_path, archive, inbox, terms, table) == [1, 1, 2]


def test_lines_of_an_address_become_list_items(database_url, tmp_path, archive, inbox):
    lines = ["Tidewater Books lending circle", "4 Ropewalk Lane", "Saltmarsh SM1 2AB"]
    address = "<p>" + "<br>".join(lines) + "</p>"
    items = "<ul class='address'>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"
    assert reflowed(database_url, tmp_path, archive, inbox, address, items) == [1, 1, 2]


def test_a_layout_table_become_paragraphs(database_url, tmp_path, archive, inbox):
    cells = ["Members may ask for a copy of every record the circle keeps about them.",
             "Members may ask the steward to correct a record that is wrong or to erase one."]
    layout = "<table><tr><td><p>" + "</p><p>".join(cells) + "</p></td></tr></table>"
    paragraphs = "<div><p>" + "</p></div><div><p>".join(cells) + "</p></div>"
    assert reflowed(database_url, tmp_path, archive, inbox, layout, paragraphs) == [1, 1, 2]


def test_a_list_of_links_to_other_sites_and_its_lines_under_its_label(database_url, tmp_path, archive, inbox):
    links = [("https://optout.example/ads", "Advertising opt-out"), ("https://choices.example", "Your online choices"),
             ("https://nai.example/optout", "Network opt-out")]
    label = "To refuse targeted advertising, use:"
    lines = f"<p>{label}<br>" + "<br>".join(f"<a href='{u}'>{t}</a>" for u, t in links) + "</p>"
    listed = f"<p>{label}</p><ul>" + "".join(f"<li><a href='{u}'>{t}</a></li>" for u, t in links) + "</ul>"
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page("", lines), "20250201000000": page("", listed),
        "20250301000000": edited("", listed)})
    assert versions_of(world) == [1, 1, 2]
    dropped = [d for _, scope in placed(world).values() for d in (scope or {}).get("dropped", ())]
    assert not dropped  # the policy's links, in both forms: never navigation


def test_list_items_become_paragraphs_typing_their_numbers_or_bullets(database_url, tmp_path, archive, inbox):
    items = ["the name on your card;", "the e-mail address you sign in with;", "the books you borrow and return."]
    ordered = "<p>We record:</p><ol>" + "".join(f"<li>{i}</li>" for i in items) + "</ol>"
    numbered = "<p>We record:</p>" + "".join(f"<p>{n}. {i}</p>" for n, i in enumerate(items, 1))
    assert reflowed(database_url, tmp_path, archive, inbox, ordered, numbered) == [1, 1, 2]


def test_bulleted_paragraphs_become_list_items(database_url, tmp_path, archive, inbox):
    items = ["Members may ask for a copy of their records.", "Members may ask us to correct a record."]
    bulleted = "".join(f"<p>• {i}</p>" for i in items)
    listed = "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
    assert reflowed(database_url, tmp_path, archive, inbox, bulleted, listed) == [1, 1, 2]


def test_a_list_of_links_become_a_row_set_apart_by_dots(database_url, tmp_path, archive, inbox):
    links = [("https://pay.example", "Payment processor"), ("https://mail.example", "Mail delivery service"),
             ("https://host.example", "Hosting provider")]
    label = "<p>The circle shares records only with these processors, under contract:</p>"
    listed = label + "<ul>" + "".join(f"<li><a href='{u}'>{t}</a></li>" for u, t in links) + "</ul>"
    row = label + "<p>" + " · ".join(f"<a href='{u}'>{t}</a>" for u, t in links) + "</p>"
    assert reflowed(database_url, tmp_path, archive, inbox, listed, row) == [1, 1, 2]
