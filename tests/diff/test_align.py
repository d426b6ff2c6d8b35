"""Clause alignment (tracker.diff.diff_clauses): pairing, moves, duplicates, reading order, and
properties over synthetic revisions."""

import os
import random
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tracker.diff import (
    PAIR_THRESHOLD,
    ClauseEdit,
    WordOp,
    diff_clauses,
    similarity,
    summarize,
)
from tracker.diff.redline import redline_text


@dataclass(frozen=True)
class Clause:
    text: str
    section: tuple[str, ...] = ()


def clauses(*texts: str, section: tuple[str, ...] = ()) -> list[Clause]:
    return [Clause(text, section) for text in texts]


def shape(changes: list[ClauseEdit]) -> list[tuple[str, int | None, int | None]]:
    return [(c.kind, c.old_index, c.new_index) for c in changes]


def aligned(change: ClauseEdit) -> ClauseEdit:
    """The change without what _annotate adds (flags, categories, cosmetic: tested elsewhere)."""
    return replace(change, flags=(), categories=(), cosmetic=False)


INTRO = "This policy explains how Example Ltd handles personal data."
COLLECT = "We collect the information you give us when you create an account."
COOKIES = "Our website uses cookies to remember your preferences."
SHARING = "We share data with payment processors to complete purchases."
RIGHTS = "You can ask us for a copy of everything we hold about you."
CONTACT = "Write to privacy@example.com with any question about this policy."
CHILDREN = "The service is not directed to children under sixteen."
TRANSFERS = "Servers in Ireland and the United States store your messages."


def test_identical_sequences_are_all_unchanged():
    old = clauses(INTRO, COLLECT, CONTACT)
    changes = diff_clauses(old, clauses(INTRO, COLLECT, CONTACT))
    assert shape(changes) == [("unchanged", 0, 0), ("unchanged", 1, 1), ("unchanged", 2, 2)]
    assert all(c.similarity == 1.0 and c.ops == () and not c.moved for c in changes)
    assert changes[1] == ClauseEdit("unchanged", 1, 1, COLLECT, COLLECT, (), (), 1.0)


def test_clause_added_in_the_middle():
    old = clauses(INTRO, COLLECT, CONTACT)
    changes = diff_clauses(old, clauses(INTRO, COLLECT, CHILDREN, CONTACT))
    assert shape(changes) == [
        ("unchanged", 0, 0),
        ("unchanged", 1, 1),
        ("added", None, 2),
        ("unchanged", 2, 3),
    ]
    assert aligned(changes[2]) == ClauseEdit("added", None, 2, None, CHILDREN, None, (), 0.0)


def test_clause_removed_is_shown_where_it_was():
    changes = diff_clauses(clauses(INTRO, COOKIES, CONTACT), clauses(INTRO, CONTACT))
    assert shape(changes) == [("unchanged", 0, 0), ("removed", 1, None), ("unchanged", 2, 1)]
    assert aligned(changes[1]) == ClauseEdit("removed", 1, None, COOKIES, None, (), None, 0.0)


def test_modified_clause_has_word_ops_and_redline_text():
    before = "We collect your email address to send you newsletters."
    after = "We collect your email address and phone number to send you offers."
    changes = diff_clauses(clauses(INTRO, before, CONTACT), clauses(INTRO, after, CONTACT))
    assert shape(changes) == [("unchanged", 0, 0), ("modified", 1, 1), ("unchanged", 2, 2)]
    change = changes[1]
    assert (change.old_text, change.new_text) == (before, after)
    assert change.ops == (
        WordOp("equal", "We collect your email address "),
        WordOp("insert", "and phone number "),
        WordOp("equal", "to send you "),
        WordOp("delete", "newsletters"),
        WordOp("insert", "offers"),
        WordOp("equal", "."),
    )
    assert redline_text(change.ops) == (
        "We collect your email address {+and phone number+} to send you [-newsletters-]{+offers+}."
    )
    # 9 of the 10 old and 13 new tokens (words and the full stop) match.
    assert change.similarity == pytest.approx(18 / 23)
    assert change.moved is False


