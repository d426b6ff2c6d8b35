"""How the normalizer reads a page's structure: paragraphs, chrome (navigation, banners,
toolbars, menus) dropped, the policy part of combined pages kept, headings, lists and tables."""



from normalize_pages import html, policy, texts

from tracker.normalize import Block, normalize

# --- structure ------------------------------------------------------------------------------


def test_br_runs_split_paragraphs_and_single_br_is_a_space():
    doc = normalize(html("<td>First line<br>same paragraph.<br> <br>\n<br>Second paragraph.<br><br>Third.</td>"))
    assert texts(doc) == ["First line same paragraph.", "Second paragraph.", "Third."]


def test_unclosed_tags_and_font_soup():
    doc = normalize(html("<font face=arial><p><b>Security<p>We protect data.<p>We do <i>not sell data.<p>Last"))
    assert doc.blocks[0] == Block("heading", "Security", (), 1)
    assert texts(doc, "paragraph") == ["We protect data.", "We do not sell data.", "Last"]


def test_hidden_elements_and_cookie_banner_are_dropped():
    body = html(
        '<div id="cookie-banner">We use cookies to improve your experience. <button>Accept</button></div>'
        '<div class="cc-window cc-banner">This website uses cookies.</div>'
        "<p hidden>Hidden by attribute.</p><p style='display: none'>Hidden by style.</p>"
        "<div aria-hidden='true'>Hidden from readers.</div>"
        '<section id="cookies"><h2 id="with-your-consent">Cookies and consent</h2>'
        + policy("We use cookies to remember your settings.") + "</section>"
    )
    text = normalize(body).to_text()
    assert "Cookies and consent" in text and "We use cookies to remember your settings." in text
    for gone in ("improve your experience", "This website uses", "Accept", "Hidden"):
        assert gone not in text


def test_navigation_header_footer_and_wayback_toolbar_are_dropped():
    body = html(
        "<!-- BEGIN WAYBACK TOOLBAR INSERT --><div>Wayback toolbar</div><!-- END WAYBACK TOOLBAR INSERT -->"
        "<div id='wm-ipp-base'>Captured 12 times</div>"
        "<header><a href=/>Home</a> <a href=/about>About</a></header>"
        "<nav><ul><li><a href=/a>Products</a></li></ul></nav>"
        "<ol class='breadcrumbs'><li><a href=/>Home</a></li><li>Privacy</li></ol>"
        "<a class='skip-link' href='#main'>Skip to content</a>"
        "<article><h1>Privacy Policy</h1>" + policy("Our policy text.") + "</article>"
        "<div class='footer'>© 2024 Example Inc. All rights reserved.</div>"
    )
    doc = normalize(body)
    assert doc.blocks[0] == Block("heading", "Privacy Policy", (), 1)
    text = doc.to_text()
    for gone in ("Wayback", "Captured", "Home", "About", "Products", "Skip", "2024"):
        assert gone not in text


def test_skip_and_back_to_top_links_go_whatever_their_class():
    body = html("<a href='#content'>Skip to main content</a><div id='content'>" + policy("Intro.")
                + "<p><a href='#top'>Back to top</a></p><p>See <a href='#rights'>your rights</a> below.</p></div>")
    text = normalize(body).to_text()
    assert "Skip" not in text and "Back to top" not in text
    assert "See your rights below." in text  # an in-page link inside a sentence is text


def test_permalinks_and_arrows_without_a_word_go_and_an_accordions_title_button_stays():
    body = html("<h2 id='c'><a href='#c'>#</a> Cookies</h2>" + policy("We set one cookie.")
                + "<p><a href='#top'>↑ Top</a></p><h2 id='s'>Sharing <a href='#s'>¶</a></h2>"
                + "<h2><button aria-expanded='true'>Your rights</button></h2><p>Ask us for a copy.</p>"
                + "<h2>Security <button>Print</button></h2><p>We encrypt backups.<sup><a href='#n1'>1</a></sup></p>")
    assert texts(normalize(body), "heading") == ["Cookies", "Sharing", "Your rights", "Security"]
    assert "We encrypt backups.1" in normalize(body).to_text()  # a footnote's number is text


