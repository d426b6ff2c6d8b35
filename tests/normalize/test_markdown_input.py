"""Markdown and text as normalizer input: the same clauses as the same policy in HTML."""

from corpora import SAMPLE_CORPUS, SAMPLE_SEEDS

from tracker.normalize import normalize, read_provenance

VOIP_SEED = SAMPLE_SEEDS / "001_d67f99737f0e024a.txt"
VOIP_2006 = SAMPLE_CORPUS / "archive" / "seed--voip.com--privacy-policy" / "20061016220256.html"
MARKDOWN = "text/markdown; charset=utf-8"


def clauses(document):
    return [(b.kind, b.level, b.section, b.text) for b in document.blocks]


def test_voip_2006_seed_markdown_and_archive_capture_give_the_same_clause_sequence():
    """The customer's voip.com text (Princeton-Leuven Markdown, extracted from the capture of
    2006-10-16) and that capture's HTML: every clause equal in kind, level, section and text.
    No difference to list: the provenance line and the `# <title>` heading the corpus puts
    first are the file's metadata and the page's title, clauses in neither."""
    markdown = normalize(VOIP_SEED.read_bytes(), MARKDOWN)
    archived = normalize(VOIP_2006.read_bytes())
    assert markdown.invalid_reason is None and len(markdown.blocks) == 26
    assert clauses(markdown) == clauses(archived)
    assert markdown.title == archived.title == "Privacy Policy"


def test_headings_lists_tables_and_paragraphs_map_to_the_html_clause_kinds():
    markdown = (
        "# Our Privacy Policy\n\nWe collect data you give us when you sign up, and we keep it safe.\n\n"
        "## Sharing\n\nWe share it with:\n\n- payment processors\n- law enforcement, when the law requires it\n"
        "  - with a court order\n\n1. first numbered\n2. second numbered\n\n"
        "| Data | Kept for |\n|---|---|\n| Logs | 30 days |\n| Billing | 7 years |\n\n"
        "## Contact\n\nWrite to *privacy@example.org* or visit [our site](http://example.org/contact).\n"
    )
    html = (
        "<html><body><h1>Our Privacy Policy</h1><p>We collect data you give us when you sign up, and we keep "
        "it safe.</p><h2>Sharing</h2><p>We share it with:</p><ul><li>payment processors</li><li>law "
        "enforcement, when the law requires it<ul><li>with a court order</li></ul></li></ul>"
        "<ol><li>first numbered</li><li>second numbered</li></ol>"
        "<table><thead><tr><th>Data</th><th>Kept for</th></tr></thead><tbody><tr><td>Logs</td><td>30 days</td>"
        "</tr><tr><td>Billing</td><td>7 years</td></tr></tbody></table><h2>Contact</h2><p>Write to "
        "<em>privacy@example.org</em> or visit <a href='http://example.org/contact'>our site</a>.</p></body></html>"
    )
    from_markdown = normalize(markdown.encode(), MARKDOWN)
    assert clauses(from_markdown) == clauses(normalize(html.encode()))
    kinds = [b.kind for b in from_markdown.blocks]
    assert {"heading", "paragraph", "list_item", "table_row"} <= set(kinds)


def test_markup_in_markdown_is_text_never_rendered():
    text = "A policy paragraph that mentions <script>alert(1)</script> and <b>bold</b> words in it.\n"
    blocks = normalize(text.encode(), MARKDOWN).blocks
    assert [b.text for b in blocks] == [text.strip()]


def test_a_line_break_in_a_table_cell_is_read_as_the_break_html_gives():
    """A Markdown table cell can break a line only with `<br>` (Open Terms Archive's tables list
    a row's data one per line so): it reads as the same break in HTML, never as the word "br",
    while other markup stays text."""
    markdown = (
        "# Policy\n\n| Purpose | Data |\n|---|---|\n"
        "| To run the App. | * Name<br>* Email address<BR/>* Date of birth |\n"
        "| Payments.  <br />**Not via the App Store.** | Card <b>details</b> |\n"
    )
    html = (
        "<html><body><h1>Policy</h1><table><tr><th>Purpose</th><th>Data</th></tr>"
        "<tr><td>To run the App.</td><td>* Name<br>* Email address<br>* Date of birth</td></tr>"
        "<tr><td>Payments.<br><strong>Not via the App Store.</strong></td><td>Card &lt;b&gt;details&lt;/b&gt;</td></tr>"
        "</table></body></html>"
    )
    from_markdown = normalize(markdown.encode(), MARKDOWN)
    assert clauses(from_markdown) == clauses(normalize(html.encode()))
    assert [b.text for b in from_markdown.blocks][2:] == [
        "To run the App. | * Name * Email address * Date of birth", "Payments. Not via the App Store. | Card <b>details</b>"]


def test_a_table_in_text_without_blank_lines_stays_a_table():
    text = "| Data | Kept for |\n|---|---|\n| Logs | 30 days |\nWe delete the rest at once.\n"
    blocks = normalize(text.encode(), MARKDOWN).blocks
    assert [(b.kind, b.text) for b in blocks] == [
        ("table_row", "Data | Kept for"), ("table_row", "Logs | 30 days"), ("paragraph", "We delete the rest at once.")]


def test_text_without_blank_lines_is_one_block_per_line():
    """Bare policy texts (the VoIPX seed) put each paragraph on one line, no blank line between."""
    text = ("We respect your privacy and explain here what we collect.\nThis Privacy Policy explains:\n"
            "- How we collect information\n- What we collect\nCOOKIES\nWe use cookies to count visits.\n")
    blocks = normalize(text.encode(), MARKDOWN).blocks
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "We respect your privacy and explain here what we collect."),
        ("paragraph", "This Privacy Policy explains:"),
        ("list_item", "How we collect information"), ("list_item", "What we collect"),
        ("heading", "COOKIES"), ("paragraph", "We use cookies to count visits."),
    ]


def test_provenance_line_gives_domain_capture_time_and_page_url():
    provenance = read_provenance(VOIP_SEED.read_text("utf-8"))
    assert provenance.domain == "voip.com"
    assert provenance.timestamp == "20061016220256"
    assert provenance.url == "http://www.voip.com/privacy_policy.aspx"
    assert provenance.wayback_url.startswith("https://web.archive.org/web/20061016220256id_/")
    assert read_provenance("# A policy without one\n") is None

