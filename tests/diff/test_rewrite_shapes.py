"""Rewritten clauses in shapes of their own: a clause that keeps a substantial run of its old
words is modified (or split, merged, rewritten) and reports only the words that changed; one
that keeps only names and numbers is removed plus added; a meaning flip stays a flagged
modification. Each test states what a careful reader expects, kinds and changed words."""

from collections import Counter

from rewrite_reading import CHAT, CONTACT, INTRO, LOCATION, PAYMENTS, PHOTOS, changed, clauses, only, reported, shape

from tracker.diff import PAIR_THRESHOLD, similarity
from tracker.diff.words import words


def test_clause_gaining_a_long_sentence_before_and_another_after_is_modified():
    before = ("When you open a conversation with another member, the app stores each message on our servers"
              " in Ireland and keeps a copy on both phones so that it can be read offline.")
    after = ("Messages that another member reported to us are kept by our safety team for two more years,"
             " because we may need them to answer a complaint or a request from the police.")
    grown = f"{before} {CHAT} {after}"
    assert len(words(CHAT)) < 0.45 * len(words(grown))
    old = clauses(INTRO, CHAT, PHOTOS, CONTACT)
    new = clauses(INTRO, grown, PHOTOS.replace("profile", "account"), CONTACT)
    changes = changed(old, new)
    assert shape(changes) == [("modified", (1,), (1,)), ("modified", (2,), (2,))]
    assert reported(changes) == only("profile", f"{before} {after} account")


def test_clause_cut_to_a_third_of_its_middle_is_modified():
    whole = ("To keep the service safe for everyone and to comply with the anti-fraud rules of the countries"
             " where the app is offered, we share your name, email address and phone number with the identity"
             " checking company we use when you verify your profile, and that company deletes them as soon as"
             " the check is over unless a court orders otherwise.")
    middle = "For these checks we share your name, email address and phone number with the identity checking company we use."
    assert similarity(whole, middle) < PAIR_THRESHOLD
    old = clauses(INTRO, PHOTOS, whole, LOCATION, CONTACT)
    new = clauses(INTRO, PHOTOS, middle, "Members can block each other at any time.", LOCATION, CONTACT)
    changes = changed(old, new)
    assert shape(changes) == [("modified", (2,), (2,)), ("added", (), (3,))]
    assert reported(changes) == only(
        "To keep the service safe for everyone and to comply with the anti-fraud rules of the countries where"
        " the app is offered when you verify your profile, and that company deletes them as soon as the check"
        " is over unless a court orders otherwise",
        "For these checks Members can block each other at any time.")


def test_clause_whose_middle_is_rewritten_beside_an_added_clause_is_modified():
    before = ("If you report a member, our moderators read the reported messages and the profile of that member"
              " and tell you what they decided within two working days.")
    after = ("If you report a member, a moderator in our safety team reviews the whole conversation, may ask"
             " you for screenshots, links or further details, can suspend the account straight away while"
             " the case is open, and may pass it on to the police when a life is at risk; in every case you"
             " hear what they decided within two working days.")
    assert similarity(before, after) < PAIR_THRESHOLD
    old = clauses(INTRO, before, CONTACT)
    new = clauses(INTRO, "Reporting a member", after, CONTACT)
    changes = changed(old, new)
    assert shape(changes) == [("added", (), (1,)), ("modified", (1,), (2,))]
    kept = "".join(op.text for op in changes[1].ops if op.op == "equal")
    assert kept.startswith("If you report a member, ")
    assert kept.endswith("what they decided within two working days.")


LEAD = "We collect the following information when you sign up:"
ITEMS = ["your name and date of birth", "your email address", "your phone number", "the photos you choose to show"]


def test_paragraph_turned_into_a_lead_in_and_a_bulleted_list_is_split():
    paragraph = f"{LEAD} {ITEMS[0]}, {ITEMS[1]}, {ITEMS[2]} and {ITEMS[3]}."
    old = clauses(INTRO, paragraph, CONTACT)
    new = clauses(INTRO, LEAD, *(f"• {item};" for item in ITEMS), CONTACT)
    changes = changed(old, new)
    assert shape(changes) == [("split", (1,), (1, 2, 3, 4, 5))]
    assert reported(changes) == only("and", "")


