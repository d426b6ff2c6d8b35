"""The normalizer on real archived pages and on the hostile HTML they contain.

Core tests use the corpus copies inside the repository; the full-corpus tests skip when
../shared/corpus is absent. Recall is measured exactly as bench/extraction.py measures it.
"""

import csv
import importlib.util
import os
import random
import time
from functools import cache
from pathlib import Path

import pytest

from tracker.normalize import NORMALIZER_VERSION, Block, NormalizeError, Page, normalize
from tracker.normalize.text import normalize_text

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tracker" / "sample" / "corpus" / "archive"
LOCAL = Path(__file__).parent / "data" / "corpus" / "archive"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
VOIP = SAMPLE / "seed--voip.com--privacy-policy"
LEX = LOCAL / "dating--lex--privacy-policy"


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_extraction", REPO / "bench" / "extraction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


@cache
def capture(page: Path, stamp: str) -> Page:
    return normalize((page / f"{stamp}.html").read_bytes())


def labels(page: Path) -> list[dict]:
    with (page / "labels.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def html(body: str, head: str = "") -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def policy(*paragraphs: str) -> str:
    """Enough policy prose that a test page is not near-empty."""
    filler = "We collect your name and email address to provide the service and answer your requests."
    return "".join(f"<p>{p}</p>" for p in paragraphs) + f"<p>{filler}</p>" * 6


def texts(doc: Page, kind: str | None = None) -> list[str]:
    return [b.text for b in doc.blocks if kind is None or b.kind == kind]


# --- real pages -----------------------------------------------------------------------------


def test_voip_2006_policy_with_sections_and_no_navigation():
    doc = capture(VOIP, "20061016220256")
    headings = {b.text: b for b in doc.blocks if b.kind == "heading"}
    for name in ("Privacy Policy", "Cookies", "Security", "Children's Privacy Policy", "Updates"):
        assert headings[name].section == () and headings[name].level == 2
    cookies = [b for b in doc.blocks if b.section == ("Cookies",)]
    assert [b.kind for b in cookies] == ["paragraph"] * 3
    assert cookies[0].text.startswith("A cookie is a small text file")
    assert "We do not link the information we store in cookies" in cookies[0].text
    # The address block with single <br>s is one block.
    assert doc.blocks[-1].text.endswith("102 NE 2nd St Ste 381 Boca Raton FL 33432 privacy@voip.com")
    text = doc.to_text()
    for chrome in ("How it Works", "Sign Up", "Site Map", "Residential", "800-TRY-VOIP", "Internet Phone Service"):
        assert chrome not in text
    assert doc.title == "Privacy Policy" and doc.encoding == "utf-8" and doc.invalid_reason is None


def test_voip_2006_sentences_match_the_reference():
    markdown = (VOIP / "reference" / "20061016220256.md").read_text()
    wanted, missing = bench.recall_check(markdown, capture(VOIP, "20061016220256").to_text())
    assert len(wanted) > 40 and missing == []


REFERENCES = [
    pytest.param(reference, id=f"{reference.parents[1].name[:20]}-{reference.stem}")
    for root in (SAMPLE, LOCAL) for reference in sorted(root.glob("*/reference/*.md"))
]


@pytest.mark.parametrize("reference", REFERENCES)
def test_recall_of_reference_sentences(reference):
    page = reference.parents[1]
    doc = capture(page, reference.stem)
    wanted, missing = bench.recall_check(reference.read_text(encoding="utf-8"), doc.to_text())
    assert len(missing) <= 0.03 * len(wanted), missing
    assert doc.invalid_reason is None


def test_lex_noise_is_stable_and_changes_differ():
    checked = {"noise": 0, "change": 0}
    for row in labels(LEX):
        same = capture(LEX, row["timestamp"]).blocks == capture(LEX, row["prev_timestamp"]).blocks
        if row["label"] in ("noise", "markup"):
            assert same, row
        elif row["label"] == "change":
            assert not same, row
        checked[row["label"]] = checked.get(row["label"], 0) + 1
    assert checked["noise"] >= 15 and checked["change"] >= 6


def test_two_thousand_three_table_layout_keeps_content_cell_only():
    doc = capture(SAMPLE / "seed--avoxi.com--privacy-policy", "20050205185830")
    assert doc.blocks[0] == Block("heading", "1Force Communications, LLC Online Privacy Policy", (), 1)
    assert any("long-standing tradition of recognizing and protecting the privacy" in t for t in texts(doc))
    assert doc.invalid_reason is None
    assert len(doc.to_text().split()) > 900


def test_data_table_rows_keep_their_cells():
    doc = capture(SAMPLE / "seed--onebox.com--privacy-policy", "20090405150900")
    rows = texts(doc, "table_row")
    assert "1. | What personally identifiable information the Company collects." in rows
    assert "6. | How we will notify you of any changes to this Policy." in rows


# --- charsets -------------------------------------------------------------------------------


def test_latin1_declared_only_in_meta_decodes_as_windows_1252():
    body = b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">' \
           b"<p>Caf\xe9 \x93cr\xe8me\x94 \x96 100\xa0%</p>"
    doc = normalize(body)
    assert doc.encoding == "windows-1252"
    assert texts(doc) == ['Café "crème" - 100 %']


def test_charset_precedence_header_then_bom_then_meta():
    latin1 = b"<meta charset=utf-8><p>Caf\xe9</p>"
    assert texts(normalize(latin1, "text/html; charset=ISO-8859-1")) == ["Café"]
    bom = b"\xef\xbb\xbf<meta charset=windows-1251><p>Caf\xc3\xa9</p>"
    assert normalize(bom).encoding == "utf-8" and texts(normalize(bom)) == ["Café"]
    assert texts(normalize("<p>Café</p>".encode("utf-16"))) == ["Café"]


def test_common_mislabels_are_seen_through():
    doc = normalize("<meta charset=iso-8859-1><p>Café “quoted”</p>".encode())
    assert doc.encoding == "utf-8" and texts(doc) == ['Café "quoted"']
    doc = normalize(b"<meta charset=utf-8><p>Caf\xe9 cr\xe8me</p>")
    assert doc.encoding == "windows-1252" and texts(doc) == ["Café crème"]
    # A stray invalid byte in real UTF-8 is a replacement character, as in browsers.
    assert texts(normalize(b"<meta charset=utf-8><p>Caf\xc3\xa9 \xff</p>")) == ["Café \ufffd"]


@pytest.mark.parametrize("label", ["base64", "idna", "x-no-such-charset", "utf-7"])
def test_unusable_charset_labels_never_crash(label):
    doc = normalize(f"<meta charset={label}><p>Caf".encode() + b"\xe9</p>", f"text/html; charset={label}")
    assert texts(doc)[0].startswith("Caf")


def test_undeclared_bytes_are_detected():
    assert texts(normalize(b"<p>na\xefve r\xe9sum\xe9 caf\xe9</p>")) == ["naïve résumé café"]
    russian = "<p>Мы не продаём ваши данные третьим лицам.</p>".encode("cp1251")
    assert texts(normalize(russian)) == ["Мы не продаём ваши данные третьим лицам."]


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


# --- stability and fidelity -----------------------------------------------------------------


def test_markup_churn_gives_equal_blocks():
    first = html(
        '<script>var build="a1b2c3";</script><div class="wrap x-91f" data-token="abc">'
        '<h2 id=s1 class="t">Security</h2><p class=a  style="color:red">We  protect\n your data.</p>'
        '<input type=hidden name=csrf value=111></div>', '<style>.a{}</style>')
    second = html(
        '<div data-token="zzz" class="wrap x-7ee"><h2 class="t2" id=s9>Security</h2>'
        '<p style="color:blue" class=b>We protect your <span class="hl">data</span>.</p>'
        '<input type=hidden name=csrf value=999></div><script>var build="ffff";</script>')
    assert normalize(first).blocks == normalize(second).blocks


def test_numbers_negations_and_modals_are_kept():
    old = normalize(html(policy("We do not sell data.", "We keep logs for 30 days.", "You may opt out.")))
    new = normalize(html(policy("We do sell data.", "We keep logs for 60 days.", "You must opt out.")))
    assert texts(old)[:3] == ["We do not sell data.", "We keep logs for 30 days.", "You may opt out."]
    assert [a != b for a, b in zip(old.blocks, new.blocks)][:3] == [True, True, True]


def test_normalize_text_hides_only_what_readers_cannot_see():
    assert normalize_text("  a\u00a0b\u200b c\u00adc \u2018x\u2019 \u201cy\u201d 1\u20132\u20143 \ufb01le \uff21 ") \
        == "a b cc 'x' \"y\" 1-2-3 file A"
    assert normalize_text("We do NOT share 3 items.") == "We do NOT share 3 items."


# --- junk captures --------------------------------------------------------------------------


@pytest.mark.parametrize("body, reason", [
    (html("<h1>404 - Page Not Found</h1><p>Sorry, we could not find that page.</p>", "<title>Not Found</title>"),
     "error page"),
    (html("<p>Enable JavaScript and cookies to continue</p>", "<title>Just a moment...</title>"), "bot challenge"),
    (html("<h1>Attention Required! | Cloudflare</h1><p>Please complete the security check to access.</p>"),
     "bot challenge"),
    (html("<p>Hrm. The Wayback Machine has not archived that URL.</p>"), "wayback notice"),
    (html("<p>Loading...</p>"), "near-empty"),
    (b"", "near-empty"),
])
def test_junk_captures_are_invalid(body, reason):
    assert normalize(body).invalid_reason.startswith(reason)


def test_short_real_policy_with_numbers_is_valid():
    doc = normalize(html("<h1>Privacy</h1>" + policy("Write to 1000 Circle 75 Parkway, Suite 500, Atlanta.")))
    assert doc.invalid_reason is None


def test_oversized_input_is_refused_quickly():
    start = time.perf_counter()
    with pytest.raises(NormalizeError, match="exceeds"):
        normalize(b"<p>" + b"x" * 40_000_000)
    assert time.perf_counter() - start < 1


def test_random_bytes_never_crash():
    rng = random.Random(7)
    for size in (1, 100, 5000, 200_000):
        body = bytes(rng.randrange(256) for _ in range(size))
        try:
            doc = normalize(body)
        except NormalizeError:
            continue
        assert doc.invalid_reason is not None
    with pytest.raises(NormalizeError, match="binary"):
        normalize(os.urandom(4096))


def test_document_renderings():
    doc = normalize(html("<h1>Policy</h1><p>Intro.</p><ul><li>One<ul><li>Two</li></ul></li></ul>"
                         "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>"))
    assert doc.to_markdown() == "# Policy\n\nIntro.\n\n- One\n  - Two\n\n| a | b |\n| c | d |\n"
    assert doc.to_text() == "Policy\nIntro.\nOne\nTwo\na | b\nc | d\n"
    data = doc.to_dict()
    assert data["normalizer_version"] == NORMALIZER_VERSION and data["invalid_reason"].startswith("near-empty")
    assert data["blocks"][1] == {"kind": "paragraph", "text": "Intro.", "section": ["Policy"], "level": 0}


# --- the full shared corpus -----------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_pages():
    if not (SHARED / "archive").is_dir():
        pytest.skip(f"full corpus not present at {SHARED}")
    return sorted(p for p in (SHARED / "archive").iterdir() if p.is_dir())


def test_no_change_capture_is_invalid_in_full_corpus(corpus_pages):
    for page in corpus_pages:
        for row in labels(page):
            if row["label"] == "change":
                assert capture(page, row["timestamp"]).invalid_reason is None, (page.name, row)


@pytest.fixture(scope="module")
def corpus_results(corpus_pages):
    return {page.name: bench.measure_page(page) for page in corpus_pages}


@pytest.mark.xfail(strict=True, reason=(
    "issue 12 (scope): recall 0.986 pooled on the grown corpus, 0.84-0.93 on four new pages. "
    "Pirr's title and intro sit in a page-builder section above the body and are dropped; most "
    "of the rest are menus, forms and footers the new pages' silver references keep (Sana, "
    "Stability AI, Airon)"))
def test_full_corpus_recall(corpus_results):
    assert bench.total(corpus_results).figures()["recall"] >= 0.99
    assert all(r.figures()["recall"] is None or r.figures()["recall"] >= 0.95 for r in corpus_results.values())


def test_full_corpus_stability(corpus_results):
    results = corpus_results
    total = bench.total(results).figures()
    # Each remaining false version is a real text change that the labels missed (README: silver
    # labels): reworded sentences, a page of other content, the Terms on a combined page.
    assert total["false_versions"] <= 5
    assert total["leak"] <= 0.035  # Bumble: OTA's reference keeps only its .formatted-text parts
