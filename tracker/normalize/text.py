"""Text rules shared by the normalizer and its measurements.

`normalize_text` decides when two clause texts are "the same": it removes differences a reader
cannot see (whitespace, invisible characters, typographic quote and dash variants, Unicode
compatibility forms) and keeps everything a reader can (case, digits, punctuation, words).
The heading predicates recognise the headings old pages fake with bold or capitals.
"""

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
_TABLE = str.maketrans({**_QUOTES_AND_DASHES, **_INVISIBLE, **_CONTROLS})


def normalize_text(text: str) -> str:
    """Canonical form of a piece of visible text: NFKC, ASCII quotes/dashes, one space."""
    text = unicodedata.normalize("NFKC", text).translate(_TABLE)
    return " ".join(text.split())


_COUNTED = re.compile(f"[{CJK_CHARS}]|[^\\s{CJK_CHARS}{CJK_PUNCTUATION}]+")


def word_count(text: str) -> int:
    """Words as a reader counts them, as versions, clauses and the junk checks count them:
    runs between spaces, and every character of a script written without spaces (so a
    Japanese policy is not "near-empty"). On text without such characters this is exactly
    `len(text.split())`."""
    return len(_COUNTED.findall(text))


_NUMBERED = re.compile(r"^(?:\(?(?:\d{1,2}(?:\.\d{1,2})*|[IVX]{1,4}|[A-Z])[.)]|\d{1,2}(?:\.\d{1,2})+)\s+\S")
_MAX_HEADING_WORDS = 12


def is_all_caps_heading(text: str) -> bool:
    """A short line written in capitals ("SECURITY", "7. OUR USE OF BANNER ADS.")."""
    letters = [c for c in text if c.isalpha()]
    return (
        len(letters) >= 4
        and all(c.isupper() for c in letters)
        and (text[0].isalpha() or bool(_NUMBERED.match(text)))
        and _short_unpunctuated(text)
    )


def is_numbered_heading(text: str) -> bool:
    """A numbered title-case line ("2. Information We Collect"), not a numbered sentence."""
    if not _NUMBERED.match(text) or not _short_unpunctuated(text) or text.endswith("."):
        return False
    words = [w for w in text.split()[1:] if len(w) > 3 and w[0].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) * 2 >= len(words)


def is_bold_heading(text: str) -> bool:
    """A line that is bold as a whole can be a heading when it is short."""
    return any(c.isalpha() for c in text) and _short_unpunctuated(text)


def _short_unpunctuated(text: str) -> bool:
    return word_count(text) <= _MAX_HEADING_WORDS and not text.endswith((",", ";"))
