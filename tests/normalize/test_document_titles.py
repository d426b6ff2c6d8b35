"""Documents told apart by their titles however a page ranks them: titles set alike as bold
lines (ranked by the headings before them, the second would sit under the first's sections),
a short document with sections of its own beside the policy, a document appended under the
policy's title on a page whose top level dropped another, a policy shown as Bootstrap tabs
whose only section titles are the tab links, and a table of contents of long titles under
its label.

Hand-made pages, built here; no third-party text."""

import pytest

from tracker.normalize import normalize
from tracker.normalize._titles import document_name

TERMS = [
    ("1. Acceptance", "By creating an account or using the service you agree to be bound by these Terms. " * 3),
    ("2. Your account", "You must be at least eighteen years old to register and to hold an account with us. " * 3),
    ("3. Liability", "To the fullest extent permitted by law, our liability shall not exceed the fees you paid. " * 3),
]
POLICY = [
    ("Information we collect", "We collect your name and e-mail address when you register with us. " * 3),
    ("Sharing", "We share your data only with the processors that host our service, under contract. " * 3),
    ("Your rights", "You may ask us to delete your data at any time by writing to our privacy team. " * 3),
]
USE = [  # a short document: fewer words than a whole one, but its own sections
    ("Prohibited conduct", "You may not use the service to harass or impersonate another person."),
    ("Enforcement", "We may close an account that breaks this policy without notice."),
]


def sections(parts, tag: str = "h3") -> str:
    return "".join(f"<{tag}>{title}</{tag}><p>{text.strip()}</p>" for title, text in parts)


def read(body: str):
    return normalize(f"<html><body><main>{body}</main></body></html>".encode())


def texts(doc) -> list[str]:
    return [b.text for b in doc.blocks]


def only_the_policy(doc) -> bool:
    kept = " ".join(texts(doc))
    return (all(text.strip() in kept for _, text in POLICY)
            and not any(text.strip() in kept for _, text in TERMS + USE))


@pytest.mark.parametrize("title", [
    '<p><b>{}</b></p>',
    '<p style="font-size: 24px"><strong>{}</strong></p>',
    '<div class="doc-title"><b>{}</b></div>',
])
def test_documents_titled_alike_by_bold_capital_lines_are_told_apart(title):
    """No ids, no links: each document a bold capital line, then its own <h3> sections. The
    policy's title, after the terms' sections, ranks with the terms' title, not under them."""
    body = "".join(title.format(name) + sections(parts) for name, parts in
                   [("TERMS OF SERVICE", TERMS), ("PRIVACY POLICY", POLICY), ("ACCEPTABLE USE POLICY", USE)])
    doc = read(body)
    assert only_the_policy(doc)
    assert texts(doc)[0] == "PRIVACY POLICY"
    assert [d.heading for d in doc.dropped] == ["TERMS OF SERVICE", "ACCEPTABLE USE POLICY"]
    assert doc.scope_note is None


def test_short_document_with_sections_of_its_own_beside_the_policy_goes():
    body = f"<h1>Privacy Policy</h1>{sections(POLICY, 'h2')}<h1>Acceptable Use Policy</h1>{sections(USE, 'h2')}"
    doc = read(body)
    assert texts(doc)[0] == "Privacy Policy" and not any(text in texts(doc) for _, text in USE)
    assert [(d.heading, d.reason) for d in doc.dropped] == [("Acceptable Use Policy", "another legal document")]


def test_short_section_that_only_points_to_another_document_stays():
    pointer = "<h2>Terms of Service</h2><p>Your use of the service is also governed by our Terms of Service.</p>"
    doc = read(f"<h1>Privacy Policy</h1>{sections(POLICY, 'h2')}{pointer}")
    assert "Terms of Service" in texts(doc) and doc.dropped == ()


def test_document_appended_under_the_policy_goes_on_a_page_whose_top_level_dropped_another():
    """The terms and the policy side by side at the top; a data processing addendum, with
    sections of its own, appended under the policy's title one level down."""
    addendum = [("Scope", "This addendum applies where we process personal data on your behalf. " * 3),
                ("Subprocessors", "We engage subprocessors only under written contracts with equal duties. " * 3)]
    body = (f"<h1>Terms of Service</h1>{sections(TERMS, 'h2')}<h1>Privacy Policy</h1>{sections(POLICY, 'h2')}"
            f"<h2>Data Processing Addendum</h2>{sections(addendum, 'h3')}")
    doc = read(body)
    assert texts(doc)[0] == "Privacy Policy"
    assert not any(text.strip() in " ".join(texts(doc)) for _, text in TERMS + addendum)
    assert [d.heading for d in doc.dropped] == ["Terms of Service", "Data Processing Addendum"]


