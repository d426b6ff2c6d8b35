"""Topic categories (tracker.diff.categories): the rule table, one clause per category."""

import re

import pytest

from tracker.archive import corpus_pages
from tracker.diff.categories import CATEGORIES, RULES, UnknownCategory, check_category, clause_categories, combined
from tracker.diff.words import fold
from tracker.normalize import normalize


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


@pytest.mark.parametrize("text, category", [
    # what is collected, named as such or by its kind, and the legal basis of its use
    ("Personal Data Collected", "first_party_collection_use"),
    ("Email address", "first_party_collection_use"),
    ("Location (city, town level)", "first_party_collection_use"),
    ("Our legitimate interests in responding to requests and queries.", "first_party_collection_use"),
    ("Legal Basis", "first_party_collection_use"),
    # every receiving party the flags name, and third-party code in the app
    ("Processor | Amazon Web Services, Inc.", "third_party_sharing_collection"),
    ("We work with data brokers.", "third_party_sharing_collection"),
    ("Adjust Software Development Kit", "third_party_sharing_collection"),
    ("You may exercise your rights as a data subject through an authorized agent.", "user_access_edit_deletion"),
    ("Exercising your rights", "user_access_edit_deletion"),
    ("The right to object to processing your personal data for direct marketing.", "user_choice_control"),
    ("With regard to your location, shorter storage times apply:", "data_retention"),
    ("We recommend that you change your password from time to time.", "data_security"),
    ("Updated: 05/11/2021", "policy_change"),
    # French
    ("nous pouvons obtenir ces données de votre part ou les collecter depuis votre appareil",
     "first_party_collection_use"),
    ("pour l'exécution du contrat avec vous", "first_party_collection_use"),
    ("Hily ne vend pas vos données.", "third_party_sharing_collection"),
    ("Lors du traitement de vos données, nous pouvons faire appel aux sous-traitants suivants :",
     "third_party_sharing_collection"),
    ("vous pouvez retirer votre consentement à tout moment", "user_choice_control"),
    ("le droit à la portabilité de vos données", "user_access_edit_deletion"),
    ("nous devons conserver vos données pour nous conformer aux lois applicables;", "data_retention"),
    ("Nous incorporons des mesures pour sécuriser vos données.", "data_security"),
    ("Dernière mise à jour : 12 mars 2024", "policy_change"),
    ("4. Les Approches de Hily sur la Confidentialité des Enfants", "international_specific_audiences"),
])
def test_phrases_added_for_clauses_that_were_other(text, category):
    """Each was `other` before the tables were widened (bench/categories.py counts them)."""
    assert category in clause_categories(text)


@pytest.mark.parametrize("text", [
    "By sending an e-mail to our contact e-mail address support@example.com.",  # a contact, not data collected
    "Si nous apprenons qu'une personne âgée de moins de 18 ans s'est inscrite",  # an age, not a period
])
def test_what_the_added_phrases_leave_alone(text):
    assert "first_party_collection_use" not in clause_categories(text)
    assert "data_retention" not in clause_categories(text)


def test_the_scan_for_places_a_phrase_may_start_misses_none(sample_corpus, test_corpus):
    """clause_categories looks for phrases only where its one scan (the phrases grouped by first
    letter) says one may start; on every clause of both corpora it finds what a search of
    each category's phrases everywhere finds."""
    everywhere = {c: re.compile(r"\b(?:" + "|".join(phrases) + r")\b") for c, phrases in RULES.items()}
    texts = {block.text for corpus in (sample_corpus, test_corpus) for page in corpus_pages(corpus)
             for path in page.folder(corpus).glob("*.html") for block in normalize(path.read_bytes()).blocks}
    assert len(texts) > 500
    for text in texts:
        found = tuple(c for c in CATEGORIES if c in everywhere and everywhere[c].search(fold(text))) or ("other",)
        if not re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", text):  # CJK has tables of its own
            assert clause_categories(text) == found, text


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
