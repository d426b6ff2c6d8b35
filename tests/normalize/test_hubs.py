"""The named document on a legal hub: several documents on one page, told apart by the
page's structure (tabs, accordions, disclosures, anchored containers, labelled sections,
anchored titles in one flow, named anchors, rules, jump menus, script toggles) rather than by
headings; the document a fragment names; tables of contents and
their labels, whatever their shape.

Hand-made hubs live in tests/data/scope (hub-*.html, generated for these tests, no third-party
text); real captures in tests/data/pages (see the README there).
"""

import pytest
from corpora import DATA

from tracker.normalize import PRIVACY_POLICY, Target, normalize, sequence_hash

SCOPE = DATA / "scope"
PAGES = DATA / "pages"

TERMS = "These terms form a binding agreement"
PRIVACY = "Northwind Labs collects the name"
AUP = "You may not use the service to send unsolicited"
COOKIES = "We use strictly necessary cookies"
PRIVACY_END = "When we change this policy we e-mail"
# Shapes the first hubs lacked: tab panels without labels, a sidebar of articles, a definition
# list, clickable panel headings, a <select> table of contents, documents apart only by rules
# (<hr>), anchored titles whose policy's sections are anchored too, a menu of short labels
# ("DPA"), a cookie policy inside the policy or beside it, an accordion archived without the ids
# its script adds (titles are links to "#"), titles set before the linked containers, a policy
# whose sections are closed accordion panels, a page builder's tabs (a mobile copy of each title
# before its panel); <div id> documents that nothing links to, each opening with a bold title;
# titles by class alone (<div class="doc-title">); sections labelled by a styled <p>; role=tab
# links over hidden panels under the policy's own <h1> (the policy's URL serving the hub); an
# accordion of documents whose policy's sections are an accordion too; the policy first, last or
# in the middle.
NEW_SHAPES = ["hub-tabpanel-sections.html", "hub-sidebar-articles.html", "hub-definition-list.html",
              "hub-collapse-panels.html", "hub-select-toc.html", "hub-hr-bold.html", "hub-anchored-sections.html",
              "hub-short-labels.html", "hub-cookies-inside.html", "hub-aria-accordion.html",
              "hub-foundation-accordion.html", "hub-titles-outside.html", "hub-open-tab-accordion.html",
              "hub-builder-tabs.html", "hub-bold-divs.html", "hub-class-titles.html", "hub-labelled-last.html",
              "hub-role-tabs.html", "hub-policy-url.html", "hub-nested-accordion.html"]


def page(name: str, target: Target = PRIVACY_POLICY, folder=SCOPE):
    return normalize((folder / name).read_bytes(), target=target)


def has(doc, start: str) -> bool:
    return any(b.text.startswith(start) for b in doc.blocks)


@pytest.mark.parametrize("name", ["hub-tabs.html", "hub-accordion.html", "hub-anchored.html", "hub-flat.html",
                                  "hub-labelled.html", "hub-styled.html", "hub-details.html",
                                  "hub-toggles.html", "hub-pills.html", "hub-bold-caps.html", "hub-anchored-spans.html",
                                  *NEW_SHAPES])
def test_hub_keeps_the_policy_and_drops_the_other_documents_whatever_its_shape(name):
    doc = page(name)
    assert has(doc, PRIVACY) and not has(doc, TERMS) and not has(doc, AUP)
    assert doc.invalid_reason is None
    assert all(d.reason in ("another legal document", "another part of a legal hub") or d.reason.startswith("navigation")
               for d in doc.dropped)
    assert any("terms" in d.heading.lower() and d.words > 100 for d in doc.dropped)


@pytest.mark.parametrize("name", NEW_SHAPES)
def test_hub_keeps_the_whole_policy_with_its_cookies_and_drops_the_addendum(name):
    doc = page(name)
    assert has(doc, PRIVACY) and has(doc, PRIVACY_END) and has(doc, COOKIES)
    assert not has(doc, "This data processing addendum applies") and doc.scope_note is None
    assert "Privacy Policy" not in [d.heading for d in doc.dropped]


