"""The normalizer on real archived pages and on the hostile HTML they contain: charsets,
stability under markup churn, junk captures and renderings. Page structure is
test_page_structure.py's; the full shared corpus is test_normalize_corpus.py's."""

import gc
import os
import random
import threading

import pytest
from normalize_pages import LEX, LOCAL, SAMPLE, VOIP, bench, capture, html, labels, policy, texts

import tracker.normalize._page as tracker_page
from tracker.normalize import NORMALIZER_VERSION, PRIVACY_POLICY, Block, NormalizeError, Target, clear_caches, normalize
from tracker.normalize.text import normalize_text

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


def test_normalize_text_is_the_same_for_texts_too_long_to_cache():
    piece = "  a\u00a0b\u200b c\u00adc \u2018x\u2019 \u201cy\u201d 1\u20132\u20143 \ufb01le \uff21 "
    short = normalize_text(piece)
    assert normalize_text(piece) == short  # the cached answer
    assert normalize_text(piece * 100) == " ".join([short] * 100)  # 4,000 characters: not cached
    clear_caches()
    assert normalize_text(piece) == short


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
    # Error pages in scripts without spaces, long enough (each character is a word) not to be near-empty.
    (html("<h1>抱歉，您访问的页面不存在</h1><p>您要查看的网址可能已被删除、名称已被更改，或者暂时不可用，请返回首页继续浏览其他内容。"
          "如果您认为这是一个错误，请联系我们的客服团队，我们会尽快为您处理。</p>"), "error page"),
    (html("<h1>お探しのページは見つかりませんでした</h1><p>ご指定のページは削除されたか、アドレスが変更された可能性があります。"
          "お手数ですが、トップページから目的のページをお探しください。ご不便をおかけして申し訳ございません。</p>"),
     "error page"),
])
def test_junk_captures_are_invalid(body, reason):
    assert normalize(body).invalid_reason.startswith(reason)


def test_short_real_policy_with_numbers_is_valid():
    doc = normalize(html("<h1>Privacy</h1>" + policy("Write to 1000 Circle 75 Parkway, Suite 500, Atlanta.")))
    assert doc.invalid_reason is None


def test_oversized_input_is_refused():
    with pytest.raises(NormalizeError, match="exceeds"):
        normalize(b"<p>" + b"x" * 40_000_000)


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


def test_a_policy_element_read_again_gives_what_its_markup_and_document_give():
    """Captures repeat their policy element in other chrome, and what it gives is remembered:
    by the element's markup (the same line set in bold is a heading, whatever its classes) and
    by the document tracked."""
    terms = Target("Terms of Service")
    both = "<h2>Privacy Policy</h2><p>{}</p>" + "".join(
        f"<p>We do not sell data of kind {n}, and we keep it for {n} days before we delete it for good.</p>"
        for n in range(8)) + "<h2>Terms of Service</h2>" + "".join(
        f"<p>You agree to these terms for plan {n}, which renews each month until you cancel it.</p>" for n in range(8))

    def page(menu: str, line: str) -> bytes:
        return html(f'<nav><a href="/a">{menu}</a> <a href="/b">Blog</a></nav><main>{both.format(line)}</main>')

    plain, again, bolded = page("Home", "Our promise"), page("Start", "Our promise"), page("Home", "<b>Our promise</b>")
    classed = page("Home", '<span class="promise" id="p1">Our promise</span>')
    styled = page("Home", '<span class="promise" style="font-weight: 700">Our promise</span>')
    reads = (again, bolded, classed, styled)
    expected = {}  # each read cold
    for read in reads:
        for target in (PRIVACY_POLICY, terms):
            clear_caches()
            expected[read, target] = normalize(read, target=target)
    clear_caches()
    normalize(plain)
    for read in reads:
        for target in (PRIVACY_POLICY, terms):
            assert normalize(read, target=target) == expected[read, target]
    assert texts(expected[again, PRIVACY_POLICY])[2].startswith("We do not sell data of kind 0")
    assert texts(expected[again, terms])[1].startswith("You agree to these terms for plan 0")
    assert "Our promise" not in texts(expected[again, PRIVACY_POLICY], "heading")
    assert "Our promise" in texts(expected[bolded, PRIVACY_POLICY], "heading")
    assert "Our promise" in texts(expected[styled, PRIVACY_POLICY], "heading")
    assert expected[classed, PRIVACY_POLICY] == expected[again, PRIVACY_POLICY]


def test_the_cycle_collector_is_held_off_only_while_a_page_is_read(monkeypatch):
    """Reading a page pauses Python's cycle collector (its allocations hold no cycle) and gives
    it back as it was, when the page raises too; a collector the caller held off stays off."""
    states = []
    real = tracker_page._read

    def read(*args, **kwargs):
        states.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(tracker_page, "_read", read)
    page = html(policy("We do not sell data."))
    assert gc.isenabled()
    normalize(page)
    assert states == [False] and gc.isenabled()

    def fail(*args, **kwargs):
        raise NormalizeError("unreadable")

    monkeypatch.setattr(tracker_page, "_read", fail)
    with pytest.raises(NormalizeError):
        normalize(page)
    assert gc.isenabled()
    monkeypatch.setattr(tracker_page, "_read", read)
    gc.disable()
    try:
        normalize(page)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_pages_read_at_once_by_several_threads_read_as_alone():
    """The policy elements remembered are shared by the process's threads (the scheduler's):
    threads reading more pages than are remembered, each page twice, read each as alone."""
    pages = [html(policy(f"We keep record {n} for {n} days.")) for n in range(24)]
    clear_caches()
    alone = [normalize(page) for page in pages]
    read: dict[int, list] = {}

    def reader(start: int) -> None:
        order = list(range(start, len(pages))) + list(range(start))
        read[start] = [(n, normalize(pages[n])) for n in order * 2]

    threads = [threading.Thread(target=reader, args=(start,)) for start in (0, 6, 12, 18)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(page == alone[n] for found in read.values() for n, page in found)
    assert sum(map(len, read.values())) == 4 * 2 * len(pages)
