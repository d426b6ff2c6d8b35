"""Archived privacy-policy HTML -> the policy's ordered clauses ("blocks").

The block sequence defines a version of a policy: two captures with equal block sequences are
the same version. So the output must not move when only markup moves (scripts, tokens, class
names, whitespace), and must keep every word of the policy text, whatever the page's age.

Steps: decode the bytes as a browser would, parse with lxml, drop the site's chrome and keep
the element that holds the bulk of the page's prose (`tracker.normalize._clean`), and walk it into
blocks (`tracker.normalize._blocks`). Junk captures (error pages, bot walls, near-empty pages) keep
their blocks but carry an `invalid_reason`.
"""

import codecs
import ctypes
import gc
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from bs4.dammit import EncodingDetector, UnicodeDammit
from lxml import etree

from tracker.normalize._blocks import Block, extract_blocks
from tracker.normalize._clean import (
    chrome_judge,
    measure_page,
    noscript_words,
    page_body,
    policy_root,
    quiet_class,
    token_verdict,
)
from tracker.normalize._documents import keep_fragment, split_hub
from tracker.normalize._junk import drop_edge_widgets, drop_spam, markup_share
from tracker.normalize._linklists import drop_link_lists
from tracker.normalize._markdown import is_markdown, markdown_to_html
from tracker.normalize._navigation import LinkList
from tracker.normalize._panels import open_panels
from tracker.normalize._repeats import drop_repeats
from tracker.normalize._titles import document_name
from tracker.normalize.exceptions import NormalizeError
from tracker.normalize.rules import PageRule, apply_rules
from tracker.normalize.scope import PRIVACY_POLICY, Dropped, Target, policy_scope
from tracker.normalize.text import forget_texts, normalize_text, word_count

NORMALIZER_VERSION = "14"  # bump when the output can change; stored with each version
MAX_BYTES = 20_000_000  # the largest body normalised (a 40 MB page, a decompressed gzip bomb)
_SCRIPTED_SHARE = 0.5  # a page reading fewer words than this share of its <noscript> text shows it only there


@dataclass(frozen=True)
class Page:
    """One capture as the tracker sees it. Equal `blocks` mean the same policy version."""

    blocks: tuple[Block, ...]
    title: str | None
    encoding: str
    invalid_reason: str | None = None  # set when the capture is not a policy page
    dropped: tuple[Dropped, ...] = ()  # parts of the page that are not the policy (scope, spam)
    scope_note: str | None = None  # set when the scope step kept text it was unsure of
    kept_lists: tuple[LinkList, ...] = ()  # link lists judged the policy's own (`LinkList.kept`)

    @property
    def navigation(self) -> tuple[LinkList, ...]:
        """The link lists judged navigation, and those kept as the policy's, for
        `normalize(navigation=...)` of later captures (`_navigation`: memory both ways)."""
        return tuple(d.navigation for d in self.dropped if d.navigation is not None) + self.kept_lists

    def to_markdown(self) -> str:
        parts: list[str] = []
        for prev, block in zip((None, *self.blocks), self.blocks):
            if prev is not None:
                tight = prev.kind == block.kind and block.kind in ("list_item", "table_row")
                parts.append("\n" if tight else "\n\n")
            parts.append(_markdown_line(block))
        return "".join(parts) + ("\n" if parts else "")

    def to_text(self) -> str:
        return "".join(block.text + "\n" for block in self.blocks)

    def to_dict(self) -> dict:
        return {
            "normalizer_version": NORMALIZER_VERSION,
            "title": self.title,
            "encoding": self.encoding,
            "invalid_reason": self.invalid_reason,
            "scope": self.scope(),
            "blocks": [{**asdict(b), "section": list(b.section)} for b in self.blocks],
        }

    def scope(self) -> dict | None:
        """What the scope step dropped and why (and the link lists it kept, which later
        captures are judged with), or None when it kept the whole page."""
        if not self.dropped and not self.scope_note and not self.kept_lists:
            return None
        scope = {"dropped": [_dropped_dict(d) for d in self.dropped], "note": self.scope_note}
        if self.kept_lists:
            scope["kept_link_lists"] = [asdict(k) for k in self.kept_lists]
        return scope


def _dropped_dict(dropped: Dropped) -> dict:
    found = {k: v for k, v in asdict(dropped).items() if v is not None}
    if "navigation" in found:
        del found["navigation"]["kept"]  # a dropped list is never a kept one
    return found