def test_negation_removal_is_modified_despite_high_similarity():
    before = "We do not sell your personal data."
    after = "We do sell your personal data."
    changes = diff_clauses(clauses(INTRO, before), clauses(INTRO, after))
    assert shape(changes) == [("unchanged", 0, 0), ("modified", 1, 1)]
    assert changes[1].similarity == pytest.approx(14 / 15)
    assert changes[1].ops == (
        WordOp("equal", "We do "),
        WordOp("delete", "not "),
        WordOp("equal", "sell your personal data."),
    )
    assert redline_text(changes[1].ops) == "We do [-not-] sell your personal data."


def test_number_edit_is_modified():
    changes = diff_clauses(
        clauses("We keep server logs for 30 days."), clauses("We keep server logs for 730 days.")
    )
    assert shape(changes) == [("modified", 0, 0)]
    assert changes[0].ops == (
        WordOp("equal", "We keep server logs for "),
        WordOp("delete", "30 "),
        WordOp("insert", "730 "),
        WordOp("equal", "days."),
    )
    assert redline_text(changes[0].ops) == "We keep server logs for [-30-]{+730+} days."


def test_whitespace_only_difference_is_modified_not_unchanged():
    changes = diff_clauses(clauses("We  sell data."), clauses("We sell data."))
    assert shape(changes) == [("modified", 0, 0)]
    assert changes[0].similarity == 1.0
    assert changes[0].ops == (
        WordOp("equal", "We"),
        WordOp("delete", "  "),
        WordOp("insert", " "),
        WordOp("equal", "sell data."),
    )


def test_dissimilar_replacement_is_removed_plus_added():
    changes = diff_clauses(clauses(INTRO, COOKIES), clauses(INTRO, RIGHTS))
    assert similarity(COOKIES, RIGHTS) < PAIR_THRESHOLD
    assert shape(changes) == [("unchanged", 0, 0), ("removed", 1, None), ("added", None, 1)]


def test_clause_moved_elsewhere_is_moved_not_added_and_removed():
    old = clauses(INTRO, COLLECT, COOKIES, SHARING, CONTACT)
    new = clauses(INTRO, COOKIES, SHARING, COLLECT, CONTACT)
    changes = diff_clauses(old, new)
    assert shape(changes) == [
        ("unchanged", 0, 0),
        ("unchanged", 2, 1),
        ("unchanged", 3, 2),
        ("moved", 1, 3),
        ("unchanged", 4, 4),
    ]
    assert aligned(changes[3]) == ClauseEdit("moved", 1, 3, COLLECT, COLLECT, (), (), 1.0)


def test_clause_moved_and_edited_is_modified_with_moved_flag():
    edited = "We collect the information you give us when you create or update an account."
    old = clauses(INTRO, COLLECT, COOKIES, SHARING, CONTACT)
    new = clauses(INTRO, COOKIES, SHARING, edited, CONTACT)
    changes = diff_clauses(old, new)
    assert shape(changes) == [
        ("unchanged", 0, 0),
        ("unchanged", 2, 1),
        ("unchanged", 3, 2),
        ("modified", 1, 3),
        ("unchanged", 4, 4),
    ]
    assert changes[3].moved is True
    assert changes[3].ops == (
        WordOp("equal", "We collect the information you give us when you create "),
        WordOp("insert", "or update "),
        WordOp("equal", "an account."),
    )


def test_section_of_three_clauses_reordered():
    sharing = ("3. Sharing",)
    old = [Clause(INTRO), *clauses(SHARING, TRANSFERS, RIGHTS, section=sharing), Clause(CONTACT)]
    new = [Clause(INTRO), *clauses(RIGHTS, TRANSFERS, SHARING, section=sharing), Clause(CONTACT)]
    changes = diff_clauses(old, new)
    # difflib keeps the earliest of equally long runs (SHARING) in place; the others moved.
    assert shape(changes) == [
        ("unchanged", 0, 0),
        ("moved", 3, 1),
        ("moved", 2, 2),
        ("unchanged", 1, 3),
        ("unchanged", 4, 4),
    ]
    assert [c.new_section for c in changes[1:4]] == [sharing] * 3


