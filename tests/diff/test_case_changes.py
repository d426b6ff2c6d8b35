"""A word whose case changed, in the redline: matched case aside, shown as a run of its own."""

from tracker.diff import diff_clauses, word_diff
from tracker.diff.redline import redline_text
from tracker.diff.words import case_only


class Clause:
    def __init__(self, text: str) -> None:
        self.text = text
        self.section = ()


def test_capitalised_term_is_its_own_run_beside_a_replaced_word():
    old = "This policy applies to the personal information that we process."
    new = "This policy applies to the Personal Data that we process."
    ops = word_diff(old, new)
    assert redline_text(ops) == "This policy applies to the [-personal-]{+Personal+} [-information-]{+Data+} that we process."
    assert "".join(op.text for op in ops if op.op != "insert") == old
    assert "".join(op.text for op in ops if op.op != "delete") == new


def test_case_change_keeps_the_words_around_it_matched():
    old = "We do not sell Voip.com customer data to any third party."
    new = "We do not sell VoIP.com customer data to any Third Party."
    assert redline_text(word_diff(old, new)) == (
        "We do not sell [-Voip-]{+VoIP+}.com customer data to any [-third party-]{+Third Party+}.")


def test_case_only_runs_are_told_from_changed_words():
    assert case_only("personal data", "Personal Data")
    assert case_only("Services.", "services,")
    assert not case_only("personal information", "Personal Data")
    assert not case_only("not ", "")


def test_a_dropped_negation_beside_a_case_change_is_still_a_modification():
    old, new = Clause("We do NOT sell your personal data."), Clause("We do sell your Personal Data.")
    (change,) = diff_clauses([old], [new])
    assert change.kind == "modified"
    assert redline_text(change.ops) == "We do [-NOT-] sell your [-personal data-]{+Personal Data+}."
    changed = [op.text for op in change.ops if op.op != "equal"]
    assert "NOT " in changed or "NOT" in changed