def clear_caches() -> None:
    """Forget the results kept for texts, class names and policy elements seen in earlier
    pages, so that a page is timed as if it were the first (the benches call this before each
    pass)."""
    forget_texts()
    with _READ_BEFORE_LOCK:
        _READ_BEFORE.clear()
    token_verdict.cache_clear()
    quiet_class.cache_clear()
    document_name.cache_clear()


def sequence_hash(blocks: tuple[Block, ...] | list[Block]) -> str:
    """Identity of a version: the sequence of clause texts (markup and block kinds excluded,
    so that a paragraph restyled as a heading is not a policy change)."""
    digest = hashlib.sha256()
    for block in blocks:
        digest.update(block.text.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _markdown_line(block: Block) -> str:
    if block.kind == "heading":
        return "#" * block.level + " " + block.text
    if block.kind == "list_item":
        return "  " * (block.level - 1) + "- " + block.text
    if block.kind == "table_row":
        return "| " + block.text + " |"
    return block.text


def normalize(body: bytes, content_type: str | None = None, *, max_bytes: int = MAX_BYTES,
              rules: tuple[PageRule, ...] = (), navigation: tuple[LinkList, ...] = (),
              target: Target = PRIVACY_POLICY) -> Page:
    """Decode, clean and split one capture into the policy's blocks. `rules` are the
    document's page rules that apply at the capture's date (tracker.normalize.rules); a
    `select` rule wins over the automatic choices (main content, link lists, scope, spam). A
    Markdown `content_type` (text/markdown) is rendered to HTML first (`_markdown`).
    `navigation`: the link lists earlier captures of the page judged navigation (their
    `Page.navigation`), so a menu is told by its repetition across captures (`_navigation`).
    `target`: which document of the page is tracked (its name, and the id its URL's fragment
    names): only its part of a legal hub is kept (`_documents`, `scope`)."""
    if len(body) > max_bytes:
        raise NormalizeError(f"body of {len(body)} bytes exceeds the {max_bytes}-byte limit")
    text, encoding, utf8 = _decode(body, content_type)
    _reject_binary(text)
    if is_markdown(content_type):
        text, utf8 = markdown_to_html(text), None
    selected = False
    if rules:
        text, selected = apply_rules(text, rules)
        utf8 = None
    with _collector_paused():
        found, scripted = _read(text, utf8, len(body), encoding, selected, navigation, target)
        if scripted and sum(word_count(b.text) for b in found.blocks) < _SCRIPTED_SHARE * scripted:
            found, _ = _read(text, utf8, len(body), encoding, selected, navigation, target, noscript=True)
    return found


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while a page is read. Reading allocates a few tuples
    per element (sizes, the walks' stacks), none in a cycle; each 700 allocations the collector
    would scan them, and now and then every object the process holds: in a backfill's process
    (its database session, its store) that cost the normalizer 4-8 % (`bench/pipeline.py`). It
    runs as before once the page is read; a collector already held off is left so."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _read(text: str, utf8: bytes | None, size: int, encoding: str, selected: bool,
          navigation: tuple[LinkList, ...], target: Target, noscript: bool = False) -> tuple[Page, int]:
    """The page `normalize` reads from the text, and the words it shows only inside
    <noscript>. A scripted page whose script did not run in the archive may show its
    policy only there: `noscript` reads them. Beside a policy found outside they are a copy,
    or a line asking for scripts, and are never read."""
    root = _parse(text, utf8)
    title = _title(root)
    scripted = 0 if noscript else noscript_words(root)
    page = page_body(root, noscript)
    note = keep_fragment(page, target.fragment) if target.fragment and not selected else None
    measured = measure_page(page, choose_main=not selected)
    whole = selected or (target.fragment and note is None)  # a rule or the URL chose the part
    parts, documents = ((), ()) if whole else split_hub(page, measured, target)
    open_panels(page, measured, chrome_judge(choose_main=not selected))
    top = policy_root(page, measured, choose_main=not selected, whole=documents)
    # `measured` holds the lxml proxy of each element it sized: kept while the link lists and
    # the blocks are read, their walks find the proxies rather than make them again (1.5 % of
    # the instructions); a large page's go now, its peak of memory as it was.
    if size >= _LARGE_PAGE:
        del measured
    menus, kept = ((), ()) if selected else drop_link_lists(top, navigation)
    key = _markup_key(top, target) if size < _LARGE_PAGE and not selected else None
    read = _recall(key)
    if read is None:
        blocks = extract_blocks(top)
        if size >= _LARGE_PAGE:
            del root, page, top  # the tree, given back at once (see _trim_heap)
            _trim_heap()
        if selected:  # the rule's author chose the policy's element: nothing more is dropped
            return Page(blocks, title, encoding, _invalid_reason(title, blocks)), scripted
        read = _clauses(blocks, target)
        _remember(key, read)
    blocks, dropped, scope_note = read
    notes = "; ".join(n for n in (note, scope_note) if n) or None
    return Page(blocks, title, encoding, _invalid_reason(title, blocks),
                parts + dropped + menus, notes, kept), scripted


def _clauses(blocks: tuple[Block, ...], target: Target) -> tuple[tuple[Block, ...], tuple[Dropped, ...], str | None]:
    """The policy's own blocks of those its element holds, what was dropped of the others
    (repeats, other documents, spam, widgets at the edges) and the scope step's note."""
    blocks, repeats = drop_repeats(blocks)
    scope = policy_scope(blocks, target)
    blocks, spam = drop_spam(scope.blocks)
    blocks, widgets = drop_edge_widgets(blocks)
    return blocks, repeats + scope.dropped + spam + widgets, scope.note


# A document's captures repeat each other: two in five of the corpus's distinct captures hold
# the same policy element as an earlier one (the same markup, in other chrome). What the
# element gives is pure of its markup and the target, so it is remembered by them for the few
# last elements read (`clear_caches` forgets them); a large page's is never kept. The markup
# itself is the key, in UTF-8 (smaller than ASCII with character references, and cheaper
# to write): 16 of them hold about 1 MB on the corpus (the largest 300 KB; a page under
# `_LARGE_PAGE` writes about its own size), and Python's hash of the bytes costs a tenth of a
# SHA-256 of them by valgrind's count, with no digest to trust.
_REMEMBERED = 16
_READ_BEFORE: OrderedDict[tuple[bytes, Target], tuple] = OrderedDict()
_READ_BEFORE_LOCK = threading.Lock()  # the scheduler's threads may read pages at once


def _markup_key(top: etree._Element, target: Target) -> tuple[bytes, Target]:
    return etree.tostring(top, method="xml", encoding="utf-8", xml_declaration=False, with_tail=False), target


def _recall(key: tuple[bytes, Target] | None) -> tuple | None:
    if key is None:
        return None
    with _READ_BEFORE_LOCK:
        if key not in _READ_BEFORE:
            return None
        _READ_BEFORE.move_to_end(key)
        return _READ_BEFORE[key]


def _remember(key: tuple[bytes, Target] | None, read: tuple) -> None:
    if key is None:
        return
    with _READ_BEFORE_LOCK:
        _READ_BEFORE[key] = read
        if len(_READ_BEFORE) > _REMEMBERED:
            _READ_BEFORE.popitem(last=False)


# --- decoding -------------------------------------------------------------------------------

# Labels browsers decode with another codec than Python's of the same name (WHATWG Encoding).
_BROWSER_CODECS = {"ascii": "cp1252", "iso8859-1": "cp1252", "iso8859-9": "cp1254", "tis-620": "cp874",
                   "gb2312": "gbk"}
_LATIN_CODECS = frozenset({
    "cp1250", "cp1252", "cp1254", "cp1257", "iso8859-1", "iso8859-2", "iso8859-3", "iso8859-4",
    "iso8859-9", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16", "mac-roman",
    "mac-latin2", "ascii",
})
_HIGH_BYTES = bytes(range(128, 256))
_NON_ASCII_CHAR = re.compile("[^\x00-\x7f\ufffd]")
_SCRIPT_SHARE = 0.05
_SINGLE_BYTE = ("cp125", "cp874", "iso8859", "ascii", "mac-", "koi8")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def _decode(body: bytes, content_type: str | None) -> tuple[str, str, bytes | None]:
    """Text, charset name, and the bytes when they are the text's UTF-8 (the parser then
    takes them as they are). Precedence: HTTP header > byte-order mark > <meta> > detection,
    except that a UTF-16/32 byte-order mark, which no ASCII-compatible text starts with, wins."""
    data, bom = EncodingDetector.strip_byte_order_mark(body)
    header = _CHARSET.search(content_type or "")
    declared = _codec(header.group(1)) if header else None
    if bom and (declared is None or bom.startswith("utf-16") or bom.startswith("utf-32")):
        return data.decode(bom, "replace"), _name(codecs.lookup(bom).name), None
    if declared is None:
        declared = _codec(EncodingDetector.find_declared_encoding(data, is_html=True))
        if declared and declared.startswith("utf-16"):
            declared = "utf-8"  # a UTF-16 <meta> in ASCII-compatible bytes means UTF-8 (HTML spec)
    if declared:
        return _decode_declared(data, declared)
    text = _utf8(data)
    if text is not None:
        return text, "utf-8", data
    return _detect(data)


def _decode_declared(data: bytes, codec: str) -> tuple[str, str, bytes | None]:
    """Decode as declared, but see through the two mislabels common in archives: UTF-8 bytes
    under a legacy label, and legacy bytes (not one valid UTF-8 character) under a UTF-8 label."""
    if codec.startswith(_SINGLE_BYTE):
        text = _utf8(data)
        if text is not None:
            return text, "utf-8", data
    text = data.decode(codec, "replace")
    if codec != "utf-8":
        return text, _name(codec), None
    if "\ufffd" not in text:  # no byte was replaced
        return text, "utf-8", data
    if not _NON_ASCII_CHAR.search(text):
        return _detect(data)
    return text, "utf-8", None


def _detect(data: bytes) -> tuple[str, str, None]:
    """Undeclared, not UTF-8: windows-1252 as browsers in Western locales do, unless non-ASCII
    bytes are frequent enough to be a script of their own (Cyrillic, CJK) for detection to
    name. Detectors cannot tell Latin code pages apart on a few accents (cp1250 for "naïve")."""
    codec = "cp1252"
    if len(data) - len(data.translate(None, _HIGH_BYTES)) > _SCRIPT_SHARE * len(data):
        detected = _codec(UnicodeDammit(data, is_html=True, exclude_encodings=["utf-8"]).original_encoding)
        if detected and detected not in _LATIN_CODECS:
            codec = detected
    return data.decode(codec, "replace"), _name(codec), None


def _codec(label: str | None) -> str | None:
    """Python's codec for a charset label, as a browser maps it; None when unknown or not a
    character set at all (Python also has "base64", "zlib", "idna" codecs)."""
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
        b"a\x80".decode(name, "replace")
    except (LookupError, UnicodeError):
        return None
    return _BROWSER_CODECS.get(name, name)


def _name(codec: str) -> str:
    """The web's name for a codec: cp1252 -> windows-1252."""
    return "windows-" + codec[2:] if codec.startswith("cp125") else codec


def _utf8(data: bytes) -> str | None:
    """The text of valid UTF-8 with at least one multi-byte character (pure ASCII proves
    nothing), else None."""
    if data.isascii():
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# C0 controls but white space; in UTF-8 these bytes are only ever these characters.
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0e, 0x20)])