def test_duplicate_texts_removed_copy():
    old = clauses(INTRO, CONTACT, COLLECT, CONTACT, RIGHTS)
    new = clauses(INTRO, CONTACT, COLLECT, RIGHTS)
    assert shape(diff_clauses(old, new)) == [
        ("unchanged", 0, 0),
        ("unchanged", 1, 1),
        ("unchanged", 2, 2),
        ("removed", 3, None),
        ("unchanged", 4, 3),
    ]


def test_duplicate_texts_moved_are_paired_in_order():
    old = clauses(CONTACT, CONTACT, INTRO, COLLECT, RIGHTS)
    new = clauses(INTRO, COLLECT, RIGHTS, CONTACT, CONTACT)
    assert shape(diff_clauses(old, new)) == [
        ("unchanged", 2, 0),
        ("unchanged", 3, 1),
        ("unchanged", 4, 2),
        ("moved", 0, 3),
        ("moved", 1, 4),
    ]


def test_empty_old_is_all_added_and_empty_new_all_removed():
    both = clauses(INTRO, CONTACT)
    assert shape(diff_clauses([], both)) == [("added", None, 0), ("added", None, 1)]
    assert shape(diff_clauses(both, [])) == [("removed", 0, None), ("removed", 1, None)]
    assert diff_clauses([], []) == []


def test_reading_order_places_removed_after_their_old_predecessor():
    edited = "Write to privacy@example.com or call us with any question about this policy."
    old = clauses(COOKIES, INTRO, CHILDREN, TRANSFERS, COLLECT, CONTACT)
    new = clauses(INTRO, RIGHTS, COLLECT, edited)
    assert shape(diff_clauses(old, new)) == [
        ("removed", 0, None),  # removed before any survivor: first
        ("unchanged", 1, 0),
        ("removed", 2, None),  # followed INTRO in the old version
        ("removed", 3, None),
        ("added", None, 1),
        ("unchanged", 4, 2),
        ("modified", 5, 3),
    ]


def test_reading_order_follows_a_moved_predecessor():
    old = clauses(SHARING, COOKIES, INTRO, CONTACT)
    new = clauses(INTRO, CONTACT, SHARING)
    assert shape(diff_clauses(old, new)) == [
        ("unchanged", 2, 0),
        ("unchanged", 3, 1),
        ("moved", 0, 2),
        ("removed", 1, None),
    ]


def test_ties_prefer_same_section_over_nearer_position():
    draft = "Data is kept for twelve months after your last login."
    final = "Data is kept for six months after your last login."
    old = [Clause(draft, ("Overview",)), Clause(draft, ("Retention",))]
    new = [Clause(final, ("Retention",))]
    changes = diff_clauses(old, new)
    assert shape(changes) == [("removed", 0, None), ("modified", 1, 0)]
    assert changes[1].old_section == changes[1].new_section == ("Retention",)


def test_ties_prefer_nearest_position():
    draft = "Data is kept for twelve months after your last login."
    final = "Data is kept for six months after your last login."
    changes = diff_clauses(clauses(draft, INTRO, COLLECT, draft), clauses(INTRO, COLLECT, final))
    assert shape(changes) == [
        ("removed", 0, None),
        ("unchanged", 1, 0),
        ("unchanged", 2, 1),
        ("modified", 3, 2),
    ]
    assert changes[3].moved is False