def test_lead_in_and_a_bulleted_list_turned_into_a_paragraph_is_merged():
    paragraph = f"{LEAD} {ITEMS[0]}, {ITEMS[1]}, {ITEMS[2]} and {ITEMS[3]}."
    old = clauses(INTRO, LEAD, *(f"- {item}" for item in ITEMS), CONTACT)
    new = clauses(INTRO, paragraph, CONTACT)
    changes = changed(old, new)
    assert shape(changes) == [("merged", (1, 2, 3, 4, 5), (1,))]
    assert reported(changes) == only("", "and")


def test_three_clauses_recut_into_two_at_other_sentence_boundaries_is_one_rewritten_change():
    old = clauses(INTRO, f"{CHAT} {PHOTOS}", LOCATION, f"{PAYMENTS} {CONTACT}", "Last words.")
    new = clauses(INTRO, f"{CHAT} {PHOTOS} {LOCATION.replace('thirty', 'sixty')}", PAYMENTS, CONTACT, "Last words.")
    changes = changed(old, new)
    assert [c.kind for c in changes] in (["rewritten"], ["merged", "split"])
    assert reported(changes) == only("thirty", "sixty")


def test_clause_moved_to_another_section_and_grown_is_modified_and_moved():
    grown = (f"{LOCATION} When you turn off location sharing in the settings of your phone, we stop"
             " collecting it, delete the positions we stored before, and from then on show you members"
             " from the city you entered in your profile instead, which you can change whenever you like.")
    assert similarity(LOCATION, grown) < PAIR_THRESHOLD
    old = [*clauses("What we collect", INTRO, LOCATION, PHOTOS, section=("What we collect",)),
           *clauses("Your choices", CHAT, CONTACT, section=("Your choices",))]
    new = [*clauses("What we collect", INTRO, PHOTOS, section=("What we collect",)),
           *clauses("Your choices", CHAT, grown, CONTACT, section=("Your choices",))]
    changes = changed(old, new)
    assert shape(changes) == [("modified", (2,), (5,))]
    assert changes[0].moved
    assert reported(changes) == only("", grown[len(LOCATION):])


STOCK = " provides more information on how it processes personal data in its own privacy policy."
PROCESSORS = [
    "Northwind Hosting Inc., 410 Harbour Road, Seattle, stores the nightly backups of our databases."
    " Northwind" + STOCK,
    "Bluebird Mail Ltd, 22 Keizersgracht, Amsterdam, sends our account emails and our newsletters."
    " Bluebird" + STOCK,
    "Quill Support GmbH, 37 Saarbruecker Strasse, Berlin, runs our help desk and answers chat requests."
    " Quill" + STOCK,
]


def test_an_edited_processor_pairs_with_itself_not_with_its_neighbour_sharing_a_stock_phrase():
    edited = ("Bluebird Mail Ltd, 22 Keizersgracht, Amsterdam, sends our account emails, our newsletters, the"
              " reminders of unanswered messages and the receipts of every payment you make in the app, keeps"
              " a log of each email it delivered for ninety days, tells us which emails bounced so that we"
              " can ask you for a new address, and removes from its lists every address that asked to receive"
              " no more of our newsletters within one working day of the request, whichever of our apps it was"
              " sent from and whichever language it was written in. Bluebird" + STOCK)
    assert similarity(PROCESSORS[1], edited) < PAIR_THRESHOLD
    old = clauses(INTRO, *PROCESSORS, CONTACT)
    new = clauses(INTRO, PROCESSORS[0], edited, PROCESSORS[2].replace("Berlin", "Munich"), CONTACT)
    changes = changed(old, new)
    assert shape(changes) == [("modified", (2,), (2,)), ("modified", (3,), (3,))]
    assert reported(changes) == only(
        "and Berlin", "the reminders of unanswered messages and the receipts of every payment you make in the"
        " app keeps a log of each email it delivered for ninety days tells us which emails bounced so that"
        " we can ask you for a new address and removes from its lists every address that asked to receive no"
        " more of our newsletters within one working day of the request whichever of our apps it was sent from"
        " and whichever language it was written in Munich")


