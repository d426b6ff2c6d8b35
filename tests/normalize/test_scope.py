"""Only the policy, on any page: the scope step on combined legal pages, a policy's lead-in in
a section of its own, and words of scripts written without spaces.

Real corpus captures live in tests/data/pages, hand-made pages for kinds the corpus lacks in
tests/data/scope (see the README there).
"""

import json
from pathlib import Path

from corpora import DATA

from tracker.diff import diff_clauses
from tracker.diff.words import word_diff
from tracker.normalize import normalize
from tracker.normalize.text import word_count

SCOPE = DATA / "scope"
PAGES = DATA / "pages"


def page(folder: Path, name: str):
    return normalize((folder / name).read_bytes())


def texts(doc) -> list[str]:
    return [b.text for b in doc.blocks]


def test_combined_page_keeps_the_policy_and_its_cookie_part_and_drops_the_other_documents():
    doc = page(SCOPE, "combined-legal-page.html")
    kept = texts(doc)
    assert "Example Co Privacy Policy" in kept and "Cookie Policy" in kept
    assert any(t.startswith("You can refuse non-essential cookies") for t in kept)
    assert not any(t.startswith(("By using the service", "This agreement governs", "Cloud hosting"))
                   for t in kept)
    assert [(d.heading, d.reason) for d in doc.dropped] == [
        ("Terms of Service", "another legal document"),
        ("Data Processing Agreement", "another legal document"),
        ("Exhibit A - Subprocessors", "annex of another legal document"),
    ]
    assert all(d.words > 100 and d.blocks > 5 for d in doc.dropped)
    assert doc.invalid_reason is None and doc.scope_note is None


def test_policy_that_only_names_other_documents_keeps_every_clause():
    doc = page(SCOPE, "names-other-documents.html")
    assert "Terms of Service" in texts(doc)
    assert any("governed by our Terms of Service" in t for t in texts(doc))
    assert doc.dropped == () and doc.scope_note is None and doc.scope() is None


def test_unsure_page_keeps_everything_and_says_so():
    doc = page(SCOPE, "no-privacy-title.html")
    assert "Terms of Use" in texts(doc) and "Information we collect" in texts(doc)
    assert doc.dropped == ()
    assert doc.scope_note.startswith("unsure:")
    assert doc.to_dict()["scope"] == {"dropped": [], "note": doc.scope_note}


def test_normalize_json_shows_what_was_dropped_and_why(tracker_cli):
    result = tracker_cli("normalize", "--format", "json", str(SCOPE / "combined-legal-page.html"))
    data = json.loads(result.output)
    assert [d["heading"] for d in data["scope"]["dropped"]] == [
        "Terms of Service", "Data Processing Agreement", "Exhibit A - Subprocessors"]
    assert data["scope"]["dropped"][0]["reason"] == "another legal document"
    text = tracker_cli("normalize", "--format", "text", str(SCOPE / "combined-legal-page.html"))
    assert "left out 'Terms of Service': another legal document" in text.stderr
    assert "By using the service" not in text.stdout


def test_title_and_intro_in_a_section_above_the_body_are_the_policys_lead_in():
    # A page builder puts "PIRR Privacy Policy", its date and intro in their own section.
    doc = page(PAGES, "pirr-20251220070627.html")
    assert texts(doc)[0] == "PIRR Privacy Policy"
    assert texts(doc)[1].startswith("For Pirr users - Updated February 25, 2025")
    assert any(t.startswith("Pirr is committed to protecting your privacy") for t in texts(doc))
    assert any(t.startswith("Who Are We") for t in texts(doc))  # and the body after it


def test_japanese_policy_is_not_near_empty():
    doc = page(SCOPE, "japanese-policy.html")
    assert doc.invalid_reason is None
    # Seven lines with no space in them: a space count would say 7 words.
    assert sum(word_count(b.text) for b in doc.blocks) > 200


def test_word_count_counts_each_cjk_character_and_leaves_spaced_text_as_split():
    for text in ("We don't sell - ever.", "Doubao Privacy Policy v2.1", "개인정보 처리방침"):
        assert word_count(text) == len(text.split())
    assert word_count("隐私政策。我们收集信息") == 10  # 4 + 6 characters; punctuation is no word
    assert word_count("Doubao隐私政策 v2") == 6