@pytest.mark.parametrize("name", NEW_SHAPES)
def test_hub_tracked_for_its_terms_keeps_them_whole_and_drops_the_policy(name):
    doc = page(name, Target("Terms of Service"))
    assert has(doc, TERMS) and has(doc, "These terms are governed by the law")
    assert not has(doc, PRIVACY) and not has(doc, PRIVACY_END) and not has(doc, COOKIES) and not has(doc, AUP)
    policy = next(d for d in doc.dropped if d.heading.startswith("Privacy"))  # "Privacy" in a menu of short labels
    assert policy.reason == "another legal document" and policy.words > 150


def test_tab_hub_shows_the_policys_hidden_panel_and_keeps_its_cookie_part():
    doc = page("hub-tabs.html")  # the Terms tab is open; the policy's and the cookies' panels are hidden
    assert has(doc, PRIVACY) and has(doc, COOKIES)
    assert [d.heading for d in doc.dropped] == ["Terms of Service", "Acceptable Use Policy",
                                                "Terms of Service | Privacy Policy | Cookie Policy | ..."]


def test_tab_hub_under_the_policys_own_title_keeps_the_title_and_drops_its_tab_list():
    doc = page("hub-role-tabs.html")  # <h1>Privacy Policy</h1> over a role=tablist: the policy's URL serves the hub
    assert [b.text for b in doc.blocks][:2] == ["Privacy Policy", "What we collect"]
    assert doc.dropped[-1].reason == "navigation: the tabs of a legal hub" and doc.dropped[-1].blocks == 3
    links = page("hub-policy-url-links.html")  # a <ul> of data-toggle links to the panels, the tab bar
    assert [b.text for b in links.blocks][:2] == ["Privacy Policy", "What we collect"]
    assert links.dropped[-1].heading == "Terms of Service | Privacy Policy | Acceptable Use Policy"


def test_hub_parts_without_a_legal_name_go_and_a_regional_notice_stays():
    anchored = page("hub-anchored.html")
    assert ("Security", "another part of a legal hub") in [(d.heading, d.reason) for d in anchored.dropped]
    labelled = page("hub-labelled.html")
    assert has(labelled, "California residents may ask")


def test_hub_titled_by_anchored_lines_in_one_flow_keeps_the_policys_run():
    doc = page("hub-flat.html")
    texts = [b.text for b in doc.blocks]
    assert texts[0] == "Privacy Statement" and "Cookies" in texts
    assert not has(doc, "If you believe content") and not has(doc, "Fees are charged")


def test_hub_whose_policy_anchors_its_own_sections_keeps_them_under_its_title():
    # <h2 id> documents one after another, the policy's <h3 id> sections in the table of contents too
    doc = page("hub-anchored-sections.html")
    assert [b.text for b in doc.blocks if b.kind == "heading"] == [
        "Legal", "Privacy Policy", "What we collect", "Your rights", "Retention and contact", "Cookies"]
    assert [d.heading for d in doc.dropped if not d.reason.startswith("navigation")] == [
        "Terms of Service", "Acceptable Use Policy"]