def _reject_binary(text: str) -> None:
    """Binary payloads (images, PDFs, compressed bodies) decode to control-character soup."""
    sample = text[:65536].encode("utf-8", "surrogatepass")  # bytes count faster than a pattern
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > 0.02 * min(len(text), 65536):
        raise NormalizeError("body is binary, not HTML text")


# --- parsing --------------------------------------------------------------------------------

# lxml's libxml2 HTML parser; the plain etree flavour, whose elements are cheaper than
# lxml.html's. The text arrives already decoded, so the parser must not look for a charset.
# Nothing looks elements up by id, so no table of ids is kept.
_PARSER = etree.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True, collect_ids=False
)
# The toolbar the Wayback Machine inserts into non-id_ replays, bounded by these comments.
_WAYBACK_TOOLBAR = re.compile(
    r"<!--\s*BEGIN WAYBACK TOOLBAR INSERT\s*-->.*?<!--\s*END WAYBACK TOOLBAR INSERT\s*-->", re.S | re.I
)


def _parse(text: str, utf8: bytes | None = None) -> etree._Element:
    """The tree of `text`, whose UTF-8 `utf8` may already be."""
    data = text.encode("utf-8") if utf8 is None else utf8
    if b"\x00" in data or _has_toolbar(text):
        data = _WAYBACK_TOOLBAR.sub("", text).replace("\x00", "").encode("utf-8")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        root = None
    return etree.Element("html") if root is None else root  # None: only whitespace or comments