@pytest.mark.parametrize("toggle", ['data-toggle="tab"', 'data-bs-toggle="tab"', 'data-bs-toggle="pill"'])
def test_policy_shown_as_bootstrap_tabs_keeps_the_tab_links_as_its_section_titles(toggle):
    """The section titles are only the tab links (Bootstrap's toggles, no ARIA role), the
    panes closed by their class alone."""
    links = "".join(f'<li class="nav-item"><a class="nav-link{" active" if k == 0 else ""}" {toggle} '
                    f'href="#pane-{k}">{title}</a></li>' for k, (title, _) in enumerate(POLICY))
    panes = "".join(f'<div class="tab-pane fade{" show active" if k == 0 else ""}" id="pane-{k}"><p>{text.strip()}</p>'
                    f"</div>" for k, (_, text) in enumerate(POLICY))
    doc = read(f'<h1>Privacy Policy</h1><ul class="nav nav-tabs">{links}</ul><div class="tab-content">{panes}</div>')
    assert texts(doc) == ["Privacy Policy", *(t for title, text in POLICY for t in (title, text.strip()))]


@pytest.mark.parametrize("links", [
    '<ul class="nav nav-tabs">{}</ul>',
    '<ul class="contents">{}</ul>',  # a table of contents whose anchors the page no longer has
])
def test_lead_in_above_the_policys_tab_bar_or_contents_stays(links):
    """The title and intro sit above a list of in-page links, the bulk of the text below it:
    the list leads to places in the page, unlike a site's menu, and the lead-in reaches
    across it."""
    items = "".join(f'<li><a href="#part-{k}" data-toggle="tab">{title}</a></li>' for k, (title, _) in enumerate(POLICY))
    panes = "".join(f'<div class="tab-pane" id="pane-{k}"><p>{text * 3}</p></div>' for k, (_, text) in enumerate(POLICY))
    intro = "<h1>Privacy Policy</h1><p>Last updated: March 1, 2024</p><p>This policy explains what we do with your data.</p>"
    doc = read(f'<div class="policy">{intro}{links.format(items)}<div class="tab-content">{panes}</div></div>')
    assert texts(doc)[:3] == ["Privacy Policy", "Last updated: March 1, 2024", "This policy explains what we do with your data."]
    assert texts(doc)[-1] == (POLICY[-1][1] * 3).strip()


@pytest.mark.parametrize("title, name", [
    ("Privacy\u00a0Policy", "privacy"), ("Terms\u00a0of\u00a0Service", "terms"), ("Pri\u00advacy Policy", "privacy"),
    ("Acceptable\u200b Use Policy", "other"), ("3.\u00a0Terms of Use", None),
])
def test_titles_are_read_as_shown(title, name):
    """The hub step reads titles off the tree, where no text was normalised yet: a no-break
    space ("Privacy&nbsp;Policy"), a soft hyphen or a zero-width space is read as the page
    shows it."""
    assert document_name(title) == name


def test_a_bold_section_naming_the_terms_inside_a_policy_titled_by_a_bold_line_stays_a_section():
    """The policy's title a bold line, its sections real headings, one of them a bold line
    that points to the terms: the pointer keeps its rank among the sections, and the
    sections after it stay the policy's."""
    pointer = "<p><b>Terms of Use</b></p><p>Your use of the service is also governed by our Terms of Use.</p>"
    doc = read(f"<p><b>PRIVACY POLICY</b></p>{sections(POLICY[:2], 'h2')}{pointer}{sections(POLICY[2:], 'h2')}")
    assert only_the_policy(doc) and "Terms of Use" in texts(doc) and doc.dropped == ()


LONG_SECTIONS = [
    ("1. The personal information we collect when you create an account and use the service every day",
     "We collect your name and e-mail address when you register with us. " * 3),
    ("2. How we share your personal information with the processors that host and support our service",
     "We share your data only with the processors that host our service, under contract. " * 3),
    ("3. Your rights to see, correct and delete your personal information and how to use them",
     "You may ask us to delete your data at any time by writing to our privacy team. " * 3),
]


@pytest.mark.parametrize("label, at_end", [("<p>On this page</p>", False), ("<span>Jump to a section</span>", False),
                                           ("<h4>Contents</h4>", True), ("", True)])
def test_table_of_contents_of_long_titles_goes_with_its_label(label, at_end):
    """Entries as long as the policy's section titles (more words than a menu's), each a whole
    link to its section; a short line over them, all their box holds beside them, labels them."""
    heads = "".join(f'<h2 id="s{k}">{title}</h2><p>{text.strip()}</p>' for k, (title, text) in enumerate(LONG_SECTIONS))
    links = "".join(f'<li><a href="#s{k}">{title}</a></li>' for k, (title, _) in enumerate(LONG_SECTIONS))
    toc = f'<div class="on-this-page">{label}<ul>{links}</ul></div>'
    doc = read(f"<h1>Privacy Policy</h1>{heads}{toc}" if at_end else f"<h1>Privacy Policy</h1>{toc}{heads}")
    assert texts(doc) == ["Privacy Policy", *(t for title, text in LONG_SECTIONS for t in (title, text.strip()))]
    assert [d.reason for d in doc.dropped] == ["navigation: a table of contents"]