def test_hub_of_named_anchors_keeps_the_policy_and_its_cookie_policy_in_french():
    # <a name> anchors (no ids) that a table of contents links to, each before a bold title
    doc = page("hub-named-anchors-fr.html")
    assert has(doc, "Northwind Labs collecte le nom") and has(doc, "Notre délégué à la protection des données")
    assert has(doc, "Bloquer tous les cookies") and not has(doc, "Les présentes conditions")
    assert [(d.heading, d.reason) for d in doc.dropped if not d.reason.startswith("navigation")] == [
        ("Conditions générales d'utilisation", "another legal document"), ("Mentions légales", "another legal document")]
    # its table of contents names the documents dropped: a table of contents all the same
    assert not has(doc, "Conditions générales") and not has(doc, "Mentions légales")
    assert [d.blocks for d in doc.dropped if d.reason == "navigation: a table of contents"] == [4]
    terms = page("hub-named-anchors-fr.html", Target("Terms of Service"))
    assert has(terms, "Les présentes conditions") and has(terms, "Ces conditions sont régies")
    assert not has(terms, "Northwind Labs collecte le nom") and not has(terms, "Le site est édité")
    fragment = page("hub-named-anchors-fr.html", Target(fragment="confidentialite"))
    assert fragment.scope_note is None and fragment.blocks[0].text == "Politique de confidentialité"
    assert not has(fragment, "Nous utilisons des cookies")


def test_hub_whose_documents_only_rules_set_apart_keeps_the_policys_run():
    # every title, the documents' and their sections', is one bold line; <hr> between documents
    doc = page("hub-hr-bold.html")
    assert [b.text for b in doc.blocks if b.kind == "heading"] == [
        "Privacy Policy", "What we collect", "Your rights", "Retention and contact", "Cookies"]


def test_policy_ruling_off_a_short_section_named_as_another_document_keeps_it():
    sections = "".join(f"<hr><p><b>{title}</b></p><p>{text}</p>" for title, text in [
        ("Information we collect", "We collect your name and address. " * 30),
        ("Terms of Use", "Your use of the service is governed by our Terms of Use."),
        ("Contact us", "Write to our privacy team at the address below.")])
    doc = normalize(f"<html><body><main><p><b>Privacy Policy</b></p><p>{'We respect your data. ' * 20}</p>{sections}"
                    "</main></body></html>".encode())
    assert has(doc, "Your use of the service is governed") and has(doc, "Write to our privacy team")
    assert doc.dropped == ()


def test_hub_in_german_tabs_names_each_document_it_drops():
    doc = page("hub-tabs-de.html")  # Bootstrap 3 tabs: <a data-toggle="tab" href="#…"> over .tab-pane panels
    assert has(doc, "Northwind Labs erhebt den Namen") and has(doc, "Unseren Datenschutzbeauftragten")
    assert not has(doc, "Diese Nutzungsbedingungen") and not has(doc, "Dieser Auftragsverarbeitungsvertrag")
    assert [(d.heading, d.reason) for d in doc.dropped] == [
        ("Nutzungsbedingungen", "another legal document"), ("Auftragsverarbeitungsvertrag", "another legal document"),
        ("Impressum", "another legal document"),
        ("Nutzungsbedingungen | Datenschutzerklärung | Auftragsverarbeitungsvertrag | ...", "navigation: the tabs of a legal hub")]
    terms = page("hub-tabs-de.html", Target("Terms of Service"))
    assert has(terms, "Diese Nutzungsbedingungen") and has(terms, "Änderungen dieser Bedingungen")
    assert not has(terms, "Northwind Labs erhebt") and "Datenschutzerklärung" in [d.heading for d in terms.dropped]


@pytest.mark.parametrize("name", ["hub-tabs-fr.html", "hub-bold-divs-fr.html"])
def test_hub_in_french_keeps_the_policy_and_its_cookies_whatever_its_shape(name):
    # role=tab buttons over hidden panels; <div id> documents opening with bold titles, no links
    doc = page(name)
    assert has(doc, "Northwind Labs collecte le nom") and has(doc, "Notre délégué à la protection")
    assert has(doc, "Les cookies de mesure d'audience") and not has(doc, "Les présentes conditions")
    assert [(d.heading, d.reason) for d in doc.dropped if not d.reason.startswith("navigation")] == [
        ("Conditions générales d'utilisation", "another legal document"), ("Mentions légales", "another legal document")]


