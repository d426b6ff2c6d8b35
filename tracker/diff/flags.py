"""Flags: the edits a reader must never miss, however small or similar the texts are.

Each flag compares the old side of a clause change with its new side (an added clause has
an empty old side, a removed one an empty new side; a split or merge compares the joined
texts of its clauses). Flags are computed on every change, whatever its similarity, so
"We do not sell" -> "We do sell" (similarity 0.92) still says ``negation_removed``.

- negation: counts of negating words ("not", "no", "never", "n't", "without", ...) differ;
- number: the numbers written in digits or words differ ("30 days" -> "730 days"), a
  heading's own number aside;
- modal: the modal verbs differ (may / might / can / could / will / would / shall / should /
  must): "we may share" -> "we will share";
- party, data type: a phrase of ``PARTIES`` or ``DATA_TYPES`` (tracker.diff._tables) is on
  one side and not on the other.

Negation, number and modal flags need both sides (an added clause has nothing to compare
with); party and data-type flags also apply to added and removed clauses.

Chinese, Japanese and Korean text is read with these tables (for the Latin words in it) and
with its language's own vocabulary (tracker.diff._cjk), counted the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

from tracker.diff import _cjk
from tracker.diff._tables import DATA_TYPES, PARTIES
from tracker.diff.categories import first_letters, phrase_starts, reading
from tracker.diff.words import fold, tokens
from tracker.writing import other_languages

FLAGS = (
    "negation_added",
    "negation_removed",
    "number_changed",
    "modal_changed",
    "party_added",
    "party_removed",
    "data_type_added",
    "data_type_removed",
)

# Every pattern here is lower case and matched on the folded text (tracker.diff.words.fold), which
# finds what matching case-insensitively would.
_NEGATION = re.compile(r"\b(?:not|no|never|none|nor|neither|nothing|nobody|cannot|without)\b|n[’']t\b")
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety hundred thousand million billion twice dozen"
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*|\b(?:" + "|".join(_NUMBER_WORDS.split()) + r")\b")
# A heading's number: "3.", "3.2", "IV.", "b)", "Section 4:", "Article 2 -". Renumbering a
# heading is not a number change (and is cosmetic, see diff.is_cosmetic).
_NUMBERING = re.compile(
    r"^\s*(?:(?:section|article|part|chapter|§)\s*(?:\d+(?:\.\d+)*|[ivxlc]+)\s*[.:)\-–—]?"
    r"|\d+(?:\.\d+)+\.?|(?:\d+|[ivxlc]+|[a-z])[.)])\s+|" + _cjk.NUMBERING
)
# Full-width digits (CJK text) read as ASCII ones.
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_MODAL = re.compile(r"\b(?:may|might|can|could|will|would|shall|should|must)\b")
# The words _NEGATION, _MODAL and _NUMBER find, looked up among a text's words instead: a
# pattern of whole words between word boundaries (\b) matches exactly the words (\w+ runs)
# it lists, and a set lookup per word costs far less than trying three long alternations at
# every place. Numbers in digits need no boundary, and "n't" overlaps the modal of "can't".
_WORD_RUN = re.compile(r"\w+")
_NEGATING = frozenset("not no never none nor neither nothing nobody cannot without".split())
_MODALS = frozenset("may might can could will would shall should must".split())
_NUMBERS_IN_WORDS = frozenset(_NUMBER_WORDS.split())
_FLAG_WORDS = _NEGATING | _MODALS | _NUMBERS_IN_WORDS  # one pass over a text's words finds them all
# "\d\d*" rather than "\d+": a pattern that opens with a character class lets re skip to the
# next digit at C speed, where a repeat is tried at every place.
_DIGIT_RUN = re.compile(r"\d\d*(?:[.,]\d+)*")
_ASCII_DIGIT_RUN = re.compile(_DIGIT_RUN.pattern, re.ASCII)  # the same in ASCII text, without Unicode's tables
_NOT = re.compile(r"n[’']t\b")


def _table_pattern(table: dict[str, str]) -> tuple[re.Pattern, list[str]]:
    """One pattern for a whole table; group ``g<k>`` is entry k."""
    names = list(table)
    alternatives = "|".join(f"(?P<g{k}>{table[name]})" for k, name in enumerate(names))
    return re.compile(rf"\b(?:{alternatives})\b"), names


# Each table's pattern, and the letters its phrases start with: the topics' scan finds every
# place where a phrase of theirs may start (tracker.diff.categories.phrase_starts), and they
# are tried at those places that hold one of these letters.
_PARTY_RE, _PARTY_LETTERS = _table_pattern(PARTIES), first_letters(PARTIES.values())
_DATA_RE, _DATA_LETTERS = _table_pattern(DATA_TYPES), first_letters(DATA_TYPES.values())


def change_flags(old: str | None, new: str | None) -> tuple[str, ...]:
    """The flags of a change from text ``old`` to text ``new`` (None: that side is absent). A
    text and its translation are compared by their numbers only: the words the other flags
    look for are a language's, and they all seem to go."""
    if old == new:  # a moved clause: no count or mention can differ, and its texts need no reading
        return ()
    flags = []
    if old is not None and new is not None and other_languages(old, new):
        return ("number_changed",) if sorted(_counts(old).numbers) != sorted(_counts(new).numbers) else ()
    if old is not None and new is not None:
        before, after = _counts(old), _counts(new)
        if after.negations > before.negations:
            flags.append("negation_added")
        elif after.negations < before.negations:
            flags.append("negation_removed")
        if sorted(before.numbers) != sorted(after.numbers):
            flags.append("number_changed")
        if before.modals != after.modals:
            flags.append("modal_changed")
    (old_parties, old_data), (new_parties, new_data) = _mentions(old or ""), _mentions(new or "")
    for name, was, now in (("party", old_parties, new_parties), ("data_type", old_data, new_data)):
        if now - was:
            flags.append(f"{name}_added")
        if was - now:
            flags.append(f"{name}_removed")
    return tuple(flags)