def _has_toolbar(text: str) -> bool:
    """Whether the Wayback toolbar is in `text`: the pattern is tried only where a comment
    opens, found by `str.find`, which skips through the text several characters at a time
    (the pattern's own search reads each of them: 1.6 % of the normalizer's instructions)."""
    at = text.find("<!--")
    while at >= 0:
        if _WAYBACK_TOOLBAR.match(text, at):
            return True
        at = text.find("<!--", at + 1)
    return False


# libxml2 builds the tree with C's malloc. Freed, a large page's tree stays in the C heap as
# long as anything allocated after it lives on, and Python's own allocator (which maps memory
# of its own) cannot reuse it: a backfill of large pages then holds a dead tree or two more
# than it needs. glibc gives such memory back on request; elsewhere this is a no-op.
_LARGE_PAGE = 1_000_000


def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None


_MALLOC_TRIM = _malloc_trim()


def _trim_heap() -> None:
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _title(root: etree._Element) -> str | None:
    element = root.find(".//title")
    title = normalize_text("".join(element.itertext())) if element is not None else ""
    return title or None


# --- junk captures --------------------------------------------------------------------------

_NEAR_EMPTY_WORDS = 50
# A page showing its HTML source as text (escaped tags) instead of rendering it: the words
# are the policy's, but the capture shows markup; its rendered twin is the version.
_MARKUP_TAGS = 20
_MARKUP_SHARE = 0.1
# Markers are only trusted on short pages, and only in the title or short blocks: a real
# policy may mention "captcha" or "access denied" in passing, an error page says little else.
_JUNK_PAGE_WORDS = 400
_SHORT_BLOCK_WORDS = 25
_STATUS = r"\b(?:40[0-9]|41[0-9]|50[0-9])\b"
_JUNK_MARKERS = (
    ("bot challenge", re.compile(
        r"just a moment\.\.\.|attention required|enable javascript and cookies to continue"
        r"|checking (?:if the site connection is secure|your browser)|human verification"
        r"|(?:verify|confirm) (?:that )?you are (?:a )?human|are you a robot|\bcaptcha\b|ddos protection by"
        r"|access to this page has been denied|please complete the security check|request unsuccessful"
        r"|pardon our interruption|enable js and disable any ad blocker"
        r"|人机验证|安全验证|滑动验证|ロボットではありません|sicherheitsüberprüfung"
        r"|veuillez activer (?:le )?javascript|bitte aktivieren sie javascript", re.I)),
    ("error page", re.compile(
        rf"^\W*{_STATUS}|(?:error|http)\W*{_STATUS}|{_STATUS}\W*(?:error|not found|forbidden|gone)"
        r"|page not found|access denied|internal server error|service unavailable|bad gateway"
        r"|page (?:does not|doesn't) exist|page you (?:requested|are looking for)"
        r"|页面不存在|找不到(?:该|此)?页面|访问被拒绝|ページが見つかりません|お探しのページ|페이지를 찾을 수 없"
        r"|seite nicht gefunden|page introuvable|p[áa]gina no encontrada|страница не найдена"
        r"|acc[eè]s (?:refus[ée]|interdit)|zugriff verweigert|acceso denegado", re.I | re.M)),
    ("wayback notice", re.compile(
        r"wayback machine|response at crawl time|has been excluded from the|hrm\.", re.I)),
    ("login wall", re.compile(r"(?:sign|log) in to continue|please (?:sign|log) in\b", re.I)),
    ("parked domain", re.compile(r"domain (?:is|may be) for sale|buy this domain|parked (?:free|domain)", re.I)),
)


def _invalid_reason(title: str | None, blocks: tuple[Block, ...]) -> str | None:
    """Why this capture is not a policy page, or None when it looks like one."""
    words = 0
    for block in blocks:  # counted up to what the tests below compare with
        words += word_count(block.text)
        if words >= _JUNK_PAGE_WORDS:
            break
    if words < _JUNK_PAGE_WORDS:
        short = [b.text for b in blocks if word_count(b.text) <= _SHORT_BLOCK_WORDS]
        probe = "\n".join([title or "", *short])
        for reason, marker in _JUNK_MARKERS:
            found = marker.search(probe)
            if found:
                return f"{reason}: {found.group(0)!r}"
    if words < _NEAR_EMPTY_WORDS:
        return f"near-empty text ({words} words)"
    tags, share = markup_share([b.text for b in blocks])
    if tags >= _MARKUP_TAGS and share >= _MARKUP_SHARE:
        return f"markup shown as text ({tags} tags, {share:.0%} of the words)"
    return None