def test_hub_in_spanish_accordion_keeps_the_policys_title_set_above_its_panel():
    # <h2><button data-bs-target> over each .collapse panel, the policy's hidden: the title is outside the part
    doc = page("hub-accordion-es.html")
    assert [b.text for b in doc.blocks][:2] == ["Política de privacidad", "Northwind Labs recoge el nombre, "
                                                "el correo electrónico y los datos de facturación que nos facilita."]
    assert has(doc, "Nuestro delegado de protección de datos") and not has(doc, "Estos términos forman")
    assert [(d.heading, d.reason) for d in doc.dropped] == [
        ("Términos y condiciones", "another legal document"), ("Aviso legal", "another legal document")]
    terms = page("hub-accordion-es.html", Target("Terms of Service"))
    assert terms.blocks[0].text == "Términos y condiciones" and not has(terms, "Northwind Labs recoge")


def test_hub_whose_script_pairs_tabs_and_panels_by_data_attributes_keeps_the_closed_policy():
    # <li data-tab="privacy"> labels over <div data-tab-content="privacy" style="display: none">: no ids,
    # no ARIA; the Terms tab open
    doc = page("hub-data-tabs.html")
    assert has(doc, PRIVACY) and has(doc, PRIVACY_END) and has(doc, COOKIES)
    titled = page("hub-data-tabs-titled.html")  # each panel opens with its <h2>: its documents are told apart
    assert has(titled, PRIVACY) and has(titled, PRIVACY_END) and not has(titled, TERMS) and not has(titled, AUP)


def test_hub_whose_tab_labels_pair_with_their_panels_by_rank_drops_the_other_documents_and_the_tabs():
    doc = page("hub-data-tabs.html")  # the labels are the only titles: the n-th titles the n-th panel
    assert [b.text for b in doc.blocks][:2] == ["Legal", "What we collect"] and not has(doc, TERMS) and not has(doc, AUP)
    assert [(d.heading, d.reason) for d in doc.dropped] == [
        ("Terms of Service", "another legal document"), ("Acceptable Use Policy", "another legal document"),
        ("Terms of Service | Privacy Policy | Acceptable Use Policy", "navigation: the tabs of a legal hub")]
    terms = page("hub-data-tabs.html", Target("Terms of Service"))
    assert has(terms, TERMS) and has(terms, "These terms are governed by the law") and not has(terms, PRIVACY)


def test_policy_in_another_language_hidden_beside_the_shown_one_stays_hidden():
    text = "We collect your name and address to run the service. " * 20
    copies = (f'<div class="policy-text" lang="en"><p>{text}</p></div>'
              f'<div class="policy-text" lang="fr" style="display:none"><p>{"Nous collectons votre nom. " * 30}</p></div>')
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{copies}</main></body></html>".encode())
    assert has(doc, "We collect your name") and not has(doc, "Nous collectons")


def test_hub_whose_menu_gives_short_labels_is_titled_by_its_documents_own_titles():
    # menu: Terms, Privacy, DPA, Acceptable use, Sub-processors, Security; each <div id> opens with its <h2>
    doc = page("hub-short-labels.html")
    assert not has(doc, "Northwind Labs engages") and not has(doc, "We encrypt data at rest")
    assert [(d.heading, d.reason) for d in doc.dropped if not d.reason.startswith("navigation")] == [
        ("Terms", "another legal document"), ("Data Processing Addendum", "another legal document"),
        ("Acceptable Use Policy", "another legal document"), ("Sub-processors", "another part of a legal hub"),
        ("Security", "another part of a legal hub")]


def test_hub_of_unlinked_containers_opening_with_bold_titles_keeps_the_policy():
    # <div id> documents, each opening with a bold line: no table of contents, tabs or labels
    doc = page("hub-bold-divs.html")
    assert [b.text for b in doc.blocks if b.kind == "heading"] == [
        "Legal", "Privacy Policy", "What we collect", "Your rights", "Retention and contact", "Cookies"]
    assert [(d.heading, d.reason) for d in doc.dropped] == [
        ("Terms of Service", "another legal document"), ("Acceptable Use Policy", "another legal document")]


