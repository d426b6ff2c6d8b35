"""A policy rendered twice on one page (a responsive layout's two copies, a modal beside the
page, a copy whose paragraphs another template joins with <br>, one numbering its headings,
one lacking the "Last updated" line under the title, three breakpoints' copies, a print copy
in other markup, a copy for browsers without scripts, a short policy twice) is kept once; a
box of text the policy itself repeats stays twice, and so do table rows repeating items. An
overview the policy repeats atop each section (a tab bar with the same ids) is kept once, on
a page showing the policy once or twice. A policy only in <noscript> (the scripted
container empty in the archive) is read there.

Pages: tests/data/scope/policy-once.html and policy-twice-*.html (hand-made, see the README
in tests/data/pages)."""

import pytest
from corpora import DATA

from tracker.normalize import normalize, sequence_hash

SCOPE = DATA / "scope"


def page(name: str):
    return normalize((SCOPE / name).read_bytes())


def test_policy_rendered_twice_is_the_policy_once():
    once = page("policy-once.html")
    for name in ("policy-twice-responsive.html", "policy-twice-modal.html"):
        twice = page(name)
        assert sequence_hash(twice.blocks) == sequence_hash(once.blocks), name
        (copy,) = [d for d in twice.dropped if d.reason == "the same text again in the page"]
        assert copy.blocks >= 12 and copy.words > 150


def test_a_copy_whose_paragraphs_are_joined_by_line_breaks_is_dropped():
    twice = page("policy-twice-reflowed.html")
    assert sequence_hash(twice.blocks) == sequence_hash(page("policy-once.html").blocks)
    (copy,) = [d for d in twice.dropped if d.reason == "the same text again in the page"]
    assert copy.blocks == 11 and copy.words > 150  # the copy's 16 clauses in 11 blocks


def test_a_copy_numbering_its_headings_is_dropped():
    twice = page("policy-twice-numbered.html")
    assert sequence_hash(twice.blocks) == sequence_hash(page("policy-once.html").blocks)
    (copy,) = [d for d in twice.dropped if d.reason == "the same text again in the page"]
    assert copy.blocks == 16 and copy.heading == "Last updated: May 5, 2025"


def test_three_copies_are_the_policy_once():
    thrice = page("policy-thrice.html")
    assert sequence_hash(thrice.blocks) == sequence_hash(page("policy-once.html").blocks)
    assert [d.blocks for d in thrice.dropped if d.reason == "the same text again in the page"] == [16, 16]


def test_a_print_copy_in_other_markup_and_a_copy_without_scripts_are_dropped():
    once = sequence_hash(page("policy-once.html").blocks)
    assert sequence_hash(page("policy-twice-print.html").blocks) == once
    assert sequence_hash(page("policy-twice-noscript.html").blocks) == once  # <noscript> is not read beside the policy


def test_a_short_policy_shown_twice_is_kept_once():
    text = ["Privacy", "Pebble Timer keeps no account: the timers you set stay on your phone.",
            "Crash reports carry the phone's model and the app's version, nothing you typed.",
            "Write to hello@pebbletimer.example to ask anything about this notice."]
    copy = "".join(f"<p>{t}</p>" for t in text)
    once = normalize(f"<html><body><main><div>{copy}</div></main></body></html>".encode())
    twice = normalize(f"<html><body><main><div>{copy}</div><div class='sheet'>{copy}</div></main></body></html>"
                      .encode())
    assert [b.text for b in twice.blocks] == [b.text for b in once.blocks] == text
    assert [d.reason for d in twice.dropped] == ["the same text again in the page"]


