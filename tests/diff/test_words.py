"""Word-level diffs, similarity, cosmetic edits and the redline renderings of tracker.diff."""

import json
import random
from difflib import SequenceMatcher

import pytest

from tracker.diff import (
    WordOp,
    is_cosmetic,
    similarity,
    word_diff,
)
from tracker.diff.redline import redline_html, redline_text
from tracker.diff.words import matching_blocks

ROUND_TRIP_CASES = [
    ("", ""),
    ("", "Only new text."),
    ("Only old text.", ""),
    ("Same text.", "Same text."),
    ("We do not sell your data.", "We do sell your data."),
    ("We share data.", "We share data. We also sell it."),
    ("  Leading space", "Leading space  "),
    ("Line one.\nLine two.", "Line one.\n\nLine two, revised."),
    ("a  b c", "a b  c d"),
    ("(a) name; (b) e-mail, and/or phone.", "(a) name, (b) email and phone!"),
    ("Données personnelles: 30 jours.", "Données personnelles : 730 jours…"),
    ("...", "?!"),
]


@pytest.mark.parametrize(("old", "new"), ROUND_TRIP_CASES)
def test_word_diff_round_trips_each_side(old, new):
    ops = word_diff(old, new)
    assert "".join(op.text for op in ops if op.op != "insert") == old
    assert "".join(op.text for op in ops if op.op != "delete") == new
    assert all(op.text and op.op in {"equal", "insert", "delete"} for op in ops)
    for first, second in zip(ops, ops[1:]):
        assert first.op != second.op, "adjacent ops of the same kind must be merged"
        assert (first.op, second.op) != ("insert", "delete"), "a change reads delete then insert"


def test_word_diff_appended_sentence_keeps_full_stop_equal():
    assert word_diff("We share data.", "We share data. We also sell it.") == (
        WordOp("equal", "We share data."),
        WordOp("insert", " We also sell it."),
    )
    assert word_diff("", "") == ()
    assert word_diff("Same.", "Same.") == (WordOp("equal", "Same."),)


def test_redline_keeps_changed_whitespace_inside_markers():
    ops = word_diff("a  b", "a b")
    assert redline_text(ops) == "a[-  -]{+ +}b"


def test_similarity_counts_words_and_punctuation():
    assert similarity("We do not sell your data.", "We do not sell your data.") == 1.0
    negated = similarity("We do not sell your data.", "We do sell your data.")
    assert negated == pytest.approx(12 / 13)
    assert similarity("alpha beta", "gamma delta") == 0.0


def test_is_cosmetic_ignores_case_punctuation_and_space_only():
    assert is_cosmetic("We collect  data.", "we collect data")
    assert not is_cosmetic("We do not sell data.", "We do sell data.")
    assert not is_cosmetic("for 30 days", "for 730 days")


def test_redline_html_escapes_policy_text_and_uses_inline_styles():
    ops = word_diff("We <b>never</b> sell & rent.", "We sell & rent <script>x</script>.")
    html = redline_html(ops)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert '<del style="' in html and '<ins style="' in html
    assert "class=" not in html


def test_redline_renderers_accept_the_stored_json_form():
    ops = word_diff("We keep logs for 30 days.", "We keep logs for 730 days.")
    stored = json.loads(json.dumps([[op.op, op.text] for op in ops]))
    assert redline_text(stored) == redline_text(ops) == "We keep logs for [-30-]{+730+} days."
    assert redline_html(stored) == redline_html(ops)
    assert redline_html(ops).startswith("We keep logs for <del ")


@pytest.mark.parametrize("shared", [0.05, 0.3, 0.9])
def test_matching_blocks_are_difflibs_with_one_sided_runs_read_as_one(shared):
    """The words of one side only, read as one per run, leave the blocks difflib finds: a text
    and its translation (few shared words) as well as two versions of one text."""
    rng = random.Random(7)
    common = [f"w{k}" for k in range(12)]
    for _ in range(300):
        def side(name: str) -> list[str]:
            return [rng.choice(common) if rng.random() < shared else f"{name}{rng.randrange(40)}"
                    for _ in range(rng.randrange(60))]
        old, new = side("old"), side("new")
        expected = SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks()[:-1]
        assert [tuple(block) for block in matching_blocks(old, new)] == [tuple(block) for block in expected]