def test_chinese_policy_word_counts_and_diffs_are_per_character():
    old, new = page(PAGES, "doubao-20240529063049.html"), page(PAGES, "doubao-20240614063216.html")
    assert old.invalid_reason is None
    assert sum(word_count(b.text) for b in old.blocks) > 5000
    changes = [c for c in diff_clauses(old.blocks, new.blocks) if c.kind == "modified"]
    assert changes
    # A modified clause's redline changes a few characters, not the whole sentence.
    for change in changes:
        inserted = sum(len(op.text) for op in change.ops if op.op == "insert")
        assert inserted < len(change.new_text)
    ops = word_diff("我们收集您的信息。", "我们不收集您的信息。")
    assert [(op.op, op.text) for op in ops] == [("equal", "我们"), ("insert", "不"), ("equal", "收集您的信息。")]


def test_menus_table_of_contents_and_language_switcher_go_the_policys_link_lists_stay():
    kept = texts(page(SCOPE, "link-lists.html"))
    assert kept[:2] == ["Example Co Privacy Policy", "Last updated: March 3, 2024."]
    assert not any(t.startswith(("Chat", "Search", "Agents")) for t in kept)  # a menu with taglines
    for chrome in ("Terms of Service", "Acceptable Use Policy", "Deutsch", "Español"):
        assert chrome not in kept
    assert kept.count("1. Information We Collect") == 1  # the heading, not its contents entry
    assert ["Cloud Hosting Inc.", "Mail Delivery Ltd", "Payments GmbH"] == [
        t for t in kept if t.endswith(("Inc.", "Ltd", "GmbH"))]
    assert kept[-1].startswith("Write to privacy@example.com")


def test_a_list_of_links_the_policy_introduces_stays_even_at_the_end():
    kept = texts(page(SCOPE, "policy-ending-with-links.html"))
    assert kept[-4:] == ["Our processors", "Cloud Hosting Inc.", "Mail Delivery Ltd", "Payments GmbH"]


def test_a_menu_right_under_the_title_goes_a_list_the_policy_introduces_there_stays():
    prose = "".join(f"<p>Part {n} says one more thing about the data this shop keeps on its members.</p>"
                    for n in range(6))
    menu = "<ul>" + "".join(f"<li><a href='/{p.lower()}'>{p}</a></li>" for p in ("Shoes", "Bags", "Sale")) + "</ul>"
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{menu}{prose}</main></body></html>".encode())
    assert texts(doc)[:2] == ["Privacy Policy", "Part 0 says one more thing about the data this shop keeps on its members."]
    processors = "<h2>Our processors</h2><ul>" + "".join(
        f"<li><a href='https://{n}.example/privacy'>{n.title()} Ltd</a></li>" for n in ("cloud", "mail", "pay")) + "</ul>"
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{processors}{prose}</main></body></html>".encode())
    assert texts(doc)[:5] == ["Privacy Policy", "Our processors", "Cloud Ltd", "Mail Ltd", "Pay Ltd"]


def test_a_trail_or_menu_naming_the_page_itself_without_a_link_goes_at_the_edge():
    """Breadcrumbs ("Home > Legal > Privacy Policy") and a menu of the site's documents mark
    the page itself by not linking it: its item reads as the page's title. Under the title
    or above it, they go; a list of the policy's own whose last item is no link stays."""
    prose = "".join(f"<p>Part {n} says one more thing about the data this shop keeps on its members.</p>"
                    for n in range(6))
    crumbs = "<ol><li><a href='/'>Home</a></li><li><a href='/legal'>Legal</a></li><li>Privacy Policy</li></ol>"
    legal = ("<ul><li><a href='/terms'>Terms of sale</a></li><li>Privacy Policy</li>"
             "<li><a href='/cookies'>Cookie notice</a></li></ul>")
    for before, after in ((crumbs, ""), ("", crumbs), ("", legal)):
        doc = normalize(f"<html><body><main>{before}<h1>Privacy Policy</h1>{after}{prose}</main></body></html>".encode())
        assert texts(doc)[:2] == ["Privacy Policy", "Part 0 says one more thing about the data this shop keeps on "
                                  "its members."], (before, after)
    rights = ("<h2>Your rights</h2><p>You may:</p><ul><li><a href='/access'>Ask for a copy</a></li>"
              "<li><a href='/erase'>Ask us to erase it</a></li><li>Complain to a regulator</li></ul>")
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{prose}{rights}</main></body></html>".encode())
    assert texts(doc)[-3:] == ["Ask for a copy", "Ask us to erase it", "Complain to a regulator"]


