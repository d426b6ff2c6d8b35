"""Re-flows at the divisions of a text: one capture divides the text (a heading, a table's
cells, list items, a "Top" link between sections) where the next runs it in, setting there
only the marks a page sets at such a place (a heading's stop or colon, "Term: definition",
typed list numbers), or types a dash as two hyphens. Each is a capture of the same version;
a one-word edit among the same re-flow is a version. Through the archive server on loopback."""

import pytest
from capture_history import history, versions_of

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

TITLE = "<h1>Privacy Policy</h1><p>Harbour Clinic, effective 2 February 2025.</p>"
FILE = "The clinic keeps one file for each patient it treats, on paper and on its own server."
CONTACT = "Questions about this notice go to the clinic's records officer by post or by e-mail."
PADDING = "".join(f"<p>Part {n} describes one more way the clinic looks after the records of its patients.</p>"
                  for n in range(5))
COOKIES = "The booking page sets one cookie that remembers your language and nothing more."
ADS = "The clinic never shows advertising and never lets another company place a cookie."
ITEMS = ["your name and date of birth;", "the name of your doctor;", "the results of your tests."]
ROWS = [("Patient files", "Ten years after the last visit"), ("Appointments", "Two years"),
        ("Invoices", "Seven years, as tax law requires")]


def page(body: str) -> bytes:
    return f"<html><body><main>{TITLE}<p>{FILE}</p>{body}{PADDING}<p>{CONTACT}</p></main></body></html>".encode()


def reflowed(database_url, tmp_path, archive, inbox, before: str, after: str, edit: tuple[str, str]) -> list:
    """The versions of a capture, its re-flow, and the re-flow with one word of `after` edited."""
    assert edit[0] in after
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(before), "20250201000000": page(after),
        "20250301000000": page(after.replace(*edit))})
    return versions_of(world)


HEADINGS = {
    "run in with a stop": (f"<h3>Cookies</h3><p>{COOKIES}</p>", f"<p><b>Cookies.</b> {COOKIES}</p>"),
    "run in with a colon": (f"<h3>Cookies</h3><p>{COOKIES}</p>", f"<p><strong>Cookies:</strong> {COOKIES}</p>"),
    "split out of its stop": (f"<p><b>Cookies.</b> {COOKIES}</p>", f"<h3>Cookies</h3><p>{COOKIES}</p>"),
    "given a colon": (f"<h3>Cookies</h3><p>{COOKIES}</p>", f"<h3>Cookies:</h3><p>{COOKIES}</p>"),
    "run in with a dash": (f"<h3>Cookies</h3><p>{COOKIES}</p>", f"<p><b>Cookies</b> – {COOKIES}</p>"),
}


@pytest.mark.parametrize("shape", HEADINGS)
def test_a_heading_run_into_its_paragraph_with_its_mark(database_url, tmp_path, archive, inbox, shape):
    before, after = HEADINGS[shape]
    assert reflowed(database_url, tmp_path, archive, inbox, before, after, ("one cookie", "two cookies")) == [1, 1, 2]


@pytest.mark.parametrize("shape", HEADINGS)
def test_a_heading_run_in_that_carries_a_one_word_edit_is_a_version(database_url, tmp_path, archive, inbox, shape):
    before, after = HEADINGS[shape]
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(before), "20250201000000": page(after.replace("nothing more", "little more"))})
    assert versions_of(world) == [1, 2]


def test_table_rows_become_terms_and_definitions_with_colons(database_url, tmp_path, archive, inbox):
    table = "<table>" + "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in ROWS) + "</table>"
    terms = "<ul>" + "".join(f"<li><b>{a}:</b> {b}</li>" for a, b in ROWS) + "</ul>"
    assert reflowed(database_url, tmp_path, archive, inbox, table, terms, ("Two years", "Three years")) == [1, 1, 2]


@pytest.mark.parametrize("typed", ["numbers", "letters"])
def test_list_items_typed_with_their_markers_in_one_paragraph(database_url, tmp_path, archive, inbox, typed):
    listed = "<p>We record:</p><ol>" + "".join(f"<li>{i}</li>" for i in ITEMS) + "</ol>"
    if typed == "numbers":
        run_in = "<p>We record: " + " ".join(f"{n}. {i}" for n, i in enumerate(ITEMS, 1)) + "</p>"
    else:
        run_in = "<p>We record:<br>" + "<br>".join(f"({n}) {i}" for n, i in zip("abc", ITEMS)) + "</p>"
    assert reflowed(database_url, tmp_path, archive, inbox, listed, run_in, ("doctor", "dentist")) == [1, 1, 2]


def test_a_list_item_dropped_where_the_list_is_run_in_is_a_version(database_url, tmp_path, archive, inbox):
    listed = "<p>We record:</p><ol>" + "".join(f"<li>{i}</li>" for i in ITEMS) + "</ol>"
    typed = "<p>We record: " + " ".join(f"{n}. {i}" for n, i in enumerate(ITEMS, 1) if n != 2) + "</p>"
    world = history(database_url, tmp_path, archive, inbox, {"20250101000000": page(listed),
                                                             "20250201000000": page(typed)})
    assert versions_of(world) == [1, 2]


