"""Facts about written text that both pure stages (normalize, diff) need (pure: no imports).

- The scripts written without spaces between words: Han (Chinese, Japanese kanji), kana,
  and their compatibility and extension blocks. Each character counts as one word (a Chinese
  word is one to three characters; one character is the unit readers and diffs can see).
  Hangul is written with spaces, so it is left to the space rule.
- What an HTML tag or entity looks like when a page shows it as text ("<p>", "&nbsp;").
"""

import re

CJK_CHARS = "\u3005\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
# Punctuation of those scripts (ideographic full stop, comma, brackets, full-width forms).
CJK_PUNCTUATION = "\u3000-\u3004\u3006-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
# An HTML tag or entity written out as text: "<p>", "</strong>", '<a href="...">', "&nbsp;".
TAG_TEXT = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")