def test_policy_whose_anchored_sections_open_with_document_names_is_no_hub():
    # the same shape, but the "Terms of Use" section is a few lines, no document
    sections = [("intro", "Privacy Policy", "We respect your data and explain here what we do with it. " * 8),
                ("cookies", "Cookie Policy", "We use cookies to remember your settings and to count visits. " * 8),
                ("terms", "Terms of Use", "Your use of the service is also governed by our Terms of Use. " * 3)]
    divs = "".join(f'<div id="{k}"><p><b>{t}</b></p><p>{x}</p></div>' for k, t, x in sections)
    doc = normalize(f"<html><body><main>{divs}</main></body></html>".encode())
    assert has(doc, "Your use of the service is also governed") and doc.dropped == ()


def test_policy_linking_other_documents_through_scripts_is_no_hub():
    # links to no place ("#", a script) naming the Terms are no titles inside a policy
    body = ("<html><body><main><h1>Privacy Policy</h1><p>" + "We collect your name and address. " * 30 + "</p>"
            '<p>Read these with this policy:</p><ul><li><a href="#">Terms of Service</a></li>'
            '<li><a href="javascript:void(0)">Cookie Policy</a></li></ul><p>' + "We keep data for a year. " * 20 + "</p>"
            '<p>See our <a href="#">Terms of Service</a> for the rules.</p></main></body></html>')
    doc = normalize(body.encode())
    assert [b.text for b in doc.blocks][3:5] == ["Terms of Service", "Cookie Policy"]
    assert has(doc, "See our Terms of Service") and doc.dropped == ()


def test_hub_part_whose_title_stands_before_its_container_goes_with_it():
    doc = page("hub-titles-outside.html")  # <p class="doc-title">Terms of Service</p><div id="terms">…
    assert [b.text for b in doc.blocks][:2] == ["Privacy Policy", "What we collect"]
    builder = page("hub-builder-tabs.html")  # a role=tab copy of each title before its panel
    assert [b.text for b in builder.blocks][:2] == ["Privacy Policy", "What we collect"]
    terms = page("hub-titles-outside.html", Target("Terms of Service"))
    assert [b.text for b in terms.blocks][:2] == ["Terms of Service", "Agreement"]
    assert not any(b.text in ("Privacy Policy", "Acceptable Use Policy") for b in terms.blocks)


def test_hub_in_chinese_tabs_names_its_rules_and_conventions_as_documents():
    titles = ["用户协议", "隐私政策", "儿童个人信息保护规则", "社区公约"]
    tabs = "".join(f'<span role="tab" aria-controls="d{i}">{t}</span>' for i, t in enumerate(titles))
    panels = "".join(f'<div role="tabpanel" id="d{i}">' + "".join(f"<p>这是关于{t}的第{j}段说明文字，内容较长。</p>"
                                                                  for j in range(20)) + "</div>"
                     for i, t in enumerate(titles))
    doc = normalize(f'<html><body><main><div role="tablist">{tabs}</div>{panels}</main></body></html>'.encode())
    assert has(doc, "这是关于隐私政策的第0段") and has(doc, "这是关于儿童个人信息保护规则的第0段")  # a privacy rule stays
    assert [(d.heading, d.reason) for d in doc.dropped] == [
        ("用户协议", "another legal document"), ("社区公约", "another legal document"),
        ("用户协议 | 隐私政策 | 儿童个人信息保护规则 | ...", "navigation: the tabs of a legal hub")]


