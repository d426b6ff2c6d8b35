"""Spam injected into a hacked page is dropped and recorded; a gambling site's policy stays.
A real capture in tests/data/pages (README there), hand-made pages for the rest."""

import html

from corpora import DATA

from tracker.normalize import normalize

PAGES = DATA / "pages"
SHORT = ["We collect only your e-mail address to send you the newsletter you asked for.",
         "We never share it with anyone, and you can unsubscribe from every message at any time.",
         "We delete your address within a week of your unsubscribing, and we keep no other data.",
         "Write to privacy@example.com with any question about this policy or your data."]


def page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"<html><body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>".encode()


def test_injected_casino_article_is_dropped_and_recorded():
    doc = normalize((PAGES / "happn-20231002003240.html").read_bytes())
    assert [(d.heading, d.reason, d.blocks) for d in doc.dropped] == [
        ("h2>Fast Payout Casino", "injected spam", 2)]
    assert not any("casino" in b.text.lower() for b in doc.blocks)
    assert doc.blocks[-1].text == "To learn more: our privacy policy"


def test_spam_before_a_policy_goes_a_gambling_sites_policy_stays():
    spam = ["Cheap viagra and cialis from our online pharmacy, and payday loans approved in minutes: "
            "the best online pharmacy deals, with free spins at our partner casino."]
    doc = normalize(page("Example Privacy Policy", SHORT).replace(b"<main>", b"<main>" + b"".join(
        f"<p>{html.escape(s)}</p>".encode() for s in spam)))
    assert [d.reason for d in doc.dropped] == ["injected spam"]
    assert doc.blocks[0].text == "Example Privacy Policy"
    casino = [f"We process your personal data to run the casino, poker and betting games you play, and to "
              f"pay out your winnings (payouts are logged {n} times)." for n in range(3)]
    doc = normalize(page("Example Casino Privacy Policy", casino + SHORT))
    assert doc.dropped == () and len(doc.blocks) == 8


def test_page_widgets_at_the_edges_are_dropped_and_recorded():
    """A help-centre page without chrome class names: a breadcrumb trail above the policy; a
    poll with a counter, a cookie banner with its buttons and a copyright line below it."""
    doc = normalize((DATA / "scope" / "page-widgets.html").read_bytes())
    texts = [b.text for b in doc.blocks]
    assert texts[0] == "Privacy Policy" and texts[-1].startswith("We keep personal information")
    assert len(texts) == 6
    assert [(d.heading[:30], d.reason, d.blocks) for d in doc.dropped] == [
        ("Example Help Center > Legal > ", "page widget", 1),
        ("Was this article helpful?", "page widget", 6),
    ]


def test_widgets_right_under_the_title_and_a_tool_row_go():
    """The title is no widget, so the run at the top starts under it: a copyright line whose
    year would change, a "Print this page | Download PDF" row read as one block. The title
    stays, and a policy's own first sentence."""
    for top in (["© 2025 Example Bakery Ltd"], ["Print this page | Download PDF"],
                ["Print this page · Download PDF", "Back to top"]):
        doc = normalize(page("Example Privacy Policy", [*top, *SHORT, "Print this page | Download PDF"]))
        assert [b.text for b in doc.blocks] == ["Example Privacy Policy", *SHORT], top
    doc = normalize(page("Example Privacy Policy", ["Example Privacy Policy | Version 3 | Download PDF", *SHORT]))
    assert len(doc.blocks) == 6  # a row whose every part is no widget


def test_a_widgets_own_heading_at_the_end_goes_with_it():
    """A heading with nothing but a newsletter sign-up under it is the sign-up's; the policy's
    last section, its paragraph above a copyright line, keeps its heading."""
    body = "".join(f"<p>{p}</p>" for p in SHORT)
    for end, kept in (("<h3>Stay in the loop</h3><p>Subscribe to our newsletter for news every week.</p>", []),
                      ("<h2>Questions</h2><p>Ask our desk.</p><p>© 2025 Example Ltd</p>", ["Questions", "Ask our desk."])):
        doc = normalize(f"<html><body><main><h1>Example Privacy Policy</h1>{body}{end}</main></body></html>".encode())
        assert [b.text for b in doc.blocks] == ["Example Privacy Policy", *SHORT, *kept]


def test_help_center_widgets_go_under_the_title_and_its_date_and_at_the_end():
    """A help center's byline and the age of its last update, which changes on its own, and a
    row of share links, under the title, its subtitle and its date; a question with its feedback buttons,
    a newsletter's line, a chat's greeting and a call to action at the end."""
    dated = "Last updated: March 1, 2024"
    for top in (["Written by Jane Doe", "Updated over a week ago"], ["Updated 3 months ago"],
                ["We've updated our Privacy Policy. See what's changed"],
                ["Share this page: Facebook Twitter LinkedIn"], ["Share: Facebook, X, E-mail"]):
        for under in ([dated], ["Example Health", dated]):  # the title's date, and a subtitle
            doc = normalize(page("Example Privacy Policy", [*under, *top, *SHORT]))
            assert [b.text for b in doc.blocks] == ["Example Privacy Policy", *under, *SHORT], top
    for end in (["Did this answer your question?", "😞 😐 😃"],
                ["Get the latest product news and tips delivered to your inbox every month."],
                ["Hi there! 👋 How can we help you today?"],
                ["Ready to get started?", "Join over 10,000 teams who trust us every day.", "Start your free trial Book a demo"],
                ["Try it free for 14 days", "No credit card required. Cancel anytime.", "Get started"]):
        doc = normalize(page("Example Privacy Policy", [*SHORT, *end]))
        assert [b.text for b in doc.blocks] == ["Example Privacy Policy", *SHORT], end


def test_a_policys_own_sentences_about_sharing_and_updates_stay():
    """Lines a policy says of itself: the networks it shares data with, the date it was
    updated, a free trial's terms, in words a reader cannot take for a widget's."""
    own = ["We share your data with Facebook and Twitter when you log in with them.",
           "Updated on March 1, 2024 to name our new processor.",
           "When you start your free trial, we ask for your card number but charge nothing.",
           "We've updated our Privacy Policy effective May 1, 2024 to describe our new app."]
    for line in own:  # each right under the title, and last
        doc = normalize(page("Example Privacy Policy", [line, *SHORT, line]))
        assert [b.text for b in doc.blocks] == ["Example Privacy Policy", line, *SHORT, line], line


def test_a_policys_own_last_sentence_about_cookies_stays():
    """Without a banner's buttons beside it, a sentence about cookies is the policy's."""
    last = "This website uses cookies to remember your settings; you can refuse them in your browser."
    doc = normalize(page("Example Privacy Policy", [*SHORT, last]))
    assert doc.blocks[-1].text == last and doc.dropped == ()


def test_spam_in_another_language_goes_a_chinese_policy_stays():
    spam = "澳门赌场娱乐城，百家乐、老虎机、体育投注，注册即送彩金，博彩首选平台。"
    policy = ["我们会收集您在注册账号时提供的个人信息，包括手机号码和电子邮件地址。" * 2,
              "我们仅在实现本政策所述目的所必需的期限内保留您的个人信息。" * 2]
    doc = normalize(page("隐私政策", [*policy, spam]))
    assert [d.reason for d in doc.dropped] == ["injected spam"]
    assert all("赌场" not in b.text for b in doc.blocks) and len(doc.blocks) == 3
