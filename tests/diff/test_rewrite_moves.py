"""Rewritten clauses in more shapes: a list become one sentence that says the items' common
words once (and back), a sentence put into the middle of a paragraph as another leaves it,
two clauses swapped and both edited, a clause moved to another section and edited, a long
clause cut to its first sentence, a table row become a sentence. Each keeps a substantial run
of its words, so it is modified (or split, merged) and reports only the words that changed."""

from rewrite_reading import CHAT, CONTACT, INTRO, LOCATION, PAYMENTS, PHOTOS, changed, clauses, only, reported, shape

RIGHTS = ["access your data;", "correct your data;", "delete your data;", "object to processing."]
SENTENCE = "You have the right to access, correct or delete your data and to object to processing."


def test_list_become_a_sentence_saying_its_common_words_once_is_one_merge():
    changes = changed(clauses(INTRO, "You have the right to:", *RIGHTS, CONTACT), clauses(INTRO, SENTENCE, CONTACT))
    assert shape(changes) == [("merged", (1, 2, 3, 4, 5), (1,))]
    assert reported(changes) == only("your data your data", "or and to")


def test_sentence_become_a_list_repeating_its_common_words_is_one_split():
    changes = changed(clauses(INTRO, SENTENCE, CONTACT), clauses(INTRO, "You have the right to:", *RIGHTS, CONTACT))
    assert shape(changes) == [("split", (1,), (1, 2, 3, 4, 5))]
    assert reported(changes) == only("or and to", "your data your data")


def test_list_items_that_share_nothing_with_the_sentence_stay_removed():
    """Items sharing no word with the new sentence are not joined to it, however they lie."""
    old = clauses(INTRO, "You have the right to:", "ask for a refund;", "cancel the trial early;", *RIGHTS[2:], CONTACT)
    new = clauses(INTRO, "You have the right to delete your data and to object to processing.", CONTACT)
    taking = [c.kind for c in changed(old, new) if {2, 3} & {*c.old_indexes, c.old_index}]
    assert taking == ["removed", "removed"]


def test_paragraph_with_a_sentence_put_in_its_middle_and_another_dropped_is_modified():
    sentences = [CHAT, PHOTOS, "Backups of both are overwritten after thirty days.", LOCATION]
    voice = "Voice notes are kept for seven days and then erased automatically from our servers."
    changes = changed(clauses(INTRO, " ".join(sentences), CONTACT),
                      clauses(INTRO, " ".join([CHAT, voice, PHOTOS, LOCATION]), CONTACT))
    assert shape(changes) == [("modified", (1,), (1,))]
    assert reported(changes) == only(sentences[2], voice)


def test_two_clauses_swapped_and_both_edited_are_two_modifications():
    photos = ("Photos you upload stay on our servers in Ireland for as long as your profile is visible to other"
              " members, and for thirty days after.")
    chat = "We keep your chat messages for one year, or until you delete your account, whichever comes first."
    changes = changed(clauses(INTRO, CHAT, PHOTOS, LOCATION, CONTACT), clauses(INTRO, photos, chat, LOCATION, CONTACT))
    assert sorted(shape(changes)) == [("modified", (1,), (2,)), ("modified", (2,), (1,))]


def test_clause_moved_to_another_section_and_edited_is_modified_and_moved():
    stored = ("The location of your phone is stored for ninety days, then deleted, and never shared with advertisers"
              " or data brokers.")
    old = [*clauses("What we collect", INTRO, LOCATION, PHOTOS, section=("What we collect",)),
           *clauses("How long we keep it", PAYMENTS, CHAT, section=("How long we keep it",))]
    new = [*clauses("What we collect", INTRO, PHOTOS, section=("What we collect",)),
           *clauses("How long we keep it", PAYMENTS, stored, CHAT, section=("How long we keep it",))]
    changes = changed(old, new)
    assert shape(changes) == [("modified", (2,), (5,))] and changes[0].moved
    assert reported(changes) == only("thirty so that we can show you members nearby",
                                     "ninety then deleted and never shared with advertisers or data brokers")


def test_long_clause_cut_to_its_first_sentence_is_modified():
    rest = (" After that period we delete them, unless an audit or a dispute about a payment is still open."
            " You can ask for a copy of your payment records at any time from the billing page of the app.")
    changes = changed(clauses(INTRO, PHOTOS, PAYMENTS + rest, CONTACT),
                      clauses(INTRO, PHOTOS, "Billing", PAYMENTS.replace("seven", "ten"), CONTACT))
    assert shape(changes) == [("added", (), (2,)), ("modified", (2,), (3,))]
    assert reported(changes) == only("seven" + rest, "Billing ten")


def test_table_row_become_a_sentence_is_modified():
    header, photos = "Data | Purpose | How long we keep it", "Photos | To show your profile | Until you delete them"
    old = clauses(INTRO, header, photos, "Location | To show you members nearby | 30 days", CONTACT)
    new = clauses(INTRO, header, photos, "We keep your location for 30 days to show you members nearby.", CONTACT)
    changes = changed(old, new)
    assert shape(changes) == [("modified", (3,), (3,))]
    deleted, inserted = reported(changes)
    assert not deleted["to"] and not deleted["nearby"] and inserted["keep"] == 1


def test_list_under_a_negating_lead_in_become_a_sentence_without_it_is_one_merge_flagged():
    """The lead-in keeps one word of the sentence ("We"), yet it goes with the list it
    introduces: the negation it loses is the change, flagged, not a clause removed beside."""
    items = clauses(INTRO, "We do not:", "sell your data;", "rent your data;", "trade your data.", CONTACT)
    sentence = clauses(INTRO, "We sell, rent or trade your data.", CONTACT)
    merged = changed(items, sentence)
    assert shape(merged) == [("merged", (1, 2, 3, 4), (1,))] and "negation_removed" in merged[0].flags
    assert reported(merged) == only("do not your data your data", "or")
    split = changed(sentence, items)
    assert shape(split) == [("split", (1,), (1, 2, 3, 4))] and "negation_added" in split[0].flags