def test_a_menu_of_groups_under_plain_labels_goes_at_the_edge():
    """A product mega-menu: each group's label ("Breads", in a <span> or a <button> that opens
    it) over a list of links. A list of the policy's own between its paragraphs stays."""
    prose = "".join(f"<p>Part {n} says one more thing about the data this shop keeps on its members.</p>"
                    for n in range(6))

    def links(*names: str) -> str:
        return "<ul>" + "".join(f"<li><a href='/{n.lower()}'>{n}</a></li>" for n in names) + "</ul>"
    menus = ("<ul><li>Breads" + links("Sourdough", "Rye", "Baguette") + "</li><li>Cakes" + links("Tarts", "Buns")
             + "</li><li><a href='/shops'>Shops</a></li></ul>",
             "<ul><li><span>Breads</span>" + links("Rye", "Spelt") + "</li><li><button>Cakes</button>"
             + links("Tarts", "Buns") + "</li></ul>")
    for menu in menus:
        for before, after in ((menu, ""), ("", menu)):
            doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{before}{prose}{after}</main></body></html>"
                            .encode())
            assert len(texts(doc)) == 7 and texts(doc)[1].startswith("Part 0"), menu
    middle = prose.index("<p>Part 3")
    between = prose[:middle] + menus[0] + prose[middle:]
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{between}</main></body></html>".encode())
    assert "Sourdough" in texts(doc)


def test_links_to_other_sites_on_the_lines_of_their_label_stay_even_at_the_end():
    """The lines of one paragraph: a label ending in a colon, then a link to another site per
    line. The policy introduces them as it introduces a list."""
    links = "<br>".join(f"<a href='https://{n}.example/opt-out'>{n.title()} opt-out</a>" for n in ("ads", "web", "mail"))
    prose = "".join(f"<p>Part {n} says one more thing about the data this shop keeps on its members.</p>"
                    for n in range(6))
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{prose}<p>To refuse targeted advertising, use:<br>"
                    f"{links}</p></main></body></html>".encode())
    assert texts(doc)[-1] == "To refuse targeted advertising, use: Ads opt-out Web opt-out Mail opt-out"
    assert not doc.dropped


def test_a_table_of_contents_linking_through_the_pages_own_address_is_dropped():
    sections = ["Information we collect", "Sharing", "Your rights"]
    prose = "".join(f"<h2 id='s{n}'>{t}</h2><p>This section says what the shop does about {t.lower()}.</p>"
                    for n, t in enumerate(sections))
    for address in ("https://shop.example/privacy", "/privacy"):
        toc = "<ul>" + "".join(f"<li><a href='{address}#s{n}'>{t}</a></li>" for n, t in enumerate(sections)) + "</ul>"
        doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{toc}{prose}</main></body></html>".encode())
        assert texts(doc).count("Sharing") == 1
        assert [d.reason for d in doc.dropped] == ["navigation: a table of contents"]


def test_links_to_places_in_other_sites_pages_are_no_table_of_contents():
    """A link to an anchor of another site's page is not one to a place no longer in this page."""
    prose = "".join(f"<p>Part {n} says one more thing about the data this shop keeps on its members.</p>"
                    for n in range(6))
    links = "".join(f"<li><a href='https://{name}.example/privacy#data'>{name.title()} privacy notice</a></li>"
                    for name in ("payments", "parcels", "hosting"))
    doc = normalize(f"<html><body><main><h1>Privacy Policy</h1>{prose}<p>Each processor says how it handles "
                    f"the data in its own notice:</p><ul>{links}</ul></main></body></html>".encode())
    assert "Parcels privacy notice" in texts(doc)
    assert not doc.dropped


def test_table_of_contents_agreeing_with_the_headings_of_a_real_page_is_dropped(shared_corpus):
    # Bardeen lists its sections as in-page links above them; each heading stays once.
    doc = normalize((shared_corpus / "archive" / "genai--bardeen--privacy-policy" / "20231025123001.html").read_bytes())
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert "8. Supplemental notice for California residents" in headings
    entries = [b.text for b in doc.blocks if b.kind == "list_item"]
    assert not [e for e in entries if any(h.lower().endswith(e.lower()) for h in headings)]


def test_a_menu_repeated_in_the_page_goes_even_between_paragraphs():
    kept = texts(page(SCOPE, "repeated-menu.html"))
    assert not any(t.startswith(("Chat -", "Search -", "Agents -")) for t in kept)
    assert len(kept) == 4 and kept[-1].startswith("Write to privacy@example.com")