def test_summarize_counts_every_kind():
    edited = "Write to privacy@example.com or call us with any question about this policy."
    old = clauses(COOKIES, INTRO, SHARING, COLLECT, CONTACT)
    new = clauses(INTRO, COLLECT, SHARING, RIGHTS, edited)
    assert summarize(diff_clauses(old, new)) == {
        "unchanged": 2,
        "moved": 1,
        "modified": 1,
        "split": 0,
        "merged": 0,
        "rewritten": 0,
        "added": 1,
        "removed": 1,
        "material": 3,
        "cosmetic": 1,
    }
    assert set(summarize([]).values()) == {0}


def synthetic_versions(seed: int) -> tuple[list[Clause], list[Clause]]:
    """A 150-clause policy and a revision with edits, moves, additions and removals."""
    rng = random.Random(seed)
    vocabulary = [f"w{k}" for k in range(60)] + ["the", "we", "your", "data", "and", "of"] * 10
    old = [
        Clause(" ".join(rng.choices(vocabulary, k=rng.randint(3, 40))) + ".", (f"s{k // 15}",))
        for k in range(150)
    ]
    new = list(old)
    for k in rng.sample(range(len(new)), 20):
        words = new[k].text.split()
        words[rng.randrange(len(words))] = "changed"
        new[k] = Clause(" ".join(words), new[k].section)
    for _ in range(8):
        new.insert(rng.randrange(len(new)), new.pop(rng.randrange(len(new))))
    for _ in range(8):
        del new[rng.randrange(len(new))]
    for _ in range(8):
        new.insert(rng.randrange(len(new)), Clause(" ".join(rng.choices(vocabulary, k=12)) + "."))
    return old, new


def test_every_clause_appears_once_and_no_similar_pair_is_left_unpaired():
    old, new = synthetic_versions(seed=7)
    changes = diff_clauses(old, new)
    olds = [i for c in changes for i in (c.old_indexes or (c.old_index,)) if i is not None]
    news = [j for c in changes for j in (c.new_indexes or (c.new_index,)) if j is not None]
    assert sorted(olds) == list(range(len(old)))
    assert sorted(news) == list(range(len(new)))
    for change in changes:
        if change.kind == "modified":
            assert change.similarity == similarity(change.old_text, change.new_text)
            assert change.similarity >= PAIR_THRESHOLD
    # The cheap prefilters must never drop a pair that the threshold would accept.
    removed = [c.old_text for c in changes if c.kind == "removed"]
    added = [c.new_text for c in changes if c.kind == "added"]
    assert all(similarity(r, a) < PAIR_THRESHOLD for r in removed for a in added)


def test_output_is_deterministic():
    old, new = synthetic_versions(seed=11)
    assert diff_clauses(old, new) == diff_clauses(list(old), list(new))


def test_output_does_not_depend_on_string_hashing():
    """Word sets are hashed; the diff must not change with Python's per-process hash seed."""
    program = (
        "from tests.diff.test_align import synthetic_versions; from tracker.diff import diff_clauses;"
        "print(repr(diff_clauses(*synthetic_versions(seed=3))))"
    )
    root = Path(__file__).resolve().parents[2]  # not corpora.REPO: the program imports this module
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def test_change_does_not_depend_on_unrelated_reordering():
    before = "We keep server logs for 30 days."
    after = "We keep server logs for 730 days."
    first = diff_clauses(
        clauses(INTRO, COLLECT, COOKIES, before, CONTACT),
        clauses(INTRO, COLLECT, COOKIES, after, CONTACT),
    )
    second = diff_clauses(
        clauses(COOKIES, INTRO, COLLECT, before, CONTACT),
        clauses(COOKIES, INTRO, COLLECT, after, CONTACT),
    )
    assert shape(first) == shape(second)
    assert first[3] == second[3]
    assert first[3].kind == "modified"


def test_clauses_without_a_word_are_added_or_removed_never_an_error():
    class Clause:
        def __init__(self, text: str) -> None:
            self.text, self.section = text, ()

    edits = diff_clauses([Clause(" "), Clause("We keep your data.")], [Clause("We keep your data."), Clause(""),
                                                                       Clause("  ")])
    assert sorted(str(e.kind) for e in edits) == ["added", "added", "removed", "unchanged"]
