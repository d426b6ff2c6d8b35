"""Another page served at the policy's URL, which only the document's history reveals.

Sites serve a summary page, a landing page or a hacked page at the policy's address for a
while. Such a capture is a page of its own, not a new version: it is far smaller than the
last version, shares almost none of its clauses, and is not titled as a privacy policy
while the history's versions were. All three must hold, so a rewritten policy that keeps
its title, or one that keeps a tenth of its clauses, is a version as before.

A capture that would start a history has no version to be compared with: it is another page
when it does not read as a privacy policy at all (`not_a_policy`), so a history never starts
with a landing page. A first page that does speak of privacy (a summary page) is told by the
policy captured after it (`rejudged`): the versions stage then drops that first version.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from tracker.normalize import PRIVACY_POLICY, Block, Target, word_count
from tracker.writing import CJK_CHARS

_SMALLER = 3  # the capture has under a third of the last version's words
_SHARED = 0.1  # and under a tenth of its clauses are clauses of the last version
# A history's first version is judged against the policy captured after it (`rejudged`) only
# when far smaller still: a whole version is at stake, perhaps an early short policy.
_FIRST_SMALLER = 10


def other_page(blocks: Sequence[Block], latest_words: int, latest_clauses: Callable[[], Sequence], *,
               against: str = "the last version", smaller: int = _SMALLER,
               target: Target = PRIVACY_POLICY) -> str | None:
    """Why this capture is another page than the document (`target`), or None.
    `latest_clauses` reads the last version's clauses (each with .kind and .text), only when
    the sizes call for it. `against` names what it is compared with in the reason."""
    words = sum(word_count(b.text) for b in blocks)
    if not blocks or words * smaller >= latest_words or _titled(blocks, target):
        return None
    latest = latest_clauses()
    if not _titled(latest, target):
        return None
    texts = {c.text for c in latest}
    shared = sum(b.text in texts for b in blocks) / len(blocks)
    if shared >= _SHARED:
        return None
    return (f"another page at the policy's URL ({words} words against {latest_words}, "
            f"{shared:.0%} of its clauses in {against}, no {target.document} title)")


def rejudged(first_clauses: Sequence, blocks: Sequence[Block], target: Target = PRIVACY_POLICY) -> str | None:
    """Why a history's only version (`first_clauses`) is another page than the policy a later
    capture shows (`blocks`), or None: the same test as `other_page`, the other way round,
    with the first version far smaller still (a summary page served before the policy was)."""
    words = sum(word_count(b.text) for b in blocks)
    return other_page(first_clauses, words, lambda: blocks, against="the later policy", smaller=_FIRST_SMALLER,
                      target=target)


def _titled(clauses, target: Target) -> bool:
    return any(c.kind == "heading" and target.title(c.text) == "mine" for c in clauses)


# The vocabulary of privacy policies in the major languages. A policy, whatever its title,
# speaks it throughout; a landing page, a help article or a shop does not.
_VOCABULARY = re.compile(
    r"\b(?:personal (?:data|information)|personally identifiable|privacy|cookies?|data protection"
    r"|data controller|(?:data )?processing|gdpr|ccpa"
    r"|personenbezogene\w*|datenschutz\w*|verarbeitung|verantwortliche\w*"
    r"|donn[ée]es (?:personnelles|à caractère personnel)|vie privée|confidentialité|traitement"
    r"|datos personales|privacidad|protección de datos|tratamiento"
    r"|dati personali|trattamento|dados pessoais|privacidade|persoonsgegevens"
    r"|персональн\w+|конфиденциальност\w+)\b"
    r"|个人信息|個人信息|个人数据|個人資料|隐私|隱私|個人情報|プライバシー|クッキー|개인정보|쿠키|프라이버시",
    re.I)
# The vocabulary's languages, so that a policy in another (Polish, Turkish, Swedish…) is never
# judged by words it cannot hold: function words of the Latin-script ones, and the scripts of
# the others (Han, kana, Hangul, Cyrillic).
_FUNCTION_WORDS = re.compile(r"\b(?:the|and|of|in|is|for|on|our|we|you|your|with|der|die|das|und|ist|mit|für"
                             r"|les|et|des|est|el|los|las|y|il|che|di|os|het|een)\b", re.I)
_SCRIPTS = re.compile(f"[{CJK_CHARS}\uac00-\ud7af\u0400-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]")
_KNOWN_SHARE = 0.05  # of the words function words of those languages
_SCRIPT_SHARE = 0.3  # of the letters in those scripts
_POLICY_WORDS = 500  # the vocabulary is nearly absent: fewer terms than one per this many words
_MIN_TERMS = 6  # and fewer terms than this in all


def not_a_policy(title: str | None, blocks: Sequence[Block], target: Target = PRIVACY_POLICY) -> str | None:
    """Why a capture that would start a privacy policy's history is not a privacy policy at
    all, or None: it is not titled as one (page title or heading) and hardly speaks the
    vocabulary of one. A policy with an odd title still speaks it, so it stays. Documents of
    other kinds (the terms) are not judged: the vocabulary is a privacy policy's."""
    if target.kind != "privacy" or _titled(blocks, target) or (title and _VOCABULARY.search(title)):
        return None
    words = sum(word_count(b.text) for b in blocks)
    terms = sum(len(_VOCABULARY.findall(b.text)) for b in blocks)
    if terms >= _MIN_TERMS or terms * _POLICY_WORDS >= words or not _known_language(blocks, words):
        return None
    return (f"not a privacy policy ({terms} privacy terms in {words} words, no privacy-policy title)")


def _known_language(blocks: Sequence[Block], words: int) -> bool:
    """Whether the page is written in a language whose privacy vocabulary `_VOCABULARY` holds
    (when unsure, the page is not judged)."""
    text = "\n".join(b.text for b in blocks)
    if len(_SCRIPTS.findall(text)) >= _SCRIPT_SHARE * len(_LETTER.findall(text)):
        return True
    return len(_FUNCTION_WORDS.findall(text)) >= _KNOWN_SHARE * words
