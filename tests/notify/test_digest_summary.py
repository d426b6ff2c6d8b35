"""Each step of a digest opens with what it means: hand-made steps (a party added, a data type
added, a negation dropped, a retention period changed, a full rewrite, a cosmetic edit)
backfilled through the loopback archive and mailed through a real SMTP server on loopback.
Every summary line names its clause change, and its number leads to that clause.
"""

import re

import pytest
from digest_steps import POLICY, assert_points_to, changed, mail_steps

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)


def test_a_party_added_is_a_line_naming_the_party(database_url, tmp_path, archive, inbox):
    mail = mail_steps(database_url, tmp_path, archive, inbox, POLICY, changed(
        2, "We share your e-mail address with our affiliates and advertisers to run the service."))

    assert mail.line("New third parties named") == "New third parties named: advertisers #1"
    assert_points_to(mail, "New third parties named", 1, "advertisers")


def test_a_data_type_added_is_a_line_naming_the_data(database_url, tmp_path, archive, inbox):
    mail = mail_steps(database_url, tmp_path, archive, inbox, POLICY, changed(
        0, "We collect your name, e-mail address and precise location when you create an account."))

    assert mail.line("New data types named") == "New data types named: location #1"
    assert_points_to(mail, "New data types named", 1, "precise location")


def test_a_negation_dropped_from_a_sharing_clause_comes_first(database_url, tmp_path, archive, inbox):
    after = changed(3, "We sell your personal information to third parties.")
    after[2] = "We share your e-mail address with our affiliates and advertisers to run the service."
    mail = mail_steps(database_url, tmp_path, archive, inbox, POLICY, after)

    lines = mail.step_lines()
    assert lines[0] == "“not” removed from a clause about sharing or selling #2"
    assert lines[1].startswith("New third parties named")  # the negation outranks it
    assert_points_to(mail, "“not” removed", 2, "sell your personal information")


def test_a_retention_period_changed_says_from_and_to(database_url, tmp_path, archive, inbox):
    mail = mail_steps(database_url, tmp_path, archive, inbox, POLICY, changed(
        4, "We keep your messages for 2 years after you delete them."))

    assert mail.line("Retention period changed") == "Retention period changed: 30 days → 2 years #1"
    assert_points_to(mail, "Retention period changed", 1, "2 years")


def test_a_full_rewrite_is_one_line_and_its_clauses_are_not_listed(database_url, tmp_path, archive, inbox):
    rewrite = [
        "This notice explains how Example Inc processes personal data of its customers.",
        "Example Inc obtains account details and payment card numbers from data brokers.",
        "Account details are stored on servers in Ireland under strict access controls.",
        "Customers may object to direct marketing at any time by writing to Example Inc.",
        "Example Inc appoints a data protection officer who answers every request promptly.",
        "Questions about this notice go to the data protection officer of Example Inc.",
    ]
    mail = mail_steps(database_url, tmp_path, archive, inbox, POLICY, rewrite)

    # Only the title is left: 3 words of 71.
    assert "  Rewritten: 4 % of the earlier text kept\n" in mail.text
    assert "Rewritten: 4 % of the earlier text kept" in mail.page
    assert_points_to(mail, "New third parties named: data brokers", 8, "data brokers")
    # Only the clauses the summary lines name are listed; the other removed and added clauses
    # are counted, with the command that shows them all.
    named = sorted({int(n) for line in mail.step_lines() for n in re.findall(r"#(\d+)", line)})
    assert mail.listed() == named == [3, 4, 8]
    command = "tracker diff example.org --from 20200101000000 --to 20210101000000 --document 'Privacy Policy'"
    assert f"... 9 more material clause changes not listed: {command}" in mail.text
    assert "9 more material clause changes not listed" in mail.page and command in mail.page_text


def test_a_cosmetic_step_has_no_summary_line_only_its_count(database_url, tmp_path, archive, inbox):
    mail = mail_steps(database_url, tmp_path, archive, inbox, POLICY,
                         changed(1, "We use cookies to keep you signed in, between visits."), all_changes=True)

    assert mail.step_lines() == []
    assert "  1 cosmetic clause change, not listed\n" in mail.text
    assert "1 cosmetic clause change, not listed" in mail.page
    assert mail.listed() == []
    assert "No material clause change listed" in mail.text and "No material clause change listed" in mail.page


def test_at_most_the_budget_of_clause_changes_is_listed_and_both_parts_agree(database_url, tmp_path, archive,
                                                                              inbox):
    many = [p[:-1] + ", says Example Inc." for p in POLICY]
    more = [p.replace("Example Inc", "Example Incorporated") for p in many]
    mail = mail_steps(database_url, tmp_path, archive, inbox, POLICY, many, more, digest_max_clauses=4)

    listed = mail.listed()
    assert len(listed) == 4  # 12 material clause changes in two steps of one document
    html_listed = [int(n) for n in re.findall(r'id="c\d+-(\d+)"', mail.page)]
    assert html_listed == listed
    not_listed = [int(n) for n in re.findall(r"(\d+) (?:more )?material clause changes? not listed", mail.text)]
    assert sum(not_listed) == 12 - 4
    assert [int(n) for n in re.findall(r"(\d+) (?:more )?material clause changes? not listed", mail.page)] \
        == not_listed


def test_a_policy_shown_in_another_language_names_no_party_or_data_as_gone(database_url, tmp_path, archive,
                                                                            inbox):
    french = [
        "Nous collectons votre nom et votre adresse e-mail lorsque vous créez un compte.",
        "Nous utilisons des cookies pour que vous restiez connecté entre deux visites.",
        "Nous partageons votre adresse e-mail avec nos filiales pour faire fonctionner le service.",
        "Nous ne vendons pas vos informations personnelles à des tiers.",
        "Nous gardons vos messages 30 jours après que vous les avez supprimés.",
        "Vous pouvez nous demander une copie des informations personnelles que nous détenons sur vous.",
    ]
    mail = mail_steps(database_url, tmp_path, archive, inbox, POLICY, french)

    lines = mail.step_lines()
    assert not any(line.startswith(("Third parties no longer named", "Data types no longer named",
                                    "A negation removed", "'not' removed")) for line in lines), lines