def _policy_repeating_a_box() -> str:
    """A long policy whose "Marketing partners" box stands in two of its sections."""
    box = "".join(f"<li>Shared with advertising partners: item {n} of the data listed for this purpose, "
                  f"kept no longer than the campaign it serves.</li>" for n in range(8))
    sections = "".join(
        f"<h2>Section {n}</h2><p>{'This section explains one more way we process personal data. ' * 12}</p>"
        for n in range(12))
    return (f"<h1>Privacy Policy</h1>{sections}<h3>Marketing partners</h3><ul>{box}</ul>"
            f"{sections.replace('Section', 'Part')}<h3>Marketing partners</h3><ul>{box}</ul>")


def test_a_box_the_policy_repeats_in_two_sections_stays_twice():
    doc = normalize(f"<html><body><main>{_policy_repeating_a_box()}</main></body></html>".encode())
    assert sum(b.text == "Marketing partners" for b in doc.blocks) == 2
    assert not any(d.reason == "the same text again in the page" for d in doc.dropped)


def test_a_box_the_policy_repeats_stays_twice_when_the_page_shows_the_policy_twice():
    """The policy's own repeated box is in both copies: the copy kept keeps it twice (only the
    later copy goes), as the page showing the policy once does."""
    policy = _policy_repeating_a_box()
    once = normalize(f"<html><body><main>{policy}</main></body></html>".encode())
    twice = normalize(f"<html><body><main><div class='d-none d-md-block'>{policy}</div>"
                      f"<div class='d-md-none'>{policy}</div></main></body></html>".encode())
    assert sum(b.text == "Marketing partners" for b in once.blocks) == 2
    assert sequence_hash(twice.blocks) == sequence_hash(once.blocks)
    (copy,) = [d for d in twice.dropped if d.reason == "the same text again in the page"]
    assert copy.heading == "Privacy Policy"


def test_a_link_list_of_the_policy_shown_twice_stays_once():
    """Each copy of the policy holds its list of authorities' sites: the list repeats with the
    sentence before it, which no menu does, so it is the policy's text, kept once."""
    sections = "".join(f"<h2>Section {n}</h2><p>{'This section explains one more way we process personal data. ' * 6}</p>"
                       for n in range(6))
    authorities = ('<p>You may also lodge a complaint with the data protection authority where you live:</p><ul>'
                   '<li><a href="https://edpb.europa.eu/members">EEA Data Protection Authorities</a></li>'
                   '<li><a href="https://www.edoeb.admin.ch/">Swiss Federal Data Protection Commissioner</a></li>'
                   '<li><a href="https://ico.org.uk/">UK Information Commissioner\'s Office</a></li></ul>')
    policy = f"<h1>Privacy Policy</h1>{sections}{authorities}<h2>Contact</h2><p>Write to privacy@example.com.</p>"
    once = normalize(f"<html><body><main>{policy}</main></body></html>".encode())
    twice = normalize(f"<html><body><main><div class='d-none d-md-block'>{policy}</div>"
                      f"<div class='d-md-none'>{policy}</div></main></body></html>".encode())
    assert "UK Information Commissioner's Office" in [b.text for b in once.blocks]
    assert sequence_hash(twice.blocks) == sequence_hash(once.blocks)
    assert not any(d.reason.startswith("navigation") for d in twice.dropped)


SCRIPTED = "".join(f"<p>Part {n} of this notice says how Quill Notes keeps the notes, tags and sign-in records "
                   f"of each writer.</p>" for n in range(10))


def test_a_policy_only_in_noscript_is_read_there():
    chrome = "<header><a href='/'>Quill Notes</a> <a href='/pricing'>Pricing</a></header>"
    html = (f"<html><body>{chrome}<div id='app'></div><noscript><h1>Privacy Policy</h1>{SCRIPTED}</noscript>"
            f"<footer><a href='/terms'>Terms</a></footer></body></html>")
    doc = normalize(html.encode())
    assert doc.invalid_reason is None
    assert [b.text for b in doc.blocks][:2] == ["Privacy Policy", "Part 0 of this notice says how Quill Notes keeps "
                                                "the notes, tags and sign-in records of each writer."]
    assert len(doc.blocks) == 11


