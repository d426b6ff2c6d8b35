"""A legal hub under a page heading that names the policy, opened by the page's own links, or
inside a page-wide <form> (ASP.NET): the hub's documents (terms of service, the policy, an acceptable use policy) are titled by
styled paragraphs under a menu of #anchor links, by tab labels or by buttons in an
accordion's headings, and only the policy's part stays; a policy whose anchored sections
merely name documents ("Cookie Policy", a short "Terms of Use") stays whole.

Hand-made pages, built here; no third-party text."""

import pytest

from tracker.normalize import normalize

TERMS = [
    "By creating an account or using the service you agree to be bound by these Terms of Service.",
    "You must be at least eighteen years old to register and to hold an account with us.",
    "Paid plans renew automatically at the end of each billing period until you cancel them.",
    "To the fullest extent permitted by law, our liability shall not exceed the fees you paid.",
]
POLICY = [
    "We collect your name and e-mail address when you register, and the pages you visit on our site.",
    "We share your data only with the processors that host our service, under contract.",
    "You may ask us to delete your data at any time by writing to our privacy team.",
]
USE = ["You may not use the service to harass, threaten or impersonate another person.",
       "We may suspend or close an account that breaks this Acceptable Use Policy without notice."]
DOCUMENTS = [("terms", "Terms of Service", TERMS), ("privacy", "Privacy Policy", POLICY),
             ("use", "Acceptable Use Policy", USE)]


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def links_hub(documents=DOCUMENTS) -> str:
    """A menu of #anchor links above the documents, each titled by a styled paragraph."""
    menu = "".join(f'<li><a href="#{k}">{t}</a></li>' for k, t, _ in documents)
    parts = "".join(f'<div id="{k}"><p class="doc-title"><strong>{t}</strong></p>{_paragraphs(x)}</div>'
                    for k, t, x in documents)
    return f'<ul class="legal-nav">{menu}</ul>{parts}'


def tabs_hub(documents=DOCUMENTS) -> str:
    """A tab bar above the panels, all but the policy's hidden."""
    tabs = "".join(f'<button role="tab" id="tab-{k}" aria-controls="{k}">{t}</button>' for k, t, _ in documents)
    panels = "".join(f'<div role="tabpanel" id="{k}" aria-labelledby="tab-{k}"{"" if k == "privacy" else " hidden"}>'
                     f"{_paragraphs(x)}</div>" for k, _, x in documents)
    return f'<div role="tablist">{tabs}</div>{panels}'


def accordion_hub(documents=DOCUMENTS) -> str:
    """Each document a panel titled by a button in a heading, all but the policy's collapsed."""
    return "".join(
        f'<div class="accordion-item"><h2 class="accordion-header"><button class="accordion-button" '
        f'aria-controls="{k}">{t}</button></h2><div id="{k}" class="accordion-collapse collapse'
        f'{" show" if k == "privacy" else ""}">{_paragraphs(x)}</div></div>' for k, t, x in documents)


SHAPES = [links_hub, tabs_hub, accordion_hub]


def read(body: str) -> list[str]:
    return [b.text for b in normalize(f"<html><body>{body}</body></html>".encode()).blocks]


def kept_only_the_policy(texts: list[str]) -> bool:
    return all(t in texts for t in POLICY) and not any(t in texts for t in TERMS + USE)


@pytest.mark.parametrize("hub", SHAPES)
def test_hub_under_a_page_heading_naming_the_policy_keeps_only_the_policy(hub):
    texts = read(f"<main><h1>Acme Privacy Policy</h1><p>Read how we handle your data.</p>{hub()}</main>")
    assert kept_only_the_policy(texts)
    assert "Acme Privacy Policy" in texts


def test_hub_with_a_part_of_its_own_under_the_policys_heading_drops_a_whole_other_document():
    # an overview tab is no legal document, but the terms are as long as one (their tab labels
    # stand apart from the panels: nothing else titles them)
    overview = ("overview", "Overview", ["This page gathers the documents that govern your use of Acme."])
    terms = ("terms", "Terms of Service", TERMS * 4)
    texts = read(f"<main><h1>Acme Privacy Policy</h1>{tabs_hub([overview, terms, *DOCUMENTS[1:]])}</main>")
    assert kept_only_the_policy(texts)


@pytest.mark.parametrize("hub", SHAPES)
def test_hub_opening_a_wrapper_a_skip_link_targets_keeps_only_the_policy(hub):
    # the wrapper's first line is the hub's first title, not a title of its own
    texts = read(f'<a href="#content">Skip to content</a><main id="content">{hub()}</main>')
    assert kept_only_the_policy(texts)


def test_hub_part_linked_from_another_sites_page_keeps_its_buttons_title():
    # a link to another site's page, before the hub, whose fragment is the id of the policy's
    # panel (no title inside it: the accordion's button titles it)
    apps = '<div class="apps"><a href="https://video.example.net/about#privacy"><div>Video app</div></a></div>'
    texts = read(f"{apps}<main><h1>Legal</h1>{accordion_hub()}</main>")
    assert kept_only_the_policy(texts)


@pytest.mark.parametrize("hub", SHAPES)
def test_policy_titled_as_such_whose_sections_name_documents_stays_whole(hub):
    sections = [("collect", "Information we collect", ["We collect your name, address and phone number. " * 6]),
                ("cookies", "Cookie Policy", ["We use cookies to remember your settings and count visits. " * 6]),
                ("rights", "Your rights", ["You may ask for a copy of your data or its deletion at any time. " * 6]),
                ("terms", "Terms of Use", ["Your use of the service is also governed by our Terms of Use."])]
    texts = read(f"<main><h1>Acme Privacy Policy</h1>{hub(sections)}</main>")
    assert all(x[0].strip() in " ".join(texts) for _, _, x in sections)


@pytest.mark.parametrize("hub", [tabs_hub, accordion_hub])
def test_hub_inside_a_page_wide_form_reads_its_tabs_and_buttons(hub):
    # the form is the page (never chrome): the marks inside it are read as anywhere else
    texts = read(f'<form method="post" action="/legal.aspx" id="form1"><div class="content"><h1>Legal</h1>{hub()}'
                 "</div></form>")
    assert kept_only_the_policy(texts)