def test_combined_legal_page_keeps_the_privacy_policy_part():
    terms = "<h2>Terms of Service</h2>" + "<p>You agree to arbitrate every dispute with us individually.</p>" * 20
    privacy = "<h2>Privacy Policy</h2><p>Last updated: June 11, 2021.</p>" + policy("We do not sell data.")
    copyright_ = "<h2>Copyright Policy</h2>" + "<p>Send notices of infringement to our agent.</p>" * 25
    doc = normalize(html("<h1>Terms, Privacy, & Copyright</h1>" + terms + privacy + copyright_))
    text = doc.to_text()
    assert "We do not sell data." in text and "arbitrate" not in text and "infringement" not in text
    assert [b.text for b in doc.blocks if b.kind == "heading"] == ["Terms, Privacy, & Copyright", "Privacy Policy"]
    # A privacy policy's own short section about the Terms is not another document.
    short = normalize(html("<h1>Privacy Policy</h1>" + policy("We collect data.")
                           + "<h2>Terms of Use</h2><p>Your use is also governed by our Terms of Use.</p>"))
    assert "Your use is also governed by our Terms of Use." in short.to_text()


def test_lead_in_beside_the_policy_body_is_kept_but_not_promotions():
    body = html(
        "<div class='promo'>Join our webinar on AI, <a href=/w>register</a></div>"
        "<div class='page'><p>Last updated: January 5, 2024</p><p>Please read carefully.</p>"
        "<div class='policy-body'>" + policy("Body starts.") * 3 + "</div></div>"
        "<div class='below'>Was this page helpful?</div>"
    )
    text = normalize(body).to_text()
    assert text.startswith("Last updated: January 5, 2024\nPlease read carefully.\nBody starts.\n")
    assert "webinar" not in text and "helpful" not in text


def test_element_holding_most_text_is_never_chrome():
    doc = normalize(html("<form id='aspnetForm'><div class='nav-content'>" + policy("Kept.") + "</div></form>"))
    assert texts(doc)[0] == "Kept."


def test_layout_columns_keep_the_policy_and_drop_the_menu_column():
    menu = "".join(f"<a href=/p{i}>Product {i}</a><br>" for i in range(12))
    body = html(
        f"<table><tr><td width=150>{menu}</td><td><font size=2>"
        "<b>Privacy Policy</b><br><br>We respect your privacy.<br><br>"
        "<b>Cookies</b><br>We use cookies for 30 days.<br><br>"
        "7. OUR USE OF BANNER ADS.<br>We do not sell data to advertisers. " + "More words here. " * 20 +
        "</font></td></tr></table>"
    )
    doc = normalize(body)
    assert [(b.kind, b.text, b.section) for b in doc.blocks[:5]] == [
        ("heading", "Privacy Policy", ()),
        ("paragraph", "We respect your privacy.", ("Privacy Policy",)),
        ("heading", "Cookies", ()),
        ("paragraph", "We use cookies for 30 days.", ("Cookies",)),
        ("heading", "7. OUR USE OF BANNER ADS.", ()),
    ]
    assert "Product" not in doc.to_text()


def test_bold_lead_in_and_all_caps_lines_become_headings_below_the_real_one():
    body = html(
        "<h2>Our Policy</h2><p><b>Cookies</b></p><p>We use cookies.</p>"
        "<p>SECURITY</p><p>We encrypt data.</p><p><b>Note:</b> bold inside a sentence stays a paragraph.</p>"
        "<p>WE DO NOT SELL ANY OF YOUR PERSONAL DATA TO THIRD PARTIES FOR MONEY OR ANY OTHER REASON.</p>"
    )
    doc = normalize(body)
    assert [(b.kind, b.text, b.section, b.level) for b in doc.blocks] == [
        ("heading", "Our Policy", (), 2),
        ("heading", "Cookies", ("Our Policy",), 3),
        ("paragraph", "We use cookies.", ("Our Policy", "Cookies"), 0),
        ("heading", "SECURITY", ("Our Policy",), 3),
        ("paragraph", "We encrypt data.", ("Our Policy", "SECURITY"), 0),
        ("paragraph", "Note: bold inside a sentence stays a paragraph.", ("Our Policy", "SECURITY"), 0),
        ("paragraph", "WE DO NOT SELL ANY OF YOUR PERSONAL DATA TO THIRD PARTIES FOR MONEY OR ANY OTHER REASON.",
         ("Our Policy", "SECURITY"), 0),
    ]