def test_clause_rewritten_keeping_only_names_and_numbers_is_removed_plus_added():
    before = "Northwind Bank receives your card number when you pay and keeps it for 7 years."
    after = "Since 2019 Northwind Bank has run our loyalty scheme; points expire after 7 years."
    old = clauses(INTRO, PHOTOS, before, CONTACT)
    new = clauses(INTRO, PHOTOS, after, CONTACT)
    changes = changed(old, new)
    assert shape(changes) in ([("removed", (2,), ()), ("added", (), (2,))], [("added", (), (2,)), ("removed", (2,), ())])


def test_clause_translated_in_place_keeps_only_its_numbers():
    """Across languages a word diff keeps names, numbers and loan words wherever they fall: the
    clause is modified, its numbers kept, every other word replaced."""
    before = "We keep your messages for 30 days and your payment records for 10 years."
    after = "Nous conservons vos messages pendant 30 jours et vos paiements pendant 10 ans."
    old = clauses(INTRO, PHOTOS, before, CONTACT)
    new = clauses(INTRO, PHOTOS, after, CONTACT)
    changes = changed(old, new)
    assert shape(changes) == [("modified", (2,), (2,))]
    deleted, inserted = reported(changes)
    assert "30" not in deleted + inserted and "10" not in deleted + inserted  # across languages, the facts kept
    assert {"keep", "days", "years"} <= set(deleted) and {"conservons", "jours", "ans"} <= set(inserted)


def test_table_row_whose_cells_changed_is_modified():
    header = "Data | Purpose | How long we keep it"
    before = "Location | To show you members nearby | 30 days"
    after = "Location and Wi-Fi networks | To show you members nearby and to detect fake profiles | 90 days"
    old = clauses(INTRO, header, "Photos | To show your profile | Until you delete them", before, CONTACT)
    new = clauses(INTRO, header, "Photos | To show your profile | Until you delete them", after, CONTACT)
    changes = changed(old, new)
    assert shape(changes) == [("modified", (3,), (3,))]
    assert reported(changes) == only("30", "and Wi Fi networks and to detect fake profiles 90")
    assert "number_changed" in changes[0].flags


def test_heading_renamed_beside_an_edited_paragraph_are_two_changes():
    old = clauses(INTRO, "Data retention", "We keep your data for as long as your account is open.", CONTACT)
    new = clauses(INTRO, "How long we keep your data",
                  "We keep your data for as long as your account is open and for one year after.", CONTACT)
    changes = changed(old, new)
    assert [c.kind for c in changes if c.new_index == 2 or c.old_index == 2] == ["modified"]
    assert all(len(c.old_indexes) <= 1 and len(c.new_indexes) <= 1 for c in changes)
    deleted, inserted = reported(changes)
    assert inserted["one"] == 1 and inserted["year"] == 1 and deleted["open"] == 0


def test_sentence_moved_from_one_clause_to_the_next_reports_no_word():
    old = clauses(INTRO, f"{CHAT} {PHOTOS}", LOCATION, CONTACT)
    new = clauses(INTRO, CHAT, f"{PHOTOS} {LOCATION}", CONTACT)
    changes = changed(old, new)
    assert reported(changes) == only("", "")
    assert all(c.kind in ("rewritten", "modified", "split", "merged") for c in changes)


def test_negation_flip_inside_a_clause_that_also_grew_stays_flagged():
    before = "We do not sell your personal information to advertisers."
    after = ("We do sell your personal information to advertisers, and to the data brokers that build"
             " audiences for them, unless you opted out in the privacy settings of the app.")
    assert similarity(before, after) < PAIR_THRESHOLD
    changes = changed(clauses(INTRO, before, CONTACT), clauses(INTRO, after, CONTACT))
    assert shape(changes) == [("modified", (1,), (1,))]
    assert "negation_removed" in changes[0].flags
    deleted, _ = reported(changes)
    assert deleted == Counter({"not": 1})