def test_a_dash_typed_as_two_hyphens(database_url, tmp_path, archive, inbox):
    dashed = f"<p>{ADS.replace(' and never', ' — and never')}</p>"
    typed = f"<p>{ADS.replace(' and never', ' -- and never')}</p>"
    assert reflowed(database_url, tmp_path, archive, inbox, dashed, typed, ("another company", "a company")) == [1, 1, 2]


@pytest.mark.parametrize("link", ["↑ Top", "Top", "▲ top"])
def test_a_top_link_appearing_between_sections(database_url, tmp_path, archive, inbox, link):
    sections = f"<h2>Cookies</h2><p>{COOKIES}</p><h2>Advertising</h2><p>{ADS}</p>"
    linked = sections.replace("<h2>Advertising", f"<p><a href='#top'>{link}</a></p><h2>Advertising")
    assert reflowed(database_url, tmp_path, archive, inbox, sections, linked, ("never shows", "rarely shows")) == [1, 1, 2]


SAME = {
    "a <br> become paragraphs": (f"<p>{COOKIES}<br>{ADS}</p>", f"<p>{COOKIES}</p><p>{ADS}</p>"),
    "list items become paragraphs": ("<ul>" + "".join(f"<li>{i}</li>" for i in ITEMS) + "</ul>",
                                     "".join(f"<p>{i}</p>" for i in ITEMS)),
    "a table become a definition list": (
        "<table>" + "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in ROWS) + "</table>",
        "<dl>" + "".join(f"<dt>{a}</dt><dd>{b}</dd>" for a, b in ROWS) + "</dl>"),
    "words split across inline elements": (f"<p>{ADS}</p>", "<p>The clinic <span>never</span> shows ad<span>vertising"
                                           "</span><em> and</em> never lets another company place a cookie.</p>"),
    "soft hyphens and zero-width spaces": (f"<p>{ADS}</p>", "<p>" + ADS.replace("advertising", "adver&shy;tis\u200bing") + "</p>"),
    "non-breaking spaces": (f"<p>{ADS}</p>", f"<p>{ADS.replace(' ', '&nbsp;', 4)}</p>"),
    "curly quotes and dashes": (f"<p>{COOKIES.replace('your', 'the patient’s')} — “never” more.</p>",
                                f"<p>{COOKIES.replace('your', 'the patient' + chr(39) + 's')} - \"never\" more.</p>"),
    "a heading become an accordion's button": (
        f"<h3>Cookies</h3><p>{COOKIES}</p>",
        f"<h3><button aria-expanded='true' aria-controls='c'>Cookies</button></h3><div id='c'><p>{COOKIES}</p></div>"),
    "a heading given a permalink": (f"<h3>Cookies</h3><p>{COOKIES}</p><h3>Advertising</h3><p>{ADS}</p>",
                                    f"<h3 id='c'><a href='#c'>#</a> Cookies</h3><p>{COOKIES}</p>"
                                    f"<h3 id='a'>Advertising <a href='#a'>¶</a></h3><p>{ADS}</p>"),
    "an ordered list become typed numbers": ("<ol>" + "".join(f"<li>{i}</li>" for i in ITEMS) + "</ol>",
                                             "".join(f"<p>{n}) {i}</p>" for n, i in enumerate(ITEMS, 1))),
}


def test_a_list_become_paragraphs_and_back(database_url, tmp_path, archive, inbox):
    listed = "<p>We record:</p><ul>" + "".join(f"<li>{i}</li>" for i in ITEMS) + "</ul>"
    paragraphs = "<p>We record:</p>" + "".join(f"<p>{i}</p>" for i in ITEMS)
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(listed), "20250201000000": page(paragraphs), "20250301000000": page(listed),
        "20250401000000": page(paragraphs.replace("doctor", "dentist"))})
    assert versions_of(world) == [1, 1, 1, 2]


@pytest.mark.parametrize("shape", SAME)
def test_markup_around_the_same_words(database_url, tmp_path, archive, inbox, shape):
    before, after = SAME[shape]
    edit = next(e for e in (("never", "rarely"), ("doctor", "dentist"), ("Two years", "Three years"),
                            ("one cookie", "two cookies")) if e[0] in after)
    assert reflowed(database_url, tmp_path, archive, inbox, before, after, edit) == [1, 1, 2]


@pytest.mark.parametrize("joint", [", ", "; "])
def test_list_items_run_into_one_paragraph_set_apart_by_commas_or_semicolons(database_url, tmp_path, archive, inbox,
                                                                             joint):
    plain = [item.rstrip(";.") for item in ITEMS]
    listed = "<p>We record:</p><ul>" + "".join(f"<li>{i}</li>" for i in plain) + "</ul>"
    run_in = "<p>We record: " + joint.join(plain) + ".</p>"
    assert reflowed(database_url, tmp_path, archive, inbox, listed, run_in, ("doctor", "dentist")) == [1, 1, 2]


def test_a_heading_edited_inside_an_accordions_button_is_a_version(database_url, tmp_path, archive, inbox):
    """The button holds the section's title: its words are the policy's, and so is their edit."""
    def accordion(title: str) -> str:
        return f"<h3><button aria-expanded='true'>{title}</button></h3><div><p>{COOKIES}</p></div>"
    world = history(database_url, tmp_path, archive, inbox, {
        "20250101000000": page(f"<h3>Cookies</h3><p>{COOKIES}</p>"), "20250201000000": page(accordion("Cookies")),
        "20250301000000": page(accordion("Cookies and web beacons"))})
    assert versions_of(world) == [1, 1, 2]
