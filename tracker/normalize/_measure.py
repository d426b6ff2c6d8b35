"""One walk of the page's tree: the text sizes of its elements, its chrome and its <main>.

Chrome removal and the choice of the policy's element read how much text the elements hold
and how much of it is link text. Those sizes are counted bottom-up in the same walk that
judges the elements as chrome or not (top-down), decodes Cloudflare-hidden e-mail addresses
(before their text is counted) and notes the <main> landmarks: walking a tree in Python costs
about as much as what is done at each element, so the page is walked once for all of it. The
text inside chrome, which the walk passes over, is summed by libxml2's XPath instead.
"""

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

_EMAIL = "data-cfemail"
_MARKING = frozenset({"aria-controls", "aria-labelledby", "data-bs-target", "data-target", "aria-expanded",
                      "data-toggle", "data-bs-toggle"})
# The queries run thousands of times a page: `regexp=False` spares lxml registering its EXSLT
# regular-expression functions at each call (a quarter of a short query's cost), and an
# attribute step (`/@`) costs libxml2 less at each element than a predicate (`[@...]`).
_HIDDEN_EMAILS = etree.XPath("descendant::*/@data-cfemail", regexp=False)
_TEXTS = etree.XPath(".//text()", smart_strings=False, regexp=False)
_LINK_TEXTS = etree.XPath(".//a//text()", smart_strings=False, regexp=False)  # a text in nested links once
_CLASS_ONLY = ["class"]


@dataclass(frozen=True, slots=True)
class Judge:
    """How `measure` tells chrome: `verdict(element, attribute_names)` says True, False, or
    None when `by_size(size)` decides at the element's end. Only elements of `tags`, or with
    one of the attributes `reads`, are asked: any other is not chrome, nor is one whose only
    attribute is a class that `quiet(class)` says tells nothing. Most elements are such, and
    a Python call for each of them would cost a fifth of the walk."""

    verdict: Callable[[etree._Element, list[str]], bool | None]
    by_size: Callable[[tuple[int, int]], bool]
    tags: frozenset[str]
    reads: frozenset[str]
    quiet: Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Measure:
    # (characters of text, characters of link text) of every element, each piece of text
    # stripped on its own; a link's text is all link text, whatever it holds.
    sizes: dict[etree._Element, tuple[int, int]]
    chrome: list[etree._Element]  # the outermost chrome elements, in document order
    landmarks: list[etree._Element]  # <main> and role=main elements, in document order
    # What marks the parts of a legal hub (tracker.normalize._documents) and an accordion's
    # panels (tracker.normalize._panels): the elements that open, label, toggle or are tab
    # panels, and the rules (<hr>) between, in document order, outside chrome.
    marks: list[etree._Element]
    # Chrome walked over (only its own size is known, see `measure`), with where in
    # `landmarks` the ones inside it belong.
    passed: dict[etree._Element, int]

    def walk_into(self, chrome: etree._Element) -> None:
        """Measure the inside of `chrome` as well (it is kept after all: too large to drop)."""
        for element, at in reversed(self.passed.items()):
            if element is chrome or any(a is chrome for a in element.iterancestors()):
                inside = measure(element, NOTHING)
                self.sizes.update(inside.sizes)
                self.landmarks[at:at] = inside.landmarks