def test_clause_grown_beside_a_removed_clause_is_modified():
    """The gap holds one old clause more than the new one, so no in-place pairing: the kept run
    alone must pair the grown clause."""
    grown = (f"{PAYMENTS} We delete them at the end of that period, unless an audit or a dispute about a"
             " payment is still open, in which case we keep the records it concerns until it is closed and"
             " the time to appeal has passed, and we tell you when that happens.")
    assert similarity(PAYMENTS, grown) < PAIR_THRESHOLD
    old = clauses(INTRO, PHOTOS, "Members can block each other at any time.", PAYMENTS, CONTACT)
    new = clauses(INTRO, PHOTOS, grown, CONTACT)
    changes = changed(old, new)
    assert shape(changes) == [("removed", (2,), ()), ("modified", (3,), (2,))]
    assert reported(changes) == only("Members can block each other at any time.", grown[len(PAYMENTS):])


def test_table_row_rewritten_beside_an_added_row_keeps_its_label():
    """A row keeps its first cell (what it is about) while its other cells are rewritten, and a
    row is added after it that happens to share a purpose word and a period with the old row:
    the row is modified, the new row added; a reader would never read "Location" as having
    become "Contacts"."""
    header = "Data | Purpose | How long we keep it"
    photos = "Photos | To show your profile | Until you delete them"
    before = "Location | To show you members nearby | 30 days"
    after = "Location | Matching and safety checks | 90 days"
    added = "Contacts | To find friends | 30 days"
    old = clauses(INTRO, header, photos, before, CONTACT)
    new = clauses(INTRO, header, photos, after, added, CONTACT)
    changes = changed(old, new)
    assert shape(changes) == [("modified", (3,), (3,)), ("added", (), (4,))]
    assert reported(changes) == only("To show you members nearby 30", f"Matching and safety checks 90 {added}")


def test_list_turned_into_a_sentence_without_its_middle_item_is_one_merge():
    """A lead-in and its list become one sentence that leaves out the third item: the item left
    out lies between items the sentence keeps, so it is a line dropped from the middle of the
    merged text, not a neighbour joined to it through a stock word."""
    old = clauses(INTRO, LEAD, *(f"- {item}" for item in ITEMS), CONTACT)
    new = clauses(INTRO, f"{LEAD} {ITEMS[0]}, {ITEMS[1]} and {ITEMS[3]}.", CONTACT)
    changes = changed(old, new)
    assert shape(changes) == [("merged", (1, 2, 3, 4, 5), (1,))]
    assert reported(changes) == only(ITEMS[2], "and")


def test_paragraph_turned_into_a_list_with_an_item_put_in_the_middle_is_one_split():
    paragraph = f"{LEAD} {ITEMS[0]}, {ITEMS[1]} and {ITEMS[3]}."
    old = clauses(INTRO, paragraph, CONTACT)
    new = clauses(INTRO, LEAD, f"• {ITEMS[0]};", f"• {ITEMS[1]};", "• the city you live in;", f"• {ITEMS[3]}.", CONTACT)
    changes = changed(old, new)
    assert shape(changes) == [("split", (1,), (1, 2, 3, 4, 5))]
    assert reported(changes) == only("and", "the city you live in")


def test_table_header_become_a_heading_in_place_is_modified():
    """A table's capitalised cells start like sentences, so their capitals are no names: the
    header row replaced in place by a heading that keeps its words ("data", "legal basis") is
    modified."""
    old = clauses(INTRO, "Purpose for which data is used | Data | Source | Legal basis", PHOTOS, CONTACT)
    new = clauses(INTRO, "Our legal basis for using your data", PHOTOS, CONTACT)
    changes = changed(old, new)
    assert shape(changes) == [("modified", (1,), (1,))]
    assert any(op.op == "equal" and "data" in op.text.lower() for op in changes[0].ops)
