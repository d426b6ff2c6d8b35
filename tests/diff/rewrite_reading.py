"""What the tests of rewritten clauses share: clauses from texts, the changes of a diff and
their shape, and the words they report changed (as a careful reader counts them)."""

from collections import Counter
from dataclasses import dataclass

from tracker.diff import diff_clauses
from tracker.diff.words import case_only, changed_runs, words

# Clauses the rewrite tests set around the one they change.
INTRO = "This policy explains how Example Ltd handles your personal data."
CONTACT = "Write to privacy@example.com with any question about this policy."
CHAT = "We keep your chat messages until you delete your account."
PHOTOS = "Photos you upload stay on our servers until you delete them from your profile."
LOCATION = "The location of your phone is stored for thirty days so that we can show you members nearby."
PAYMENTS = "Payment records are kept for seven years because the tax law of our country requires it."


@dataclass(frozen=True)
class Clause:
    text: str
    section: tuple[str, ...] = ()


def clauses(*texts: str, section: tuple[str, ...] = ()) -> list[Clause]:
    return [Clause(text, section) for text in texts]


def changed(old: list[Clause], new: list[Clause]):
    return [c for c in diff_clauses(old, new) if c.kind != "unchanged"]


def shape(changes) -> list[tuple[str, tuple[int, ...], tuple[int, ...]]]:
    """Each change's kind and its old and new clauses."""
    return [(c.kind, c.old_indexes or ((c.old_index,) if c.old_index is not None else ()),
             c.new_indexes or ((c.new_index,) if c.new_index is not None else ())) for c in changes]


def _words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in words(text) if w.isalnum())


def reported(changes) -> tuple[Counter[str], Counter[str]]:
    """The words (lower case, punctuation aside) the changes report deleted and inserted: the
    ops of paired changes, every word of an added or removed clause."""
    deleted: Counter[str] = Counter()
    inserted: Counter[str] = Counter()
    for c in changes:
        if c.kind == "removed":
            deleted += _words(c.old_text)
        elif c.kind == "added":
            inserted += _words(c.new_text)
        for gone, came in changed_runs(c.ops):
            if not case_only(gone, came):  # a case change is not a changed word
                deleted += _words(gone)
                inserted += _words(came)
    return deleted, inserted


def only(deleted: str, inserted: str) -> tuple[Counter[str], Counter[str]]:
    return _words(deleted), _words(inserted)