def test_policy_whose_sections_are_an_archived_accordion_keeps_its_sections_named_as_documents():
    sections = [("Information we collect", "We collect your name, address and phone number. " * 6),
                ("Cookie Policy", "We use cookies to remember your settings and to count visits. " * 6),
                ("Your rights", "You may ask for a copy of your data or its deletion at any time. " * 6),
                ("Terms of Use", "Your use of the service is also governed by our Terms of Use. " * 2)]
    items = "".join(f'<li><a href="#" class="accordion-title">{t}</a><div class="accordion-content">{x}</div></li>'
                    for t, x in sections)
    doc = normalize(f'<html><body><main><ul class="accordion">{items}</ul></main></body></html>'.encode())
    assert has(doc, "Your use of the service is also governed") and doc.dropped == ()


def test_hub_titled_by_styled_paragraphs_alone_keeps_the_policys_sections():
    doc = page("hub-styled.html")  # no anchors, no labels: the titles are paragraphs set large by classes
    assert [b.text for b in doc.blocks if b.kind == "heading"] == ["Privacy Policy", "What we collect", "Your choices"]
    assert [(d.heading, d.reason) for d in doc.dropped] == [
        ("Northwind Labs Terms of Service", "another legal document"), ("Acceptable Use Policy", "another legal document")]


def test_a_line_naming_the_policy_inside_a_sentence_is_no_title():
    lines = "".join(f"<p>{t}</p>" for t in ["Changes to this Privacy Policy", "We may change this policy.",
                                             "Terms of Service", "Your use is governed by our terms."])
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1><p>{'We collect your name. ' * 40}</p>{lines}"
                    "</main></body></html>".encode())
    assert [b.kind for b in doc.blocks if b.text == "Changes to this Privacy Policy"] == ["paragraph"]
    assert doc.dropped == ()


def test_a_tracked_terms_of_service_keeps_the_terms_and_drops_the_policy():
    for name in ("hub-anchored.html", "hub-tabs.html"):
        doc = page(name, Target("Terms of Service"))
        assert has(doc, TERMS) and not has(doc, PRIVACY), name
        assert "Privacy Policy" in [d.heading for d in doc.dropped]


def test_policy_with_a_table_of_contents_to_its_own_sections_is_no_hub():
    doc = page("policy-with-toc.html")
    texts = [b.text for b in doc.blocks]
    assert texts[0] == "Privacy Policy" and "Terms of Service" in texts and "Cookie Policy" in texts
    assert doc.dropped == () and doc.scope_note is None


def test_hub_whose_tab_labels_sit_apart_from_their_panels_is_kept_whole_rather_than_lose_the_policy():
    doc = page("hub-toggles-apart.html")
    assert has(doc, PRIVACY) and has(doc, "We keep account data while the account is open")
    assert has(doc, TERMS) and doc.dropped == ()


@pytest.mark.parametrize("anchor", ['<h2 id="{}">{}</h2>', '<a name="{}"></a><h2>{}</h2>'])
def test_policy_titled_as_such_whose_few_anchored_sections_name_documents_is_no_hub(anchor):
    # four sections, two titled as documents: as many legal titles as a hub's, under the policy's own title
    sections = [("collect", "Information we collect", "We collect your name, address and phone number. " * 6),
                ("cookies", "Cookie Policy", "We use cookies to remember your settings and to count visits. " * 6),
                ("rights", "Your rights", "You may ask for a copy of your data or its deletion at any time. " * 6),
                ("terms", "Terms of Use", "Your use of the service is also governed by our Terms of Use. " * 3)]
    toc = "".join(f'<li><a href="#{k}">{t}</a></li>' for k, t, _ in sections)
    text = "".join(anchor.format(k, t) + f"<p>{x}</p>" for k, t, x in sections)
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1><ul>{toc}</ul>{text}</main></body></html>".encode())
    assert [b.text for b in doc.blocks if b.kind == "heading"] == [
        "Privacy Policy", "Information we collect", "Cookie Policy", "Your rights", "Terms of Use"]
    assert [d.reason for d in doc.dropped] == ["navigation: a table of contents"]


