"""What a step between two versions means, in a few plain lines: the summary a digest and
the web view's step page both show above the clause changes.

Computed only from what the pipeline recorded: each clause change's kind, flags, categories
and word operations, and each version's word count, stated effective date and clause texts.
Every line names the clause changes it comes from by their number in the step (the
reading order, ``clause_change.ordinal``: the same numbers the step page and `tracker diff`
show), so a reader can check it.

Material lines come first, most telling first: a negation dropped, a clause about the
reader's rights removed, parties or data types newly named, a period or an age changed.
Then the stated effective date. Cosmetic clause changes are counted, never listed. A step
that keeps less than ``REWRITE_BELOW`` of the earlier text's words is a rewrite, said in
one line, so nobody reads hundreds of removed and added clauses to learn that.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from tracker.diff import find_effective_date
from tracker.diff import flags as _flags
from tracker.diff.categories import clause_categories
from tracker.normalize import word_count
from tracker.store import version_clauses
from tracker.store.models import Version
from tracker.writing import other_languages

# Below this share of the earlier text's words kept, a step is a rewrite.
REWRITE_BELOW = 0.5
# Clause numbers a line shows; the others are counted ("+4").
REFS_SHOWN = 3

# Topics a counts line names, most frequent first.
TOPICS_SHOWN = 4
# How a summary names OPP-115's topics.
TOPICS = {
    "first_party_collection_use": "collection and use",
    "third_party_sharing_collection": "sharing",
    "user_choice_control": "choices and consent",
    "user_access_edit_deletion": "access and deletion",
    "data_retention": "retention",
    "data_security": "security",
    "policy_change": "changes to the policy",
    "do_not_track": "Do Not Track",
    "international_specific_audiences": "children and regions",
    "other": "other",
}
# A clause about one of these topics, removed (or no longer about it), takes a right or a
# choice away from the reader.
RIGHTS = {
    "user_access_edit_deletion": "A clause about access, correction or deletion removed",
    "user_choice_control": "A clause about opting out or consent removed",
}
# A number and a unit of time ("30 days", "thirty (30) days", "2 years"); the number is
# checked with the number flag's own reading (tracker.diff.flags.numbers).
_SAMPLE = 60  # clauses of each version whose words tell its language
_PERIOD = re.compile(r"\b([\w.,-]+)\s+(?:\(\d+\)\s+)?(?:calendar\s+|business\s+|working\s+)?"
                     r"(days?|weeks?|months?|years?)\b", re.IGNORECASE)
# An age: "under 13", "the age of 16", "aged 18", "13 years of age", "16 years old".
_AGE = re.compile(r"\b(?:age of|aged|under|over|younger than|older than|at least)\s+(\d{1,2})\b"
                  r"|\b(\d{1,2})\s+years?\s+(?:of age|old)\b", re.IGNORECASE)


class ClauseChangeLike(Protocol):
    """A recorded clause change (store.ClauseChangeRecord) or a fresh one (diff.ClauseEdit)."""

    @property
    def kind(self) -> str: ...
    @property
    def old_text(self) -> str | None: ...
    @property
    def new_text(self) -> str | None: ...
    @property
    def ops(self) -> Sequence: ...
    @property
    def flags(self) -> tuple[str, ...]: ...
    @property
    def categories(self) -> tuple[str, ...]: ...
    @property
    def cosmetic(self) -> bool: ...


@dataclass(frozen=True)
class Side:
    """What a summary needs of one version: its words, the date it states, its clause texts."""

    words: int
    effective_date: date | None
    texts: tuple[str, ...]


@dataclass(frozen=True)
class SummaryLine:
    """One plain line and the numbers of the clause changes it comes from."""

    text: str
    clauses: tuple[int, ...]
    material: bool = True

    @property
    def shown(self) -> tuple[int, ...]:
        return self.clauses[:REFS_SHOWN]

    @property
    def more(self) -> int:
        return max(0, len(self.clauses) - REFS_SHOWN)


@dataclass(frozen=True)
class StepSummary:
    lines: tuple[SummaryLine, ...]  # material lines first, then the effective date
    kept: float | None  # share of the earlier text's words the step kept (None: it had none)
    material: int  # material clause changes
    cosmetic: int  # cosmetic clause changes: counted, never listed
    kinds: tuple[tuple[str, int], ...]  # material clause changes per kind, most first
    topics: tuple[tuple[str, int], ...]  # material clause changes per topic, most first

    @property
    def rewritten(self) -> bool:
        return self.kept is not None and self.kept < REWRITE_BELOW

    @property
    def kept_line(self) -> str:
        """"rewritten: 12 % of the earlier text kept" (a share under 1 % says so)."""
        share = self.kept or 0.0
        percent = f"{share * 100:.0f} %" if share >= 0.005 or share == 0 else "under 1 %"
        return f"rewritten: {percent} of the earlier text kept"

    @property
    def counts_line(self) -> str:
        """"14 material clause changes (12 added, 2 removed); 3 cosmetic"."""
        parts = []
        if self.material:
            kinds = ", ".join(f"{n} {kind}" for kind, n in self.kinds)
            parts.append(f"{self.material} material clause change{'' if self.material == 1 else 's'} ({kinds})")
        if self.cosmetic:
            parts.append(f"{self.cosmetic} cosmetic" if parts else
                         f"{self.cosmetic} cosmetic clause change{'' if self.cosmetic == 1 else 's'}")
        return "; ".join(parts)

    @property
    def topics_line(self) -> str:
        """The most frequent topics of the material clause changes: "sharing 12, retention 3"."""
        shown = ", ".join(f"{TOPICS.get(topic, topic)} {n}" for topic, n in self.topics[:TOPICS_SHOWN])
        return shown + (f" and {len(self.topics) - TOPICS_SHOWN} more" if len(self.topics) > TOPICS_SHOWN else "")


def numbered(changes: Iterable) -> list[tuple[int, ClauseChangeLike]]:
    """A step's clause changes with their numbers: the changed ones in reading order from 1,
    as they are recorded (``clause_change.ordinal``); unchanged clauses get none."""
    return list(enumerate((c for c in changes if c.kind != "unchanged"), 1))


def summarize_step(changes: Sequence[tuple[int, ClauseChangeLike]], before: Side, after: Side,
                   wanted: Callable[[Any], bool] | None = None) -> StepSummary:
    """The summary of one step from its numbered clause changes (every one of them: the share
    of words kept needs them all) and its two versions. ``wanted``: the clause changes a
    reader asked for (a digest's category filter); lines and counts come only from those."""
    kept = _kept(changes, before.words)
    chosen = [(n, c) for n, c in changes if wanted is None or wanted(c)]
    material = [(n, c) for n, c in chosen if not c.cosmetic]
    rewritten = kept is not None and kept < REWRITE_BELOW
    lines = _material_lines(material, before, after, rewritten) + _date_lines(chosen, before, after)
    kinds = Counter(str(c.kind) for _, c in material)
    topics = Counter(topic for _, c in material for topic in c.categories)
    return StepSummary(
        lines=tuple(lines), kept=kept, material=len(material), cosmetic=len(chosen) - len(material),
        kinds=tuple(kinds.most_common()), topics=tuple(topics.most_common()),
    )


def side(session: Session, version: Version) -> Side:
    """The recorded facts of `version` a summary reads."""
    return Side(version.word_count, version.effective_date, tuple(c.text for c in version_clauses(session, version)))


def step_page(web_base_url: str, document_id: int, from_seq: int, to_seq: int) -> str:
    """The web view's page of a step (tracker.web.pages.step_page); `#c12` on it is the 12th
    clause change."""
    return f"{web_base_url.rstrip('/')}/documents/{document_id}/diff?from=v{from_seq}&to=v{to_seq}"


def diff_command(provider: str, document: str, old_first_seen: datetime, new_first_seen: datetime) -> str:
    """The `tracker diff` command that shows exactly this step: the versions in force at the
    second each was first seen (a 14-digit timestamp), the document named."""
    return (f"tracker diff {shlex.quote(provider)} --from {old_first_seen:%Y%m%d%H%M%S} "
            f"--to {new_first_seen:%Y%m%d%H%M%S} --document {shlex.quote(document)}")


# -- the lines -------------------------------------------------------------------------------


class _Lines:
    """Lines in order of first appearance per rank, each gathering the clauses behind it."""

    def __init__(self) -> None:
        self.found: dict[tuple[int, str], list[int]] = {}

    def add(self, rank: int, text: str, number: int) -> None:
        numbers = self.found.setdefault((rank, text), [])
        if number not in numbers:
            numbers.append(number)

    def lines(self) -> list[SummaryLine]:
        return [SummaryLine(text, tuple(numbers)) for (_, text), numbers in
                sorted(self.found.items(), key=lambda item: item[0][0])]


def _material_lines(material: list[tuple[int, ClauseChangeLike]], before: Side, after: Side,
                    rewritten: bool) -> list[SummaryLine]:
    lines = _Lines()
    earlier = _names(before.texts)
    later = _names(after.texts)
    # Names are words of a language: a page shown in another one names nobody "new".
    translated = other_languages(" ".join(before.texts[:_SAMPLE]), " ".join(after.texts[:_SAMPLE]))
    # A rewrite removes every clause: a right is gone only when no clause speaks of it any more.
    kept_topics = {c for text in after.texts for c in clause_categories(text)} if rewritten else set()
    new_parties: dict[str, list[int]] = {}
    new_data: dict[str, list[int]] = {}
    gone_parties: dict[str, list[int]] = {}
    gone_data: dict[str, list[int]] = {}
    for number, change in material:
        old, new = change.old_text or "", change.new_text or ""
        flags = set(change.flags)
        topic = _topic(change.categories)
        if "negation_removed" in flags:
            word = _quoted(_flags.negation_words(_deleted(change)) or _flags.negation_words(old), "A negation")
            about = "sharing or selling" if "third_party_sharing_collection" in change.categories else topic
            lines.add(1, f"{word} removed from a clause about {about}" if about else f"{word} removed", number)
        for category, text in RIGHTS.items():
            if category in clause_categories(old) and category not in clause_categories(new) \
                    and category not in kept_topics:
                lines.add(2, text, number)
        if "party_added" in flags and not translated:
            _gather(new_parties, _flags.parties(new) - earlier[0], number)
        if "data_type_added" in flags and not translated:
            _gather(new_data, _flags.data_types(new) - earlier[1], number)
        if "party_removed" in flags and not translated:
            _gather(gone_parties, _flags.parties(old) - later[0], number)
        if "data_type_removed" in flags and not translated:
            _gather(gone_data, _flags.data_types(old) - later[1], number)
        if "number_changed" in flags:
            rank, text = _number_line(old, new, change.categories, topic)
            if text:
                lines.add(rank, text, number)
        if "negation_added" in flags:
            word = _quoted(_flags.negation_words(_inserted(change)) or _flags.negation_words(new), "A negation")
            lines.add(7, f"{word} added to a clause about {topic}" if topic else f"{word} added", number)
    for rank, label, names in ((3, "New third parties named", new_parties), (4, "New data types named", new_data),
                               (8, "Third parties no longer named", gone_parties),
                               (8, "Data types no longer named", gone_data)):
        if names:
            text = f"{label}: {', '.join(names)}"
            for number in sorted({n for ns in names.values() for n in ns}):
                lines.add(rank, text, number)
    return lines.lines()


def _number_line(old: str, new: str, categories: Sequence[str], topic: str) -> tuple[int, str]:
    """A retention period, an age or another number, from -> to; ("", "") when the numbers
    that changed cannot be told apart (the flag still counts the clause)."""
    for pattern, label in ((_AGE, "Age changed"), (_PERIOD, None)):
        was, now = _found(pattern, old), _found(pattern, new)
        if was != now:
            change = f"{_listed(was - now)} → {_listed(now - was)}"
            if label is None:
                label = "Retention period changed" if "data_retention" in categories else "A period changed"
            return 5, f"{label}: {change}" + ("" if label != "A period changed" or not topic else f" ({topic})")
    was, now = _flags.numbers(old), _flags.numbers(new)
    if was - now and now - was:  # one number for another (a number only added: often a link's)
        return 6, f"A number changed: {_listed(was - now)} → {_listed(now - was)}" + (f" ({topic})" if topic else "")
    return 0, ""


def _date_lines(chosen: list[tuple[int, ClauseChangeLike]], before: Side, after: Side) -> list[SummaryLine]:
    """The date the new version states, when it is not the earlier one's, with the clause
    that states it."""
    if after.effective_date == before.effective_date:
        return []
    stating = tuple(n for n, c in chosen if c.new_text and after.effective_date is not None
                    and find_effective_date([c.new_text]) == after.effective_date)[:1]
    if not stating and after.effective_date is not None:
        return []  # stated in a clause this reader did not ask for
    if after.effective_date is None:
        stating = tuple(n for n, c in chosen if c.old_text and find_effective_date([c.old_text]))[:1]
        text = f"No effective date stated any more (was {before.effective_date:%Y-%m-%d})"
        return [SummaryLine(text, stating, material=False)] if stating else []
    was = f"was {before.effective_date:%Y-%m-%d}" if before.effective_date else "none stated before"
    return [SummaryLine(f"Effective date: {after.effective_date:%Y-%m-%d} ({was})", stating, material=False)]


def _kept(changes: Sequence[tuple[int, ClauseChangeLike]], words: int) -> float | None:
    """The share of the earlier version's words still there: all but the words of removed
    clauses and the words the redlines of the others delete."""
    if not words:
        return None
    deleted = 0
    for _, change in changes:
        if change.kind == "removed":
            deleted += word_count(change.old_text or "")
        elif change.ops:
            deleted += word_count(_deleted(change))
    return max(0.0, min(1.0, (words - deleted) / words))


def _names(texts: Iterable[str]) -> tuple[set[str], set[str]]:
    parties: set[str] = set()
    data: set[str] = set()
    for text in texts:
        parties |= _flags.parties(text)
        data |= _flags.data_types(text)
    return parties, data


def _gather(into: dict[str, list[int]], names: set[str], number: int) -> None:
    for name in sorted(names):
        into.setdefault(name, []).append(number)


def _topic(categories: Sequence[str]) -> str:
    named = [TOPICS[c] for c in categories if c in TOPICS and c != "other"]
    return named[0] if named else ""


def _deleted(change: ClauseChangeLike) -> str:
    return " ".join(text for op, text in _pairs(change.ops) if op == "delete")


def _inserted(change: ClauseChangeLike) -> str:
    return " ".join(text for op, text in _pairs(change.ops) if op == "insert")


def _pairs(ops: Sequence) -> list[tuple[str, str]]:
    """Word ops as (op, text): stored ones are pairs, fresh ones tracker.diff.WordOp."""
    return [(op.op, op.text) if hasattr(op, "op") else (op[0], op[1]) for op in ops]


def _quoted(words: list[str], otherwise: str) -> str:
    return f"“{words[0].lower()}”" if words else otherwise


def _found(pattern: re.Pattern, text: str) -> Counter:
    """The periods or ages a text states, as written in lower case ("30 days", "13")."""
    found: Counter = Counter()
    for match in pattern.finditer(text):
        if pattern is _PERIOD:
            if _flags.numbers(match.group(1)):
                found[f"{match.group(1)} {match.group(2)}".lower()] += 1
        else:
            found[match.group(1) or match.group(2)] += 1
    return found


def _listed(values: Counter) -> str:
    return ", ".join(sorted(values)) if values else "none"
