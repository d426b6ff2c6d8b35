"""Text rules shared by the normalizer and its measurements.

`normalize_text` decides when two clause texts are "the same": it removes differences a reader
cannot see (whitespace, invisible characters, typographic quote and dash variants, Unicode
compatibility forms) and keeps everything a reader can (case, digits, punctuation, words).
The heading predicates recognise the headings old pages fake with bold or capitals.
"""

import re
import unicodedata

_QUOTES_AND_DASHES = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
}
# Zero-width characters, soft hyphen, BOM and bidirectional marks: invisible when rendered.
_INVISIBLE = dict.fromkeys(
    "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    None,
)
# C0 control characters other than whitespace never render either.
_CONTROLS = {c: None for c in range(0x20) if chr(c) not in "\t\n\r\f\v"}
_TABLE = str.maketrans({**_QUOTES_AND_DASHES, **_INVISIBLE, **_CONTROLS})


def normalize_text(text: str) -> str:
    """Canonical form of a piece of visible text: NFKC, ASCII quotes/dashes, one space."""
    text = unicodedata.normalize("NFKC", text).translate(_TABLE)
    return " ".join(text.split())


# Scripts written without spaces between words: Han (Chinese, Japanese kanji), kana, and
# their compatibility and extension blocks. Each character counts as one word (a Chinese
# word is one to three characters; one character is the unit readers and diffs can see).
# Hangul is written with spaces, so it is left to the space rule.
CJK_CHARS = "\u3005\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
# Punctuation of those scripts (ideographic full stop, comma, brackets, full-width forms).
_CJK_PUNCT = "\u3000-\u3004\u3006-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_COUNTED = re.compile(f"[{CJK_CHARS}]|[^\\s{CJK_CHARS}{_CJK_PUNCT}]+")


def count_words(text: str) -> int:
    """Words as a reader counts them: runs between spaces, and every character of a script
    written without spaces (so a Japanese policy is not "near-empty"). On text without such
    characters this is exactly `len(text.split())`."""
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
    return count_words(text) <= _MAX_HEADING_WORDS and not text.endswith((",", ";"))