class _Counts(NamedTuple):
    negations: int
    numbers: tuple[str, ...]  # in the order the text states them
    modals: tuple[str, ...]  # sorted: the same modals, the same tuple


@lru_cache(maxsize=8192)
def _counts(text: str) -> _Counts:
    """What the flags of a two-sided change compare, per text; cached, as a history re-reads
    most texts. Matched words are read from ``text`` itself, so "MAY" counts as "may". A text
    in Chinese, Japanese or Korean is also read with the tables of its language (_cjk)."""
    lang, folded = reading(text)
    if lang:
        text = _cjk.space_seams(text)
    cut = _numbering_end(folded)
    ascii = text.isascii()
    if ascii or folded == text.lower():  # the words found are the text's own
        # The words (\w runs of the folded text) are the text's tokens, tokenised already, when
        # it has no CJK character and casefold() reads it as fold() does (always, in ASCII).
        words = tokens(text) if ascii or (lang is None and text.casefold() == folded) else _WORD_RUN.findall(folded)
        flagged = list(filter(_FLAG_WORDS.__contains__, words))
        negations = sum(map(_NEGATING.__contains__, flagged))
        if "'t" in folded or "’t" in folded:
            negations += len(_NOT.findall(folded))
        modals = list(filter(_MODALS.__contains__, flagged))
        numbers = list(filter(_NUMBERS_IN_WORDS.__contains__, _WORD_RUN.findall(folded[cut:]) if cut else flagged))
        digit_runs = _ASCII_DIGIT_RUN if folded.isascii() else _DIGIT_RUN
        numbers += [w.replace(",", "").translate(_DIGITS) for w in digit_runs.findall(folded, cut)]
    else:  # a letter fold reads apart (a dotted or dotless i, a long s): read each match from the text
        negations = len(_NEGATION.findall(folded))
        numbers = [w.replace(",", "").translate(_DIGITS) for w in _matches(_NUMBER, folded[cut:], text[cut:])]
        modals = _matches(_MODAL, folded, text)
    if lang:
        more_negations, more_numbers, more_modals = _cjk.counts(folded, cut, lang)
        negations, numbers, modals = negations + more_negations, numbers + more_numbers, modals + more_modals
    return _Counts(negations=negations, numbers=tuple(numbers), modals=tuple(sorted(modals)))


@lru_cache(maxsize=8192)
def _mentions(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The parties and data types of a text (every change needs them); cached likewise."""
    lang, folded = reading(text)
    starts = phrase_starts(text)
    found_parties = _names(_PARTY_RE, folded, [at for at in starts if folded[at] in _PARTY_LETTERS])
    found_data = _names(_DATA_RE, folded, [at for at in starts if folded[at] in _DATA_LETTERS])
    if lang:
        more_parties, more_data = _cjk.mentions(folded, lang)
        found_parties, found_data = found_parties | more_parties, found_data | more_data
    return frozenset(found_parties), frozenset(found_data)


def clear_caches() -> None:
    """Forget the per-text results (for timing a pair as if never seen before)."""
    _counts.cache_clear()
    _mentions.cache_clear()


def parties(text: str) -> set[str]:
    """The parties a text names, by their names in ``PARTIES``."""
    return set(_mentions(text)[0])


def data_types(text: str) -> set[str]:
    """The data types a text names, by their names in ``DATA_TYPES``."""
    return set(_mentions(text)[1])


def negation_words(text: str) -> list[str]:
    """The negating words of a text as written ("not", "never", "n't"), for a summary to
    quote; the words of CJK text are counted by the flags but not listed here."""
    return _matches(_NEGATION, fold(text), text)


def numbers(text: str) -> Counter:
    """The numbers a text states, as the number flag compares them ("thirty" and "30" are
    two numbers; a heading's own number aside)."""
    return Counter(_counts(text).numbers)


def without_numbering(text: str) -> str:
    """The text without a leading heading number."""
    return text[_numbering_end(fold(text)):]


def _names(table: tuple[re.Pattern, list[str]], folded: str, starts: list[int]) -> set[str]:
    """The names ``table[0].finditer(folded)`` would find, trying only at ``starts`` (the
    others cannot match: more places do no harm) and, like finditer, never inside the
    previous match."""
    pattern, names = table
    found: set[str] = set()
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(folded, start)) and match.lastgroup:
            found.add(names[int(match.lastgroup[1:])])
            end = match.end()
    return found


def _numbering_end(folded: str) -> int:
    match = _NUMBERING.match(folded)
    return match.end() if match else 0


def _matches(pattern: re.Pattern, folded: str, text: str) -> list[str]:
    """The lower-cased text of each match of ``pattern`` in ``folded``, read from ``text``."""
    return [text[m.start():m.end()].lower() for m in pattern.finditer(folded)]
