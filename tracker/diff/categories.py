"""Topic categories of a clause, after the OPP-115 scheme (Wilson et al., ACL 2016).

The method is one table a reader can check: each category has phrases (regular expressions,
matched case-insensitively on word boundaries). A clause belongs to every category one of
whose phrases it contains, and to ``other`` when it contains none. A clause change belongs
to the categories of its old and new clauses together. Categories depend on a clause's
text only, so they are stored once per distinct text (``clause.categories``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache

from tracker.diff.exceptions import UnknownCategory
from tracker.diff.words import fold


class Category(StrEnum):
    """OPP-115's topics, as stored in clause.categories and clause_change.categories."""

    FIRST_PARTY_COLLECTION_USE = "first_party_collection_use"
    THIRD_PARTY_SHARING_COLLECTION = "third_party_sharing_collection"
    USER_CHOICE_CONTROL = "user_choice_control"
    USER_ACCESS_EDIT_DELETION = "user_access_edit_deletion"
    DATA_RETENTION = "data_retention"
    DATA_SECURITY = "data_security"
    POLICY_CHANGE = "policy_change"
    DO_NOT_TRACK = "do_not_track"
    INTERNATIONAL_SPECIFIC_AUDIENCES = "international_specific_audiences"
    OTHER = "other"


CATEGORIES = tuple(c.value for c in Category)

RULES: dict[str, tuple[str, ...]] = {
    "first_party_collection_use": (
        r"we (?:may |also |will |automatically )?(?:collect|gather|obtain|receive|record|use|process)",
        r"(?:information|data) (?:we|that we) (?:collect|gather|obtain|receive)",
        r"information you (?:provide|give|submit)",
        r"(?:collect|collection of|use of) (?:your )?(?:personal )?(?:information|data)",
        r"we use (?:this|that|your|the|such)",
        r"cookies?", r"web beacons?", r"log (?:files?|data|information)",
    ),
    "third_party_sharing_collection": (
        r"shar(?:e|es|ed|ing)", r"disclos(?:e|es|ed|ure)", r"sell(?:s|ing)?", r"sold", r"sale of",
        r"third[- ]part(?:y|ies)", r"affiliates?", r"advertis(?:er|ers|ing partners?)",
        r"service providers?", r"law enforcement", r"transfer(?:red)? to", r"partners?",
    ),
    "user_choice_control": (
        r"opt[- ]?(?:out|in)", r"unsubscribe", r"your (?:choices?|consent)", r"consent",
        r"you (?:may|can) (?:choose|decline|refuse|disable|withdraw)", r"preferences?",
        r"(?:browser|cookie) settings?", r"withdraw",
    ),
    "user_access_edit_deletion": (
        r"access(?:ing)? (?:to )?(?:your|the) (?:personal )?(?:information|data|account)",
        r"correct(?:ion)?", r"rectif(?:y|ication)", r"updat(?:e|ing) your", r"edit",
        r"delet(?:e|ion) (?:your|of your)", r"erasure", r"portability",
        r"right to (?:access|know|delete|erasure|be forgotten)", r"request (?:a copy|access|deletion)",
    ),
    "data_retention": (
        r"retain(?:s|ed)?", r"retention", r"keep (?:your|this|the|such)", r"stor(?:e|ed) for",
        r"for (?:as long as|up to|a period)", r"\d+ (?:days|months|years)", r"no longer (?:needed|necessary)",
        r"delete (?:it|them|the data) after",
    ),
    "data_security": (
        r"secur(?:e|ity|ely)", r"encrypt(?:ed|ion|s)?", r"safeguards?", r"protect(?:s|ed|ion)? (?:your|the|against)",
        r"unauthori[sz]ed access", r"breach(?:es)?", r"ssl|tls", r"firewalls?",
    ),
    "policy_change": (
        # "changes to the VoIP.com Privacy Policy": up to three words may name it
        r"chang(?:e|es|ed|ing) (?:to |in )?(?:this|our|the|these)(?: [\w.'-]+){0,3} (?:policy|policies|statement|notice)",
        r"(?:update|modify|revise|amend)(?:s|d)? (?:this|our|the)(?: [\w.'-]+){0,3} (?:policy|statement|notice)",
        r"notification of changes?",
        r"last (?:updated|modified|revised)", r"effective (?:date|as of|from|on)",
        r"we will notify you", r"material changes?",
    ),
    "do_not_track": (r"do[- ]not[- ]track", r"\bdnt\b", r"global privacy control"),
    "international_specific_audiences": (
        r"child(?:ren)?(?:'s)?", r"minors?", r"under (?:the age of )?1[3-8]", r"coppa", r"parents?",
        r"california", r"ccpa", r"cpra", r"shine the light", r"nevada", r"virginia",
        r"europe(?:an)?", r"\beu\b", r"\beea\b", r"gdpr", r"united kingdom", r"\buk\b", r"switzerland",
        r"privacy shield", r"standard contractual clauses", r"international (?:transfers?|users?)",
        r"outside (?:of )?(?:the )?(?:united states|your country)", r"canada|brazil|lgpd|japan|china|korea",
    ),
}

# Lower case, matched on the folded text (tracker.diff.words.fold): the same as ignoring case.
_PATTERNS = {
    category: re.compile(r"\b(?:" + "|".join(phrases) + r")\b") for category, phrases in RULES.items()
}
# Every place where some phrase of some category starts. One scan for this costs about half
# of one scan per category, and only these places need a look per category. Every phrase
# starts with a word character: "(?=\w)" skips the ends of words before the long alternation.
_ANY_PHRASE = re.compile(r"\b(?=\w)(?=(?:" + "|".join(p for ps in RULES.values() for p in ps) + r")\b)")


@lru_cache(maxsize=8192)
def clause_categories(text: str) -> tuple[str, ...]:
    """The categories of a clause text, in ``CATEGORIES`` order; ``("other",)`` if none.

    Cached, as a history and the store read the same texts again."""
    folded = fold(text)
    found: set[str] = set()
    for start in _ANY_PHRASE.finditer(folded):
        at = start.start()
        found.update(c for c, pattern in _PATTERNS.items() if c not in found and pattern.match(folded, at))
        if len(found) == len(_PATTERNS):
            break
    return tuple(c for c in CATEGORIES if c in found) or ("other",)


def clear_caches() -> None:
    """Forget the per-text results (for timing a pair as if never seen before)."""
    clause_categories.cache_clear()


def combined(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """Union of several clauses' categories; ``other`` only when nothing else applies."""
    found = set().union(*groups)
    ordered = tuple(c for c in CATEGORIES if c in found and c != "other")
    return ordered or ("other",)


def check_category(name: str) -> str:
    if name not in CATEGORIES:
        raise UnknownCategory(f"unknown category {name!r}: choose one of {', '.join(CATEGORIES)}")
    return name
