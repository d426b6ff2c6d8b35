"""Topic categories (tracker.diff.categories): the rule table, one clause per category."""

import pytest

from tracker.diff.categories import CATEGORIES, RULES, UnknownCategory, check_category, clause_categories, combined


@pytest.mark.parametrize("text, category", [
    ("We collect the information you provide when you register.", "first_party_collection_use"),
    ("We may share your information with third parties.", "third_party_sharing_collection"),
    ("You can opt out of marketing emails at any time.", "user_choice_control"),
    ("You have the right to access and delete your personal data.", "user_access_edit_deletion"),
    ("We retain log files for 90 days.", "data_retention"),
    ("We use encryption to protect your data against unauthorized access.", "data_security"),
    ("We will notify you of material changes to this policy.", "policy_change"),
    ("Notification of Changes: If we make any changes to the VoIP.com Privacy Policy, we will post"
     " those changes on VoIP.com Web sites.", "policy_change"),
    ("Our site does not respond to Do Not Track signals.", "do_not_track"),
    ("California residents have additional rights under the CCPA.", "international_specific_audiences"),
    ("Our service is not directed to children under 13.", "international_specific_audiences"),
    ("Users in the European Economic Area (EEA) have rights under the GDPR.", "international_specific_audiences"),
])
def test_each_category_has_a_clause_it_recognises(text, category):
    assert category in clause_categories(text)


def test_a_clause_with_no_rule_is_other_and_other_is_never_mixed_in():
    assert clause_categories("Welcome to Example.") == ("other",)
    assert combined([("other",), ("data_security",)]) == ("data_security",)
    assert combined([("other",), ()]) == ("other",)


def test_every_category_but_other_has_rules_and_names_are_fixed():
    assert set(RULES) == set(CATEGORIES) - {"other"}
    assert CATEGORIES[-1] == "other" and len(CATEGORIES) == 10


def test_unknown_category_is_a_named_error():
    assert check_category("data_retention") == "data_retention"
    with pytest.raises(UnknownCategory, match="unknown category 'retention'"):
        check_category("retention")