def measure(body: etree._Element, judge: Judge) -> Measure:
    """Measure `body`'s elements, telling chrome by `judge`; an element left to its size is
    decided at its end (the elements inside it are judged meanwhile, and forgotten if it is
    chrome). Nothing inside chrome is judged, nor measured: most chrome is dropped, and only
    its size counts. Its text is summed at once (`Measure.walk_into` measures the rare
    chrome kept)."""
    verdict, by_size, judged_tags, reads, quiet = judge.verdict, judge.by_size, judge.tags, judge.reads, judge.quiet
    sizes: dict[etree._Element, tuple[int, int]] = {}
    shared: dict[tuple[int, int], tuple[int, int]] = {}  # one tuple per distinct size: pages repeat them
    chrome: list[etree._Element] = []
    landmarks: list[etree._Element] = []
    marks: list[etree._Element] = []
    passed: dict[etree._Element, int] = {}
    walker = etree.iterwalk(body, events=("start", "end"))
    waiting: list[tuple[etree._Element, int]] = []  # undecided elements, with len(chrome) at their start
    inside = None  # the chrome element being walked through
    chars = 0  # characters of text so far, in document order
    linked = [0]  # linked[d]: characters so far of text inside more than d links
    depth = 0  # links open around the current text
    starts: list[tuple] = []  # of each open element: chars and linked[depth] at its start, its tag
    for event, element in walker:
        if event == "start":
            tag = element.tag
            starts.append((chars, linked[depth], tag))
            if tag.__class__ is not str:
                continue  # a comment's text is not text
            keys = element.keys()
            if element is not body:
                if _EMAIL in keys:
                    reveal_email(element)
                if "role" in keys:
                    role = element.get("role")
                    if role == "main":
                        landmarks.append(element)
                    elif role == "tabpanel":
                        marks.append(element)
                elif tag == "main":
                    landmarks.append(element)
                if not _MARKING.isdisjoint(keys) or tag == "hr":
                    marks.append(element)
            if tag == "a":
                depth += 1
                if depth == len(linked):
                    linked.append(0)
            text = element.text
            if text:
                length = len(text.strip())
                chars += length
                if depth:
                    for d in range(depth):
                        linked[d] += length
            if inside is None and element is not body and (tag in judged_tags or not reads.isdisjoint(keys)) and not (
                    keys == _CLASS_ONLY and tag not in judged_tags and quiet(element.get("class"))):
                judged = verdict(element, keys)
                if judged:
                    chrome.append(element)
                    inside = element
                    passed[element] = len(landmarks)
                    walker.skip_subtree()
                    length, links = inner_text(element)
                    chars += length
                    if depth:
                        for d in range(depth):
                            linked[d] += length
                    linked[depth] += links
                elif judged is None:
                    waiting.append((element, len(chrome)))
            continue
        start_chars, start_linked, tag = starts.pop()
        if tag.__class__ is str:
            if tag == "a":
                depth -= 1
                size = (chars - start_chars,) * 2
            else:
                size = (chars - start_chars, linked[depth] - start_linked)
            sizes[element] = size = shared.setdefault(size, size)
            if element is inside:
                inside = None
            elif waiting and waiting[-1][0] is element:
                mark = waiting.pop()[1]
                if by_size(size):
                    del chrome[mark:]
                    chrome.append(element)
        text = element.tail
        if text and element is not body:
            length = len(text.strip())
            chars += length
            if depth:
                for d in range(depth):
                    linked[d] += length
    return Measure(sizes, chrome, landmarks, marks, passed)


def inner_text(element: etree._Element) -> tuple[int, int]:
    """Characters of the text inside `element` (not its own .text), and of the link text
    there, as the walk would count them; its Cloudflare addresses decoded first."""
    reveal_emails(element)
    text = element.text
    chars = sum(map(len, map(str.strip, _TEXTS(element)))) - (len(text.strip()) if text else 0)
    return chars, sum(map(len, map(str.strip, _LINK_TEXTS(element))))


def _never(*_args) -> bool:
    return False


NOTHING = Judge(_never, _never, frozenset(), frozenset(), _never)  # no element is chrome


def reveal_emails(root: etree._Element) -> None:
    """Decode the Cloudflare-hidden addresses under `root` (see `reveal_email`)."""
    for encoded in _HIDDEN_EMAILS(root):
        reveal_email(encoded.getparent())


def reveal_email(element: etree._Element) -> None:
    """Decode Cloudflare's e-mail obfuscation, which shows "[email protected]" instead of the
    address: the address is policy text (a changed contact address is a change)."""
    email = _cloudflare_email(element.get(_EMAIL))
    if email:
        for child in list(element):
            element.remove(child)
        element.text = email


def _cloudflare_email(encoded: str) -> str | None:
    """The first byte is the XOR key of the others."""
    try:
        data = bytes.fromhex(encoded)
    except ValueError:
        return None
    if len(data) < 2:
        return None
    return bytes(b ^ data[0] for b in data[1:]).decode("utf-8", "replace")
