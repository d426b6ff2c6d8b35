"""Facts about written text that both pure stages (normalize, diff) need (pure: no imports).

- The scripts written without spaces between words: Han (Chinese, Japanese kanji), kana,
  and their compatibility and extension blocks. Each character counts as one word (a Chinese
  word is one to three characters; one character is the unit readers and diffs can see).
  Hangul is written with spaces, so it is left to the space rule.
- What an HTML tag or entity looks like when a page shows it as text ("<p>", "&nbsp;").
- How a table row's cells are joined into one clause (" | "): the joint is ours, not the page's.
- Which language a text is in, told by its function words (or its script): the words a
  change's flags look for are a language's, so a clause and its translation are compared by
  numbers only.
"""

import re
from functools import lru_cache

CJK_CHARS = "\u3005\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
# Punctuation of those scripts (ideographic full stop, comma, brackets, full-width forms).
CJK_PUNCTUATION = "\u3000-\u3004\u3006-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
# An HTML tag or entity written out as text: "<p>", "</strong>", '<a href="...">', "&nbsp;".
TAG_TEXT = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")

# Between the cells of a table row read as one clause: "Name | Purpose | Retention".
CELL_SEPARATOR = " | "

# The commonest words of the languages policies are most often written in: a text's language
# is the one whose words it uses most, when it uses them clearly more than another's.
_FUNCTION_WORDS = {
    "en": frozenset("the and of to in is for on our we you your with that this are not or by be".split()),
    "fr": frozenset("le la les et des du est nous vous votre vos pour dans sur avec que qui pas une un".split()),
    "de": frozenset("der die das und ist wir sie ihre für mit von zu den dem nicht ein eine auf".split()),
    "es": frozenset("el los las y que en para con por nuestro usted su sus no una es del al".split()),
    "it": frozenset("il le e di che per con non una sono nostro vostro dei delle gli della".split()),
    "pt": frozenset("o os as e que para com não uma seus suas nosso você do da dos das".split()),
    "nl": frozenset("de het en van een voor met niet wij u uw ons onze zijn op te".split()),
}
# Each function word with the languages it belongs to.
_LANGUAGES_OF = {word: tuple(name for name, table in _FUNCTION_WORDS.items() if word in table)
                 for word in frozenset().union(*_FUNCTION_WORDS.values())}
_MIN_FUNCTION_WORDS = 3
_SAMPLE_CHARS = 600  # a few sentences tell a language as well as a whole section
_LETTERS = re.compile(r"[^\W\d_]+")
_ASCII_LETTERS = re.compile("[a-z]+")  # the same in lower-case ASCII, found twice as fast
_KANA = re.compile("[\u3040-\u30ff]")
_HAN = re.compile("[\u4e00-\u9fff]")
_HANGUL = re.compile("[\uac00-\ud7af]")
_ANY_SCRIPT = re.compile("[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")  # of the three above


@lru_cache(maxsize=8192)
def language_of(text: str) -> str | None:
    """"en", "fr", "de", "es", "it", "pt", "nl", "ja", "zh", "ko", or None when the text does
    not tell (too short, or two languages alike)."""
    if not text.isascii() and _ANY_SCRIPT.search(text):  # one scan (none in ASCII) for most texts
        if _KANA.search(text):
            return "ja"
        return "zh" if _HAN.search(text) else "ko"
    sample = text[:_SAMPLE_CHARS].lower()
    counts = dict.fromkeys(_FUNCTION_WORDS, 0)
    for word in filter(_LANGUAGES_OF.__contains__, (_ASCII_LETTERS if sample.isascii() else _LETTERS).findall(sample)):
        for name in _LANGUAGES_OF[word]:
            counts[name] += 1
    (best, name), (second, _) = sorted(((count, name) for name, count in counts.items()), reverse=True)[:2]
    return name if best >= _MIN_FUNCTION_WORDS and best >= 2 * second else None


def other_languages(old: str, new: str) -> bool:
    """Whether two texts are told to be in different languages (a page shown translated)."""
    before = language_of(old)  # when it does not tell, the other text need not be read
    return before is not None and (after := language_of(new)) is not None and before != after
