"""Whether an edit is cosmetic: a reader of the policy would not call it a change of meaning."""

import re

from tracker.diff.effective_date import stamp_date, without_dates
from tracker.diff.flags import without_numbering

_COSMETIC = re.compile(r"[\W_]+")
# The same for ASCII text, at bytes speed: every byte but a letter or a digit.
_ASCII_NOT_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum())
# Every date a stamp can hold has a year of four digits, a "3/4" or a Japanese era: a text
# without any has no stamp, and most clauses have none. Written as "(?:19|20)\d\d|\d/\d|令和
# |平成|昭和" read from its first character, so that re skips to the next digit or era at C speed.
# The most letters and digits a date has ("25th de septiembre de 2023": 22; "2023年12月31日": 11).
_DATE_CHARS = 24
_DATE_HINT = re.compile(r"[\d令平昭](?:(?<=1)9\d\d|(?<=2)0\d\d|(?<=\d)/\d|(?<=令)和|(?<=平)成|(?<=昭)和)")
# The same for ASCII text (most clauses): re.ASCII's \d tests a character without Unicode's
# tables, and ASCII has no other digit.
_ASCII_DATE_HINT = re.compile(_DATE_HINT.pattern, re.ASCII)


def is_cosmetic(old: str, new: str) -> bool:
    """The edit alters only case, punctuation, whitespace, the date of a date stamp ("Last
    updated ...") or a heading's number: such an edit is not a material change."""
    old_plain, new_plain = _plain(old), _plain(new)
    if old_plain == new_plain:
        return True
    if (_dates_may_explain(old, new, abs(len(old_plain) - len(new_plain)))
            and is_stamp(old) and is_stamp(new) and stamp_key(old) == stamp_key(new)):
        return True
    old_rest, new_rest = without_numbering(old), without_numbering(new)
    # nothing stripped: these are the texts the first test already found unequal
    renumbered = len(old_rest) + len(new_rest) < len(old) + len(new)
    return renumbered and _plain(old_rest) == _plain(new_rest)


def _dates_may_explain(old: str, new: str, length_apart: int) -> bool:
    """Whether the dates two texts may hold are long enough to account for the difference in
    their plain lengths: each date has a hint (`_DATE_HINT`), and none is longer than
    `_DATE_CHARS` once plain. Rules out, without reading the dates, a long rewritten text (a
    stretch of many clauses) that merely holds a stamp somewhere."""
    if not length_apart:
        return True
    return length_apart <= _DATE_CHARS * (len(_hints(old).findall(old)) + len(_hints(new).findall(new)))


def is_stamp(text: str) -> bool:
    """Whether ``stamp_date`` finds a stamp (looked for only where a date may be)."""
    return _hints(text).search(text) is not None and stamp_date(text) is not None


def _hints(text: str) -> re.Pattern:
    return _ASCII_DATE_HINT if text.isascii() else _DATE_HINT


def _plain(text: str) -> str:
    if text.isascii():  # most clauses: the same letters and digits, lower-cased
        return text.encode().translate(None, _ASCII_NOT_ALNUM).decode().lower()
    return _COSMETIC.sub("", text).casefold()


def stamp_key(text: str) -> str:
    """A date stamp's text without its date, case and punctuation: equal keys are the same
    stamp with another date."""
    return _plain(without_dates(text))
