"""Re-renderings that change no words: the same policy as a real table or a Markdown-style
text table is a cosmetic change at most; a capture showing its HTML source as text is no
policy page. Hand-made pages in tests/data/scope (the corpus has none of these kinds).
"""

from dataclasses import replace

from corpora import DATA

from tracker.diff import diff_clauses, same_words, summarize
from tracker.diff.rendering import reader_words
from tracker.normalize import normalize

SCOPE = DATA / "scope"


def page(name: str):
    return normalize((SCOPE / name).read_bytes())


def test_text_table_and_real_table_are_the_same_words_so_every_change_is_cosmetic():
    real, text = page("table-real.html"), page("table-text.html")
    assert [b.kind for b in real.blocks].count("table_row") == 5
    assert real.blocks != text.blocks
    for old, new in ((real, text), (text, real)):
        changes = diff_clauses(old.blocks, new.blocks)
        counts = summarize(changes)
        assert counts["material"] == 0 and counts["cosmetic"] > 0


def test_a_changed_word_in_another_rendering_stays_material():
    real, text = page("table-real.html"), page("table-text.html")
    edited = [replace(b, text=b.text.replace("Seven years", "Ten years")) for b in text.blocks]
    assert summarize(diff_clauses(real.blocks, edited))["material"] > 0


def test_page_showing_its_source_as_text_is_invalid():
    doc = page("escaped-source.html")
    assert doc.invalid_reason.startswith("markup shown as text (52 tags")
    # ... and it reads the same words as the rendered page.
    rendered = page("table-real.html")
    assert [w for b in doc.blocks for w in reader_words(b.text)] == [
        w for b in rendered.blocks for w in reader_words(b.text)]


def test_reader_words_drop_tags_entities_link_targets_and_table_rules():
    assert reader_words('<p class="x">We &amp; <b>you</b></p>') == ("we", "you")
    assert reader_words("| Data | Purpose |\n|---|---|\n| [E-mail](https://example.com/e) | Login |") == (
        "data", "purpose", "e", "mail", "login")
    assert reader_words("a < b and c > d") == ("a", "b", "and", "c", "d")


def test_a_list_items_drawn_marker_typed_out_is_the_same_words():
    items = ["Your name;", "your e-mail address.", "the books you borrow."]
    assert same_words(items, [f"{n}. {item}" for n, item in enumerate(items, 1)])
    assert same_words(items, [f"• {item}" for item in items])
    assert same_words(items, [f"- {item}" for item in items]) and same_words(items, [f"({c}) {item}" for c, item in zip("abc", items)])
    assert same_words(["Our processors:", "Stripe", "Mailgun"], ["Our processors: Stripe · Mailgun"])
    assert reader_words("3. We keep it") == reader_words("We keep it")


def test_numbers_that_are_the_policys_words_still_count():
    assert not same_words(["We keep it 30 days."], ["We keep it 60 days."])
    assert not same_words(["2019. We updated this policy."], ["2020. We updated this policy."])
    assert not same_words(["Section 3. Sharing"], ["Section 4. Sharing"])
    assert not same_words(["We do not sell data."], ["We do sell data."])


def test_marks_set_where_a_division_is_run_in_are_the_same_words_but_words_never_are():
    heading = ["Cookies", "We use one cookie."]
    assert same_words(heading, ["Cookies. We use one cookie."]) and same_words(heading, ["Cookies: we use one cookie."])
    assert same_words(["Loans | Two years"], ["Loans: Two years"])
    assert same_words(["We record:", "your name;", "your doctor."], ["We record: 1. your name; 2. your doctor."])
    assert not same_words(heading, ["Cookies. We use two cookies."])
    assert not same_words(heading, ["Cookies. We never use one cookie."])
    assert not same_words(["We record:", "your name;", "your doctor."], ["We record: 1. your name."])
    assert same_words(["We record:", "your name", "your doctor"], ["We record: your name, your doctor."])
    assert not same_words(["We record:", "your name", "your doctor"], ["We record: your name, your dentist."])
    assert not same_words(["Some examples", "cookies and pixels."], ["Some examples e.g. cookies and pixels."])
    assert not same_words(["Some examples", "cookies and pixels."], ["Some examples: i.e. cookies and pixels."])
    assert not same_words(["As section 4 says", "We keep it."], ["As section 4 says 5.", "We keep it."])
    assert not same_words(["Cookies", "We use one cookie."], ["Cookies. We use one cookie. Ads"])