def test_policy_whose_sections_are_disclosures_is_no_hub():
    doc = page("policy-in-disclosures.html")
    texts = [b.text for b in doc.blocks]
    assert texts[0] == "Privacy Policy" and "Cookies" in texts and has(doc, "Our Terms of Service explain")
    assert doc.dropped == () and doc.scope_note is None


def test_fragment_keeps_only_the_part_it_names():
    assert [b.text for b in page("hub-anchored.html", Target(fragment="privacy")).blocks][:2] == [
        "Privacy Policy", "Last updated: January 14, 2025"]
    flat = page("hub-flat.html", Target(fragment="pp"))
    assert flat.blocks[0].text == "Privacy Statement" and has(flat, COOKIES) and not has(flat, "If you believe")
    one_section = page("policy-with-toc.html", Target(fragment="cookies"))
    assert [b.text for b in one_section.blocks][0] == "Cookie Policy" and len(one_section.blocks) == 3


@pytest.mark.parametrize(("name", "fragment"), [
    ("hub-tabpanel-sections.html", "doc-privacy"), ("hub-sidebar-articles.html", "privacy"),
    ("hub-collapse-panels.html", "c-privacy"), ("hub-select-toc.html", "privacy"),
    ("hub-anchored-sections.html", "privacy"), ("hub-short-labels.html", "privacy"),
    ("hub-cookies-inside.html", "privacy"), ("hub-aria-accordion.html", "sect-privacy"),
    ("hub-open-tab-accordion.html", "t-privacy")])
def test_fragment_keeps_the_whole_part_it_names_whatever_the_hubs_shape(name, fragment):
    doc = page(name, Target(fragment=fragment))
    assert has(doc, PRIVACY) and has(doc, PRIVACY_END) and not has(doc, TERMS) and not has(doc, AUP)
    assert doc.scope_note is None


def test_fragment_missing_from_a_capture_says_so_and_reads_the_page_as_a_whole():
    doc = page("hub-anchored.html", Target(fragment="privacy-notice"))
    assert doc.scope_note == "#privacy-notice is not in this capture; the page was read as a whole"
    assert has(doc, PRIVACY) and not has(doc, TERMS)


def test_real_hub_keeps_the_privacy_documents_only():
    doc = page("buffer-20260206123005.html", folder=PAGES)
    headings = [b.text for b in doc.blocks if b.kind == "heading" and b.level == 2]
    assert headings == ["Privacy Policy", "Buffer California Resident Privacy Notice", "GDPR compliance",
                        "Data Privacy Frameworks Policy (DPFs Policy)", "Data Retention Notice"]
    dropped = {d.heading: d.reason for d in doc.dropped}
    assert dropped["Current Terms of Use"] == dropped["API Terms"] == "another legal document"
    assert dropped["Security"] == "another part of a legal hub"


def test_real_hub_captures_that_differ_outside_the_policy_are_one_version():
    # Only the hub's security acknowledgements and its archived terms changed between them.
    old, new = (page(name, folder=PAGES) for name in ("buffer-20251127003006.html", "buffer-20260206123005.html"))
    assert sequence_hash(old.blocks) == sequence_hash(new.blocks)


def test_real_hub_fragment_of_a_title_keeps_the_section_it_labels():
    doc = page("buffer-20260206123005.html", Target(fragment="privacy-policy"), folder=PAGES)
    assert doc.blocks[0].text == "Privacy Policy"
    assert not any(b.text == "Buffer California Resident Privacy Notice" for b in doc.blocks)


def test_nested_table_of_contents_and_its_label_go_so_a_new_menu_is_no_new_version():
    # The later capture adds a table of contents with sub-entries, under a "Table of contents"
    # label that names the list (aria-labelledby), and a mobile copy in a <details>.
    old, new = (page(name, folder=PAGES) for name in ("npm-20230727003004.html", "npm-20230926003004.html"))
    assert sequence_hash(old.blocks) == sequence_hash(new.blocks)
    assert any(d.reason == "navigation: a table of contents" and d.blocks > 20 for d in new.dropped)
