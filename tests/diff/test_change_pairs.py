"""Hand-written old/new policies, one per change kind and trap, and two side-by-side checks
on real seed pages: the tool must list what a reader of both texts would list."""

from dataclasses import dataclass
from pathlib import Path

from tracker.diff import diff_clauses, summarize
from tracker.diff.redline import redline_text
from tracker.normalize import normalize


@dataclass(frozen=True)
class Clause:
    text: str
    section: tuple[str, ...] = ()
    kind: str = "paragraph"


def policy(*parts) -> list[Clause]:
    """Clauses from strings; a string starting with '# ' is a heading opening a section."""
    out, section = [], ()
    for part in parts:
        if part.startswith("# "):
            section = (part[2:],)
            out.append(Clause(part[2:], (), "heading"))
        else:
            out.append(Clause(part, section))
    return out


def changed(old, new):
    return [c for c in diff_clauses(old, new) if c.kind != "unchanged"]


INTRO = "This policy explains how Example Ltd handles your personal data."
COLLECT = "We collect the name and email address you give us when you register."
LOGS = "We keep server logs for 30 days."
SELL = "We do not sell your personal information to advertisers."
SECURITY = "We protect your data with encryption in transit and at rest."
RIGHTS = "You can ask us for a copy of the data we hold about you."
CONTACT = "Write to privacy@example.com with any question about this policy."


def test_high_similarity_negation_is_modified_and_flagged():
    old = policy(INTRO, SELL, CONTACT)
    new = policy(INTRO, "We do sell your personal information to advertisers.", CONTACT)
    [change] = changed(old, new)
    assert change.kind == "modified" and change.similarity > 0.9
    assert change.flags == ("negation_removed",)
    assert not change.cosmetic
    assert redline_text(change.ops) == "We do [-not-] sell your personal information to advertisers."
    assert "third_party_sharing_collection" in change.categories


def test_negation_added():
    [change] = changed(policy("We sell your data."), policy("We never sell your data."))
    assert "negation_added" in change.flags


def test_number_edit_is_flagged():
    [change] = changed(policy(INTRO, LOGS), policy(INTRO, "We keep server logs for 730 days."))
    assert (change.kind, change.flags) == ("modified", ("number_changed",))
    assert "data_retention" in change.categories and not change.cosmetic


def test_modal_verb_change_is_flagged():
    [change] = changed(policy("We may share your email with partners."),
                       policy("We will share your email with partners."))
    assert change.flags == ("modal_changed",)


def test_new_and_dropped_parties_and_data_types():
    old = policy("We share your contact details with our affiliates.")
    new = policy("We share your contact details and location with advertisers and law enforcement.")
    [change] = changed(old, new)
    assert {"party_added", "party_removed", "data_type_added"} <= set(change.flags)
    assert "data_type_removed" not in change.flags


def test_added_clause_naming_biometrics_is_flagged_as_new_data_type():
    [change] = changed(policy(INTRO), policy(INTRO, "We collect fingerprints to unlock the app."))
    assert change.kind == "added"
    assert set(change.flags) == {"data_type_added"}
    assert change.categories == ("first_party_collection_use",)


def test_removed_clause_dropping_a_party():
    [change] = changed(policy(INTRO, SELL), policy(INTRO))
    assert change.kind == "removed" and change.flags == ("party_removed",)


def test_clause_moved_and_edited_is_modified_with_move_noted():
    old = policy(INTRO, COLLECT, LOGS, SECURITY, RIGHTS, CONTACT)
    new = policy(INTRO, LOGS, SECURITY, RIGHTS,
                 "We collect the name, email address and phone number you give us when you register.",
                 CONTACT)
    [change] = changed(old, new)
    assert (change.kind, change.old_index, change.new_index, change.moved) == ("modified", 1, 4, True)
    assert "first_party_collection_use" in change.categories


def test_section_reordered_is_moves_only_and_cosmetic():
    old = policy("# Security", SECURITY, "# Your rights", RIGHTS, CONTACT)
    new = policy("# Your rights", RIGHTS, CONTACT, "# Security", SECURITY)
    changes = changed(old, new)
    assert {c.kind for c in changes} == {"moved"}
    assert {c.new_text for c in changes} == {"Security", SECURITY}
    assert all(c.cosmetic and not c.flags for c in changes)
    assert summarize(diff_clauses(old, new))["material"] == 0


def test_paragraph_split_in_two():
    whole = ("We collect the name and email address you give us when you register. "
             "We use them to run your account and to send you receipts.")
    old = policy(INTRO, whole, CONTACT)
    new = policy(INTRO, "We collect the name and email address you give us when you register.",
                 "We use them to run your account and to send you receipts.", CONTACT)
    [change] = changed(old, new)
    assert (change.kind, change.old_indexes, change.new_indexes) == ("split", (1,), (1, 2))
    assert change.cosmetic and change.similarity == 1.0
    assert change.new_text == new[1].text + "\n" + new[2].text


def test_paragraph_split_with_an_edit_is_material():
    whole = "We collect your email when you register. We use it to send you receipts."
    new = policy("We collect your email when you register.", "We use it to send you receipts and offers.")
    [change] = changed(policy(whole), new)
    assert change.kind == "split" and not change.cosmetic
    # The redline shows where the paragraph was cut, and the words added.
    assert redline_text(change.ops) == ("We collect your email when you register.[- -]{+\n+}"
                                        "We use it to send you receipts{+ and offers+}.")


