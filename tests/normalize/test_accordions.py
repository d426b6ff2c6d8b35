"""A policy shown as an accordion: its sections closed panels that toggles open, their titles
the toggles' labels (tracker.normalize._panels). Not a hub: one document, which must be kept
whole, with its section titles, whichever panel the capture had open.

Hand-made pages live in tests/data/scope (policy-accordion-*.html, generated for these tests,
no third-party text).
"""

import pytest
from corpora import DATA

from tracker.normalize import normalize

SCOPE = DATA / "scope"
TITLES = ["What we collect", "How we use it", "Cookies", "Your rights", "Contact us"]
FIRST = "Northwind Labs collects the name"
LAST = "When we change this policy we e-mail"


def page(name: str):
    return normalize((SCOPE / name).read_bytes())


def has(doc, start: str) -> bool:
    return any(b.text.startswith(start) for b in doc.blocks)


@pytest.mark.parametrize("name", [
    "policy-accordion-aria.html",  # <h3><button aria-controls> over panels hidden, aria-hidden, display:none
    "policy-accordion-bare.html",  # <button class="accordion"> before each panel hidden by an inline style
    "policy-accordion-bootstrap.html",  # data-toggle buttons over .collapse panels, the first aria-hidden
])
def test_policy_whose_sections_are_closed_panels_keeps_their_text_and_titles(name):
    doc = page(name)
    assert doc.invalid_reason is None and doc.dropped == ()
    assert has(doc, FIRST) and has(doc, LAST) and has(doc, "Analytics cookies are set only")
    assert [b.text for b in doc.blocks if b.kind == "heading"] == ["Privacy Policy", *TITLES]
    sections = {b.section[-1] for b in doc.blocks if b.kind == "paragraph" and len(b.section) > 1}
    assert sections == set(TITLES)


@pytest.mark.parametrize("name", [
    "policy-tabs.html",  # role=tab buttons over role=tabpanel panels, each with its <h2>, all but the first hidden
    "policy-accordion-faq.html",  # a role=button title (no ARIA state) before each aria-hidden answer
])
def test_policy_whose_sections_are_closed_tabs_or_answers_keeps_their_text(name):
    doc = page(name)
    assert doc.invalid_reason is None and doc.dropped == ()
    texts = [b.text for b in doc.blocks]
    assert has(doc, FIRST) and has(doc, LAST) and all(t in texts for t in TITLES)
    assert texts.count("Cookies") == 1  # the tab labels are no lines of their own


@pytest.mark.parametrize("sections", [1, 3])
def test_read_more_toggles_show_their_text_but_are_no_titles(sections):
    # a button after each section's first paragraph opens the rest: the same label every time, or only one
    body = "".join(f'<h2>Section {n}</h2><p>{"We collect your name and address. " * 8}</p>'
                   f'<button class="expand" aria-expanded="false" aria-controls="more{n}">Read more</button>'
                   f'<div id="more{n}" hidden><p>{"We keep it for a year, part " + str(n) + ". " * 8}</p></div>'
                   for n in range(sections))
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{body}</main></body></html>".encode())
    assert has(doc, "We keep it for a year, part 0") and not has(doc, "Read more")


def test_tab_of_the_policy_in_another_language_stays_closed():
    tabs = '<button role="tab" aria-controls="en">English</button><button role="tab" aria-controls="es">Español</button>'
    panels = (f'<div role="tabpanel" id="en" lang="en"><p>{"We collect your name and address. " * 20}</p></div>'
              f'<div role="tabpanel" id="es" lang="es" hidden><p>{"Recogemos su nombre y dirección. " * 20}</p></div>')
    doc = normalize(f'<html lang="en"><body><main><h1>Privacy Policy</h1><div role="tablist">{tabs}</div>{panels}'
                    "</main></body></html>".encode())
    assert has(doc, "We collect your name") and not has(doc, "Recogemos")


def test_hidden_icon_after_a_button_stays_hidden():
    # an inline element after a button is its icon, not a panel
    body = ('<html><body><main><h1>Privacy Policy</h1><p>' + "We collect your name. " * 30 + '</p>'
            '<p>Write to privacy@example.com <button class="copy">Copy</button><span aria-hidden="true">[copy icon]</span>'
            ' and we answer within a month.</p></main></body></html>')
    doc = normalize(body.encode())
    assert has(doc, "Write to privacy@example.com and we answer") and "icon" not in doc.to_text()


def test_hidden_menu_that_a_button_opens_stays_chrome():
    body = ('<html><body><main><button aria-expanded="false" aria-controls="menu">Menu</button>'
            '<ul id="menu" class="nav-menu" hidden><li><a href="/a">Pricing</a></li><li><a href="/b">Blog</a></li>'
            '<li><a href="/c">Careers</a></li></ul><h1>Privacy Policy</h1><p>' + "We collect your name. " * 30 +
            "</p></main></body></html>")
    doc = normalize(body.encode())
    assert [b.text for b in doc.blocks][0] == "Privacy Policy" and not has(doc, "Pricing") and not has(doc, "Menu")


def test_button_that_opens_nothing_stays_chrome():
    body = ('<html><body><main><h1>Privacy Policy</h1><button class="btn print">Print this page</button>'
            "<p>" + "We collect your name. " * 30 + '</p><button class="accordion">Show the table</button>'
            "</main></body></html>")
    doc = normalize(body.encode())
    assert not has(doc, "Print") and not has(doc, "Show the table")


@pytest.mark.parametrize("link", [False, True])
def test_tab_labels_title_their_panels_when_the_panels_have_no_title_of_their_own(link):
    """The tabs stand together before the panels; each label is the title of its panel's
    section, set before it (a tab link by its href, a button by aria-controls)."""
    names = ["What we collect", "Cookies", "Your rights"]
    tab = ('<a role="tab" href="#t{k}">{name}</a>' if link else
           '<button role="tab" aria-controls="t{k}" aria-selected="false">{name}</button>')
    tabs = "".join(tab.format(k=k, name=name) for k, name in enumerate(names))
    panels = "".join(f'<div role="tabpanel" id="t{k}"{"" if k == 0 else " hidden"}><p>{name} explained: we keep '
                     f'this part of your data for a year and then delete it for good.</p></div>'
                     for k, name in enumerate(names))
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1><div role='tablist'>{tabs}</div>{panels}"
                    f"</main></body></html>".encode())
    texts = [b.text for b in doc.blocks]
    assert texts[1:] == [t for name in names for t in (name, f"{name} explained: we keep this part of your data "
                                                              f"for a year and then delete it for good.")]
