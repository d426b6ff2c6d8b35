"""Rewritten clauses (tracker.diff._rewrites, tracker.diff._splits): a clause that keeps a good
run of its words is modified (or split) with word ops, not removed plus added; two clauses
that share only boilerplate are not paired."""

from dataclasses import dataclass

from tracker.diff import PAIR_THRESHOLD, diff_clauses, similarity
from tracker.diff.redline import redline_text


@dataclass(frozen=True)
class Clause:
    text: str
    section: tuple[str, ...] = ()


def clauses(*texts: str) -> list[Clause]:
    return [Clause(text) for text in texts]


def changed(old: list[Clause], new: list[Clause]):
    return [c for c in diff_clauses(old, new) if c.kind != "unchanged"]


INTRO = "This policy explains how Example Ltd handles your personal data."
CONTACT = "Write to privacy@example.com with any question about this policy."
RETENTION = "We keep your messages until you delete your account."


def test_clause_with_a_long_sentence_appended_is_modified():
    appended = (RETENTION + " After that we remove them from our servers within thirty days, except where the law"
                " requires us to keep a record of a conversation for longer, for example to answer a court order.")
    assert similarity(RETENTION, appended) < PAIR_THRESHOLD
    [change] = changed(clauses(INTRO, RETENTION, CONTACT), clauses(INTRO, appended, CONTACT))
    assert (change.kind, change.old_index, change.new_index) == ("modified", 1, 1)
    assert [op.op for op in change.ops] == ["equal", "insert"]
    assert redline_text(change.ops).startswith(RETENTION + "{+ After that we remove them")


def test_clause_that_lost_most_of_its_text_is_modified():
    whole = ("We share your name, email address and the content of your support requests with the"
             " companies that run our help desk, our email delivery and our payment processing, and we"
             " require each of them to keep that information confidential and to delete it when the"
             " contract ends, or earlier when you ask us to, unless a law of the country you live in"
             " obliges us to keep a copy for longer.")
    kept = "We share your name, email address and the content of your support requests."
    assert similarity(whole, kept) < PAIR_THRESHOLD
    [change] = changed(clauses(INTRO, whole, CONTACT), clauses(INTRO, kept, CONTACT))
    assert (change.kind, change.old_index, change.new_index) == ("modified", 1, 1)
    assert redline_text(change.ops).startswith(
        "We share your name, email address and the content of your support requests[- with the")


def test_clause_reworded_in_the_middle_at_length_is_modified():
    before = "If you close your account, we delete your profile and photos within thirty days of your request."
    after = ("If you close your account, we first suspend it for fourteen days so that you can change your"
             " mind and come back without losing anything, then remove your matches, your messages, the"
             " people you blocked and your payment history from the app and from our support tools, and"
             " finally erase every copy of your profile and photos within thirty days of your request.")
    assert similarity(before, after) < PAIR_THRESHOLD
    [change] = changed(clauses(INTRO, before, CONTACT), clauses(INTRO, after, CONTACT))
    assert change.kind == "modified"
    text = redline_text(change.ops)
    assert text.startswith("If you close your account, ")
    assert text.endswith("within thirty days of your request.")


def test_heading_renamed_in_place_is_modified():
    old = clauses(INTRO, "Log Information", "We record the pages you visit.", CONTACT)
    new = clauses(INTRO, "Log Personal Data", "We record the pages you visit.", CONTACT)
    assert similarity("Log Information", "Log Personal Data") < PAIR_THRESHOLD
    [change] = changed(old, new)
    assert (change.kind, change.old_index, change.new_index) == ("modified", 1, 1)
    assert redline_text(change.ops) == "Log [-Information-]{+Personal Data+}"


def test_split_whose_pieces_were_edited():
    whole = ("We collect your name and email address when you register. We use them to run your account and"
             " to send you receipts. We keep them for two years after you close your account.")
    pieces = ("We collect your name, email address and phone number when you sign up.",
              "We use them to run your account, to send you receipts and to show you offers.",
              "We keep them for three years after you close your account.")
    [change] = changed(clauses(INTRO, whole, CONTACT), clauses(INTRO, *pieces, CONTACT))
    assert (change.kind, change.old_indexes, change.new_indexes) == ("split", (1,), (1, 2, 3))
    assert not change.cosmetic
    text = redline_text(change.ops)
    assert "{+and phone number+}" in text and "[-two-]{+three+}" in text