def test_two_paragraphs_merged():
    old = policy(INTRO, "We keep server logs for 30 days.", "After that we delete them.", CONTACT)
    new = policy(INTRO, "We keep server logs for 30 days. After that we delete them.", CONTACT)
    [change] = changed(old, new)
    assert (change.kind, change.old_indexes, change.new_index) == ("merged", (1, 2), 1)
    assert change.cosmetic


def test_list_item_inserted_in_the_middle_of_a_list():
    items = ["your name", "your email address", "your postal address", "your phone number"]
    old = policy("We collect:", *items, CONTACT)
    new = policy("We collect:", *items[:2], "your precise location", *items[2:], CONTACT)
    [change] = changed(old, new)
    assert (change.kind, change.new_index, change.flags) == ("added", 3, ("data_type_added",))


def test_dissimilar_clause_is_removed_plus_added_not_modified():
    changes = changed(policy(INTRO, SECURITY), policy(INTRO, RIGHTS))
    assert [c.kind for c in changes] == ["removed", "added"]


def test_cosmetic_edits_case_punctuation_date_stamp_and_heading_number():
    old = policy("Last updated: March 3, 2021", "# 3. Sharing", "We share data with processors.")
    new = policy("Last Updated: 2022-01-15", "# 4. Sharing", "We share data with processors")
    changes = changed(old, new)
    assert all(c.kind == "modified" and c.cosmetic for c in changes), changes
    counts = summarize(diff_clauses(old, new))
    assert (counts["material"], counts["cosmetic"]) == (0, 3)
    # The date stamp change is still flagged: flags are never suppressed.
    assert "number_changed" in changes[0].flags


def test_dates_outside_a_stamp_are_material():
    [change] = changed(policy("We delete inactive accounts after January 1, 2020."),
                       policy("We delete inactive accounts after January 1, 2030."))
    assert not change.cosmetic and change.flags == ("number_changed",)


def test_pairing_prefers_the_same_section():
    boiler = "For questions about this section, write to privacy@example.com."
    edited = "For questions about this section, write to dpo@example.com."
    old = policy("# Cookies", "Cookies remember your settings.", boiler,
                 "# Sharing", "We share data with processors.", boiler)
    new = policy("# Cookies", "Cookies remember your settings.", edited,
                 "# Sharing", "We share data with processors.", "We added a new sentence here.")
    changes = changed(old, new)
    modified = [c for c in changes if c.kind == "modified"]
    assert [(c.old_section, c.new_section) for c in modified] == [(("Cookies",), ("Cookies",))]


def side_by_side(corpus: Path, page: str):
    files = sorted((corpus / "archive" / page).glob("*.html"))
    old, new = (normalize(f.read_bytes()).blocks for f in files[:2])
    return [c for c in diff_clauses(old, new) if c.kind != "unchanged"]


def test_side_by_side_onebox_2009_to_2013(sample_corpus):
    """Read both texts: the 2013 page adds a title, restates the effective date, drops the
    outline numbers of every heading ("a. Registration" -> "Registration"), splits two
    paragraphs, and edits a handful of sentences."""
    changes = side_by_side(sample_corpus, "seed--onebox.com--privacy-policy")
    by_kind = {}
    for c in changes:
        by_kind.setdefault(c.kind, []).append(c)
    assert [c.new_text for c in by_kind["added"]][0] == "Privacy Policy"
    date = next(c for c in changes if c.old_text and c.old_text.startswith("This Privacy Policy is effective"))
    assert date.kind == "modified" and date.cosmetic and "number_changed" in date.flags
    headings = [c for c in by_kind["modified"] if c.old_text in ("a. Registration", "b. Cookies", "c. Log Files")]
    assert len(headings) == 3 and all(c.cosmetic for c in headings)
    splits = by_kind["split"]
    assert any(c.old_text.startswith("We do not knowingly collect personal information from children")
               for c in splits)
    assert any(c.old_text.startswith("To request customer information from the Company in a civil case")
               and c.cosmetic for c in splits)
    material = [c for c in changes if not c.cosmetic]
    assert material and all(c.kind in ("added", "removed", "modified", "split", "merged") for c in material)


def test_side_by_side_voip_2006_to_2013(sample_corpus):
    """Read both texts: the TRUSTe seal paragraphs and the children's section are removed,
    the promise not to read customers' communications is gone, and "not available to
    employees" became access for developers and network staff."""
    changes = side_by_side(sample_corpus, "seed--voip.com--privacy-policy")
    removed = [c.old_text for c in changes if c.kind == "removed"]
    assert any("licensee of the TRUSTe Privacy Program" in t for t in removed)
    assert any("does not sell products or services for purchase by children" in t for t in removed)
    employees = [c for c in changes if c.old_text and "Customer information is not available to employees" in c.old_text]
    assert employees
    assert all(not c.cosmetic for c in employees)
    assert any(c.kind == "removed" or "negation_removed" in c.flags for c in employees)
    assert not any(c.kind == "moved" and c.old_text != c.new_text for c in changes)