def test_a_noscript_copy_longer_than_the_policy_beside_it_is_not_kept():
    policy = f"<h1>Privacy Policy</h1>{SCRIPTED}"
    once = [b.text for b in normalize(f"<html><body><main>{policy}</main></body></html>".encode()).blocks]
    copy = f"<noscript>{policy}<p>This page reads best with scripts turned on.</p></noscript>"
    for html in (f"<div id='app'>{policy}</div>{copy}", f"<main><div id='app'>{policy}</div>{copy}</main>"):
        assert [b.text for b in normalize(f"<html><body>{html}</body></html>".encode()).blocks] == once


QUILL = "".join(f"<h2>Part {n}</h2><p>Part {n} of this notice says how Quill Notes keeps the notes, tags and "
                f"sign-in records of each writer, and for how long.</p>" for n in range(8))
DATED, UNDATED = f"<h1>Privacy Policy</h1><p>Last updated: May 5, 2025</p>{QUILL}", f"<h1>Privacy Policy</h1>{QUILL}"


@pytest.mark.parametrize("copies", [
    f"<div class='desktop'>{DATED}</div><div class='mobile'>{UNDATED}</div>",  # the later copy lacks the line
    f"<div class='mobile'>{UNDATED}</div><div class='desktop'>{DATED}</div>",  # the earlier one does
])
def test_a_copy_lacking_the_last_updated_line_reads_as_the_copy_holding_it(copies):
    """Whichever copy comes first, the line is the text's, in its place under the title, and
    the page reads as the desktop copy alone."""
    once = [b.text for b in normalize(f"<html><body><main>{DATED}</main></body></html>".encode()).blocks]
    twice = normalize(f"<html><body><main>{copies}</main></body></html>".encode())
    assert [b.text for b in twice.blocks] == once
    (copy,) = [d for d in twice.dropped if d.reason == "the same text again in the page"]
    assert copy.heading == "Privacy Policy" and copy.blocks == 17


PARTS = "".join(f"<p>Part {n}: we explain here one more way in which we process the personal data of the members "
                f"of our service.</p>" for n in range(12))
ARTICLE = (f'<article id="full"><div class="article-body"><h1>Privacy Policy</h1>{PARTS}</div>'
           '<div class="feedback"><p>Did this answer your question?</p><p>Thanks for the feedback</p></div></article>')


def _help_page(copy: str) -> bytes:
    return (f'<html><body><div class="wrap"><div class="content"><p class="lead">Help Center</p>{ARTICLE}{copy}'
            f'<p>Still need help? Contact Us</p></div></div></body></html>').encode()


@pytest.mark.parametrize("copy", [ARTICLE, f'<div class="d-md-none">{ARTICLE}</div>',
                                  f'<div class="mobile"><div class="inner">{ARTICLE}</div></div>'])
def test_a_copy_beside_the_policy_leaves_the_page_around_it_out_as_the_policy_alone_does(copy):
    """The second copy beside the first halves each one's share of the page: the copies are
    read as one, so the page's help-centre line, the copy's feedback box and the line after
    stay out as they do when the policy is there once."""
    once, twice = normalize(_help_page("")), normalize(_help_page(copy))
    assert [b.text for b in once.blocks][0] == "Privacy Policy" and len(once.blocks) == 13
    assert sequence_hash(twice.blocks) == sequence_hash(once.blocks)
    assert [d.reason for d in twice.dropped] == ["the same text again in the page"]


ROWS = [("Support", ["Contact details", "Any message you send us"]),
        ("Billing", ["Contact details", "Payment card type", "Any message you send us"]),
        ("Analytics", ["Device model", "Contact details", "Pages you visit", "Any message you send us"])]
TABLE = "".join(f"<tr><td><p>Purpose: {purpose}.</p></td><td><p>Categories of personal data:</p><ul>"
                f"{''.join(f'<li>{item}</li>' for item in items)}</ul><p>Legal basis:</p><p>Legitimate interest.</p>"
                f"</td></tr>" for purpose, items in ROWS)