def test_nested_lists_carry_their_depth():
    doc = normalize(html("<ul><li>Name<ul><li>First name</li><li>Last name<ol><li>Maiden</li></ol></li></ul></li>"
                         "<li><p>Email</p></li></ul>"))
    assert [(b.kind, b.text, b.level) for b in doc.blocks] == [
        ("list_item", "Name", 1), ("list_item", "First name", 2), ("list_item", "Last name", 2),
        ("list_item", "Maiden", 3), ("list_item", "Email", 1),
    ]


def test_data_tables_become_rows_and_layout_tables_become_blocks():
    data = ("<table><tr><th>Data</th><th>Purpose</th></tr>"
            "<tr><td>Email</td><td><p>Login</p><p>Support</p></td></tr></table>")
    layout = ("<table><tr><td><h3>Rights</h3><p>You may ask for a copy.</p></td>"
              "<td><p>You may object.</p></td></tr></table>")
    doc = normalize(html(data + layout))
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("table_row", "Data | Purpose"), ("table_row", "Email | Login Support"),
        ("heading", "Rights"), ("paragraph", "You may ask for a copy."), ("paragraph", "You may object."),
    ]


def test_definition_lists_and_blockquotes():
    doc = normalize(html("<dl><dt>Personal data</dt><dd>Any information about you.</dd></dl>"
                         "<blockquote><p>Last updated: May 1, 2024</p></blockquote>"))
    assert texts(doc) == ["Personal data", "Any information about you.", "Last updated: May 1, 2024"]


def _cloudflare(address: str, key: int = 0x5A) -> str:
    """The data-cfemail value Cloudflare's e-mail obfuscation writes for `address`."""
    return bytes([key, *(byte ^ key for byte in address.encode())]).hex()


def _hidden(address: str, shown: str = "[email&#160;protected]") -> str:
    return f'<span class="__cf_email__" data-cfemail="{_cloudflare(address)}">{shown}</span>'


def test_cloudflare_hidden_addresses_read_as_the_address_wherever_they_sit():
    form = html("<form id='aspnetForm'>" + policy(f"Write to {_hidden('privacy@example.com')}.") + "</form>")
    assert "Write to privacy@example.com." in normalize(form).to_text()
    body = html(policy(f"Or see <a href='#contact'>{_hidden('dpo@example.com')}</a> below.")
                + f"<p><a href='#contact'>{_hidden('top@example.com', 'Back to top')}</a></p>")
    text = normalize(body).to_text()
    assert "Or see dpo@example.com below." in text
    assert "top@example.com" in text  # an in-page link is judged by the text it shows
    assert "protected" not in text and "Back to top" not in text


def test_main_landmark_holding_the_policy_is_its_element_unless_inside_removed_chrome():
    related = "<div class='related'>" + "<p>Read our guide to choosing the right plan for your team.</p>" * 3 + "</div>"
    doc = normalize(html("<main>" + policy("We keep your data safe.") + "</main>" + related))
    assert texts(doc)[0] == "We keep your data safe." and "guide" not in doc.to_text()
    # Inside a wrapper that would be chrome but holds most of the page (an ASP.NET <form>).
    doc = normalize(html("<form id='aspnetForm'><main>" + policy("We keep your data safe.") + "</main>"
                         + related + "</form>"))
    assert texts(doc)[0] == "We keep your data safe." and "guide" not in doc.to_text()
    # A <main> inside a menu removed as chrome is gone with it, however much text it held.
    menu = "<nav><main>" + "<p>Browse our catalogue of products and services for every need.</p>" * 8 + "</main></nav>"
    doc = normalize(html(menu + "<div class='policy'>" + policy("We keep your data safe.") + "</div>"))
    assert texts(doc)[0] == "We keep your data safe." and "catalogue" not in doc.to_text()
