"""Flags of a clause change (tracker.diff.flags): each one on a hand-written pair, and never
suppressed by a high similarity."""

import pytest

from tracker.diff.flags import FLAGS, change_flags, data_types, parties
from tracker.diff.words import similarity


@pytest.mark.parametrize("old, new, expected", [
    ("We do not sell your data.", "We do sell your data.", {"negation_removed"}),
    ("We sell your data.", "We don't sell your data.", {"negation_added"}),
    ("We will never share it.", "We will share it.", {"negation_removed"}),
    ("We keep logs for 30 days.", "We keep logs for 730 days.", {"number_changed"}),
    ("We keep logs for thirty days.", "We keep logs for ninety days.", {"number_changed"}),
    ("We may share your email.", "We will share your email.", {"modal_changed"}),
    ("You must agree.", "You should agree.", {"modal_changed"}),
    ("We share data with affiliates.", "We share data with affiliates and advertisers.", {"party_added"}),
    ("We disclose data to law enforcement.", "We disclose data when required.", {"party_removed"}),
    ("We collect your email.", "We collect your email and precise location.", {"data_type_added"}),
    ("We collect health and fitness data.", "We collect activity data.", {"data_type_removed"}),
    ("We collect your email.", "We collect your e-mail address.", set()),
])
def test_each_flag_on_a_pair(old, new, expected):
    assert set(change_flags(old, new)) == expected
    assert set(change_flags(old, new)) <= set(FLAGS)


def test_flags_are_not_suppressed_by_high_similarity():
    old = ("We do not sell, rent or trade your personal information to third parties for their "
           "own marketing purposes, and we keep it for 30 days.")
    new = old.replace("do not sell", "do sell").replace("30 days", "31 days")
    assert similarity(old, new) > 0.9
    assert change_flags(old, new) == ("negation_removed", "number_changed")


def test_added_and_removed_clauses_get_party_and_data_type_flags_only():
    added = change_flags(None, "We do not share your location with advertisers for 30 days.")
    assert added == ("party_added", "data_type_added")
    removed = change_flags("We share biometric data with our affiliates.", None)
    assert removed == ("party_removed", "data_type_removed")


def test_heading_renumbering_is_not_a_number_change():
    assert change_flags("3. Sharing", "4. Sharing") == ()
    assert change_flags("Section 2: Cookies", "Section 5: Cookies") == ()


def test_party_and_data_type_tables_name_what_they_found():
    assert parties("We share it with third-party advertisers and the police.") == {
        "third parties", "advertisers", "law enforcement"}
    assert data_types("Your fingerprint, GPS position and credit card number.") == {
        "biometric", "location", "financial"}
    assert parties("Contact us with questions.") == set()


def test_a_clause_and_its_translation_are_compared_by_their_numbers_only():
    english = "We do not sell your personal data to advertisers and we keep it for 30 days."
    french = "Nous ne vendons pas vos données personnelles aux annonceurs et nous les gardons 30 jours."
    assert change_flags(english, french) == ()
    assert change_flags(english, french.replace("30", "90")) == ("number_changed",)
    # in one language the same words still flag, however the sentence is rewritten
    assert "negation_removed" in change_flags(english, "We sell your personal data to advertisers.")


def test_the_language_of_a_text_is_told_by_its_function_words_or_its_script():
    from tracker.writing import language_of

    assert language_of("We do not sell your data to third parties.") == "en"
    assert language_of("Nous ne vendons pas vos données à des tiers.") == "fr"
    assert language_of("Wir geben Ihre Daten nicht an Dritte weiter, und wir verkaufen sie nicht.") == "de"
    assert language_of("我们不会出售您的个人信息") == "zh" and language_of("個人情報を販売しません") == "ja"
    assert language_of("Privacy Policy") is None  # too short to tell