def test_a_list_of_earlier_versions_of_the_policy_goes():
    kept = texts(page(SCOPE, "earlier-versions.html"))
    assert not any(t.endswith(("2023", "2022", "2021")) for t in kept)
    assert kept[-1].startswith("We use this information")  # and no heading left with nothing under it


def test_a_bare_privacy_title_beside_the_terms_is_the_policys():
    body = (SCOPE / "combined-legal-page.html").read_bytes().replace(b"Example Co Privacy Policy", b"Privacy")
    doc = normalize(body)
    assert "Privacy" in texts(doc) and "Terms of Service" not in texts(doc)
    assert [d.heading for d in doc.dropped][0] == "Terms of Service"


def test_flat_page_whose_documents_number_their_sections_at_the_titles_level():
    # Terms, then the privacy policy, each title followed by sections "1.", "2."... at its own
    # level; the policy's numbered "3. Terms of Use" section is a section, not a document.
    doc = page(SCOPE, "flat-legal-page.html")
    kept = texts(doc)
    assert kept[0] == "Privacy Policy" and "3. Terms of Use" in kept and "4. Your rights" in kept
    assert not any(t.startswith(("1. Acceptance", "2. Accounts", "By using the service")) for t in kept)
    assert [(d.heading, d.blocks) for d in doc.dropped] == [("Terms of Service", 11)]


def test_document_appended_under_the_policys_title_is_dropped():
    """A page whose title is the privacy policy's, with another whole document appended as one
    of its sections: the appended document goes, with its own subsections."""
    doc = page(SCOPE, "appended-terms.html")
    kept = texts(doc)
    assert kept[0] == "Privacy Policy" and "Your rights" in kept
    assert not any(t.startswith(("You agree not to misuse", "Enforcement", "We decide alone")) for t in kept)
    assert [(d.heading, d.reason) for d in doc.dropped] == [("Acceptable Use Policy", "another legal document")]
    assert doc.scope_note is None


def test_link_rows_without_list_markup_are_judged_as_lists():
    """Links side by side, one per <div> or one per <br> line: a language switcher and a
    product menu above the policy, a table of contents, earlier versions below it go; the
    policy's own processors (introduced, other sites) and links inside a sentence stay."""
    kept = texts(page(SCOPE, "link-rows.html"))
    assert kept[0] == "Privacy Policy"
    assert not any(t.startswith(("English", "Analytics", "Earlier versions")) for t in kept)
    assert kept.count("Information we collect") == 1 and kept.count("Sharing") == 1
    assert any(t.endswith("see security, status and help for more.") for t in kept)
    assert ["Example Cloud", "Example Mail", "Example Payments"] == [t for t in kept if t.startswith("Example ")]
    assert kept[-1].startswith("You can ask us for a copy")


def test_other_documents_are_told_by_their_titles_in_other_languages():
    """A German "Impressum und Datenschutz" page and a Chinese page putting the user agreement
    before the privacy policy: the legal notice and the agreement go, the policy stays."""
    de = page(SCOPE, "impressum-datenschutz.html")
    assert texts(de)[0] == "Datenschutzerklärung" and "Ihre Rechte" in texts(de)
    assert [(d.heading, d.reason) for d in de.dropped] == [("Impressum", "another legal document")]
    zh = page(SCOPE, "user-agreement-and-policy.zh.html")
    assert texts(zh)[0] == "示例平台隐私政策(2024年版)" and len(texts(zh)) == 4
    assert [(d.heading, d.reason) for d in zh.dropped] == [("示例平台用户协议", "another legal document")]


def test_flat_page_with_capital_titles_drops_the_whole_other_document():
    """Every heading a bold line of one level, the documents' titles in capitals and their
    sections not: the terms run from their title to the policy's."""
    doc = page(SCOPE, "flat-capital-titles.html")
    assert texts(doc) == ["PRIVACY POLICY", "Information we collect", texts(doc)[2], "Sharing", texts(doc)[4]]
    assert [(d.heading, d.blocks) for d in doc.dropped] == [("TERMS OF SERVICE", 11)]


def test_french_legal_page_keeps_only_the_policy():
    """A French page: a breadcrumb, the legal notice (mentions légales), the policy, then
    "back to top" and a cookie banner with its buttons."""
    doc = page(SCOPE, "mentions-legales.fr.html")
    assert texts(doc)[0] == "Politique de confidentialité" and len(texts(doc)) == 4
    assert texts(doc)[-1].startswith("Vous disposez d'un droit d'accès")
    assert [d.reason for d in doc.dropped] == ["another legal document", "page widget", "page widget"]