def test_negation_flip_stays_modified_and_flagged():
    old = clauses(INTRO, RETENTION, "We do not sell your personal information to advertisers.", CONTACT)
    new = clauses(INTRO, RETENTION, "We do sell your personal information to advertisers.", CONTACT)
    [change] = changed(old, new)
    assert change.kind == "modified" and change.flags == ("negation_removed",)
    assert redline_text(change.ops) == "We do [-not-] sell your personal information to advertisers."


BOILERPLATE = " provides more information on how it processes data in its Privacy Policy."
PROCESSORS = [
    "(a) Northwind Hosting Inc. with its registered office at 410 Harbour Road, Seattle, WA 98109, USA,"
    " which stores the nightly backups of our databases in two data centres. Northwind" + BOILERPLATE,
    "(b) Bluebird Mail Ltd with its registered office at 22 Keizersgracht, 1015 CR Amsterdam, the"
    " Netherlands, which sends our account emails and newsletters. Bluebird" + BOILERPLATE,
    "(c) Quill Support GmbH with its registered office at 37 Saarbruecker Strasse, 10405 Berlin, Germany,"
    " which runs our help desk, answers chat requests on weekends and archives every support ticket."
    " Quill" + BOILERPLATE,
    "(d) Lantern Analytics SAS with its registered office at 8 Rue de Rivoli, 75004 Paris, France, which"
    " measures how the app is used so that we can fix crashes. Lantern" + BOILERPLATE,
]


def test_two_processors_sharing_only_boilerplate_are_not_paired():
    replacement = ("(c) Orbit Payments AB at 5 Drottninggatan in Stockholm takes card payments for subscriptions"
                   " and refunds them after a timely cancellation and checks cards against fraud lists. Orbit"
                   + BOILERPLATE)
    old = clauses(INTRO, *PROCESSORS, CONTACT)
    new = clauses(INTRO, *PROCESSORS[:2], replacement, PROCESSORS[3], CONTACT)
    # Below the pairing threshold, but a quarter alike through the boilerplate they share.
    assert 0.25 < similarity(PROCESSORS[2], replacement) < PAIR_THRESHOLD
    changes = changed(old, new)
    assert [(c.kind, c.old_index, c.new_index) for c in changes] == [("removed", 3, None), ("added", None, 3)]


def test_rewritten_region_is_split_and_modified_with_only_the_changed_words():
    """Two clauses rewritten as three, their words kept but reordered (no run of three kept
    words, so nothing but the runs of text pairs them): a split and a modification whose
    redlines keep what the versions share."""
    old = clauses(
        INTRO,
        "Members near you see your photo, first name, age and city on the map; you may hide the city in"
        " settings at any time.",
        "Payments: card numbers go to Northwind Bank when you pay, and it keeps them as required by banking law.",
        CONTACT,
    )
    new = clauses(
        INTRO,
        "Nearby members see your photo and your first name on their map.",
        "Your age shows as well, and your city, which you can hide in the settings whenever you want.",
        "Each time you pay, Northwind Bank receives your card numbers and keeps them, as banking law requires.",
        CONTACT,
    )
    changes = changed(old, new)
    assert [(c.kind, c.old_indexes or (c.old_index,), c.new_indexes or (c.new_index,)) for c in changes] == [
        ("split", (1,), (1, 2)), ("modified", (2,), (3,))]
    kept = " ".join(op.text for c in changes for op in c.ops if op.op == "equal")
    reported = " ".join(op.text for c in changes for op in c.ops if op.op != "equal")
    for shared in ("see your photo", "first name", "city", "keeps them", "banking law"):
        assert shared in kept
    for word in ("photo", "first", "name", "banking"):
        assert word not in reported
