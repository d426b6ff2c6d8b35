"""Text rules shared by the normalizer and its measurements.

`normalize_text` decides when two clause texts are "the same": it removes differences a reader
cannot see (whitespace, invisible characters, typographic quote and dash variants, Unicode
compatibility forms) and keeps everything a reader can (case, digits, punctuation, words).
The heading predicates recognise the headings old pages fake with bold or capitals.
"""

import functools
import re
import unicodedata

from tracker.writing import CJK_CHARS, CJK_PUNCTUATION

_QUOTES_AND_DASHES = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
}
# Zero-width characters, soft hyphen, BOM and bidirectional marks: invisible when rendered.
_INVISIBLE: dict[str, None] = dict.fromkeys(
    "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    None,
)
# C0 control characters other than whitespace never render either.
_CONTROLS = {chr(c): None for c in range(0x20) if chr(c) not in "\t\n\r\f\v"}
_REPLACEMENTS = {char: by or "" for char, by in {**_QUOTES_AND_DASHES, **_INVISIBLE, **_CONTROLS}.items()}
_REPLACED = re.compile("[" + re.escape("".join(_REPLACEMENTS)) + "]")
_ASCII_CONTROLS = "".join(_CONTROLS).encode("ascii")


_CACHED_CHARS = 1000  # longer texts are rare and seldom repeated; the cache stays a few MB


def normalize_text(text: str) -> str:
    """Canonical form of a piece of visible text: NFKC, ASCII quotes/dashes, one space.

    A document's captures repeat each other: of the texts a corpus capture normalises, 92 %
    appeared in an earlier capture, so short texts' results are cached (`forget_texts`)."""
    if len(text) > _CACHED_CHARS:
        return _normalize_text(text)
    return _normalize_cached(text)


def _normalize_text(text: str) -> str:
    if text.isascii():  # NFKC leaves ASCII as it is; of the table, only controls are ASCII
        text = text.encode("ascii").translate(None, _ASCII_CONTROLS).decode("ascii")
    else:
        # A no-break space is its own NFKC form's space, and often the only change NFKC would
        # make: replaced first, most texts need no NFKC (checking is much faster than doing).
        text = text.replace("\u00a0", " ")
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        text = _REPLACED.sub(_replacement, text)  # finds the few characters faster than translate()
    return " ".join(text.split())


def _replacement(match: re.Match) -> str:
    return _REPLACEMENTS[match.group()]


_normalize_cached = functools.lru_cache(maxsize=4096)(_normalize_text)


def forget_texts() -> None:
    """Empty `normalize_text`'s cache."""
    _normalize_cached.cache_clear()


_COUNTED = re.compile(f"[{CJK_CHARS}]|[^\\s{CJK_CHARS}{CJK_PUNCTUATION}]+")
_SPACELESS = re.compile(f"[{CJK_CHARS}{CJK_PUNCTUATION}]")


def word_count(text: str) -> int:
    """Words as a reader counts them, as versions, clauses and the junk checks count them:
    runs between spaces, and every character of a script written without spaces (so a
    Japanese policy is not "near-empty"). On text without such characters this is exactly
    `len(text.split())`, which is what such text gets (several times faster)."""
    if text.isascii() or not _SPACELESS.search(text):
        return len(text.split())
    return len(_COUNTED.findall(text))


_NUMBERED = re.compile(r"^(?:\(?(?:\d{1,2}(?:\.\d{1,2})*|[IVX]{1,4}|[A-Z])[.)]|\d{1,2}(?:\.\d{1,2})+)\s+\S")
MAX_HEADING_WORDS = 12  # no heading test passes a longer line


def is_all_caps_heading(text: str) -> bool:
    """A short line written in capitals ("SECURITY", "7. OUR USE OF BANNER ADS.")."""
    if not text or not (text[0].isalpha() or _NUMBERED.match(text)):
        return False
    letters = 0
    for c in text:  # a sentence stops at its first lower-case letter, near its start
        if c.isalpha():
            if not c.isupper():
                return False
            letters += 1
    return letters >= 4 and _short_unpunctuated(text)


def is_numbered_heading(text: str) -> bool:
    """A numbered title-case line ("2. Information We Collect"), not a numbered sentence."""
    if not _NUMBERED.match(text) or not _short_unpunctuated(text) or text.endswith("."):
        return False
    words = [w for w in text.split()[1:] if len(w) > 3 and w[0].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) * 2 >= len(words)


def without_number(text: str) -> str:
    """A line without the number a heading may carry ("2. Sharing" -> "Sharing")."""
    found = _NUMBERED.match(text)
    return text[found.end() - 1:] if found else text


def is_bold_heading(text: str) -> bool:
    """A line that is bold as a whole can be a heading when it is short."""
    return any(c.isalpha() for c in text) and _short_unpunctuated(text)


def _short_unpunctuated(text: str) -> bool:
    return word_count(text) <= MAX_HEADING_WORDS and not text.endswith((",", ";"))