TABLED = (f"<h1>Privacy Notice</h1>{QUILL}<h2>What we process and why</h2><table><tbody>{TABLE}</tbody></table>"
          "<h2>Contact</h2><p>Write to privacy@quillnotes.example about anything in this notice.</p>")


def test_table_rows_that_repeat_items_read_once_each_when_the_page_shows_the_policy_twice():
    """Each row of the policy's table lists items another row lists too, one row an item more
    between them: in the copy dropped that item is the row's own text, not a line the earlier
    copy lacks, so it is not kept; the page reads as the policy once, which keeps every row."""
    once = [b.text for b in normalize(f"<html><body><main>{TABLED}</main></body></html>".encode()).blocks]
    assert once.count("Contact details") == 3 and once.count("Payment card type") == 1
    for copies in (f"<div>{TABLED}</div><div class='d-md-none'>{TABLED}</div>",
                   f"<div class='mobile'>{TABLED}</div><div class='desktop'>{TABLED}</div>{TABLED}"):
        twice = normalize(f"<html><body><main>{copies}</main></body></html>".encode())
        assert [b.text for b in twice.blocks] == once


LABELS = ["Collection", "Use", "Sharing", "Your rights"]
OVERVIEW = (
    "<div class='tabs'><div role='tablist'>"
    + "".join(f"<button role='tab' aria-controls='tab-{k}' aria-selected='{k == 0}'>{label}</button>"
              for k, label in enumerate(LABELS))
    + "</div>"
    + "".join(f"<div role='tabpanel' id='tab-{k}'{'' if k == 0 else ' hidden'}><p>In short: {label.lower()}.</p>"
              f"<p>This part of the notice sums up how Quill Notes handles {label.lower()} of the notes, tags and "
              f"sign-in records each writer keeps with us, and where to read more about it.</p>"
              f"<p>What you will find in this section</p></div>" for k, label in enumerate(LABELS))
    + "</div>")
TABBED = "<h1>Privacy Policy</h1>" + "".join(
    f"{OVERVIEW}<h2>Part {n}</h2><p>{f'Part {n} of this notice says how Quill Notes keeps your data. ' * 8}</p>"
    for n in range(4))


def test_a_tab_bar_repeated_atop_each_section_titles_its_own_panels_and_reads_once():
    """The same tabs (the same ids) open each section: each tab titles the panel beside it,
    once, and the repeated overview is kept once, where it first shows."""
    doc = normalize(f"<html><body><main>{TABBED}</main></body></html>".encode())
    texts = [b.text for b in doc.blocks]
    assert texts[:4] == ["Privacy Policy", "Collection", "In short: collection.", texts[3]]
    assert [texts.count(label) for label in LABELS] == [1, 1, 1, 1]
    assert [texts.count(f"Part {n}") for n in range(4)] == [1, 1, 1, 1]
    assert [d.reason for d in doc.dropped].count("the same text again in the page") == 3


@pytest.mark.parametrize("copies", [
    f"<div class='d-none d-md-block'>{TABBED}</div><div class='d-md-none'>{TABBED}</div>",
    f"<div class='desktop'>{TABBED}</div><div class='tablet'>{TABBED}</div><div class='mobile'>{TABBED}</div>",
])
def test_a_policy_repeating_its_overview_in_tabs_reads_as_once_when_the_page_shows_it_twice(copies):
    """The copy kept is read as the page showing it once is: the overview it repeats atop each
    section goes there as it goes on that page (its share judged against the copy's words)."""
    once = [b.text for b in normalize(f"<html><body><main>{TABBED}</main></body></html>".encode()).blocks]
    twice = normalize(f"<html><body><main>{copies}</main></body></html>".encode())
    assert [b.text for b in twice.blocks] == once
