"""Lists of links inside the chosen content that are navigation, not policy text, found by
their structure alone (no class names, no words of any site).

A list is a link list when it has several items and each item is one short link (its text
all link text, or the link followed by a tagline). Such a list is dropped when
- it is a table of contents: its links point into the page and their texts agree with the
  page's own headings; or
- it sits at an edge of the content (no policy prose before it, or none after it): a menu
  of the site's other legal documents, a product menu, a language switcher, a list of
  earlier versions above or below the policy; or
- the same list appears twice in the page (a desktop and a mobile copy of one menu).
A link list between two stretches of prose, or a list of links to other sites introduced by a
heading or a line ending in a colon, stays: policies list their processors and opt-out pages
as links, and a change there is a policy change.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree

from tracker.normalize.text import normalize_text, word_count

_LISTS = ("ul", "ol")
_MIN_ITEMS = 3
_MAX_ITEM_WORDS = 12
_LINK_SHARE = 0.9  # of an item's characters inside its link, unless the link opens the item
_TOC_AGREEMENT = 0.6  # of a table of contents' entries equal to a heading of the page
_NUMBERING = re.compile(r"^(?:\(?(?:\d{1,2}(?:\.\d{1,2})*|[IVXivx]{1,4}|[A-Za-z])[.)]|\d{1,2}(?:\.\d{1,2})+)\s+")
_ABSOLUTE = re.compile(r"(?:https?:)?//", re.I)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_HEADINGS = etree.XPath(".//h1 | .//h2 | .//h3 | .//h4 | .//h5 | .//h6 | .//strong | .//b")


def drop_link_lists(top: etree._Element) -> None:
    """Remove the navigation link lists from `top` (see the module's docstring)."""
    lists = [e for e in top.iter(*_LISTS) if _is_link_list(e) and not any(a.tag in _LISTS for a in e.iterancestors())]
    if not lists:
        return
    headings = {_key(_text(h)) for h in _HEADINGS(top)} - {""}
    order = {e: i for i, e in enumerate(top.iter())}
    prose = _prose_positions(top, set(lists), order)
    items = Counter(_items(e) for e in lists)
    for element in lists:
        at = order[element]
        edge = not any(p < at for p in prose) or not any(p > at for p in prose)
        repeated = items[_items(element)] > 1
        if (edge and not _introduced(element)) or repeated or _is_toc(element, headings):
            _drop_with_heading(element)


def _is_link_list(element: etree._Element) -> bool:
    items = [li for li in element if li.tag == "li"]
    if len(items) < _MIN_ITEMS:
        return False
    for item in items:
        text = _text(item)
        links = item.findall(".//a")
        if len(links) != 1 or not text or word_count(text) > _MAX_ITEM_WORDS:
            return False
        link = _text(links[0])
        if not link or (len(link) < _LINK_SHARE * len(text) and not text.startswith(link)):
            return False  # a link opening its item may carry a tagline: "Chat - talk to your data"
    return True


def _items(element: etree._Element) -> tuple[str, ...]:
    return tuple(_text(li) for li in element if li.tag == "li")


def _introduced(element: etree._Element) -> bool:
    """The policy introduces a list of other sites: a heading or a line ending in a colon
    right before it ("Our processors:") and links mostly to other sites, so they are the
    policy's references even at the end of the page. Links within the site (relative ones)
    at an edge are the site's navigation: its other documents, the policy's earlier versions."""
    previous = element.getprevious()
    if previous is None or not isinstance(previous.tag, str):
        return False
    if not (previous.tag in _HEADING_TAGS or _text(previous).endswith(":")):
        return False
    links = element.findall(".//a")
    external = sum(_ABSOLUTE.match(a.get("href", "")) is not None for a in links)
    return 2 * external >= len(links)


def _is_toc(element: etree._Element, headings: set[str]) -> bool:
    links = element.findall(".//a")
    if not all(a.get("href", "").startswith("#") for a in links):
        return False
    agree = sum(_key(_text(a)) in headings for a in links)
    return agree >= _TOC_AGREEMENT * len(links)


def _prose_positions(top: etree._Element, lists: set, order: dict) -> list[int]:
    """Document-order positions of the text outside links and outside `lists`."""
    positions = []
    walker = etree.iterwalk(top, events=("start",))
    for _, element in walker:
        if element is not top and (element.tail or "").strip():
            positions.append(order[element])
        if element in lists or element.tag == "a" or not isinstance(element.tag, str):
            walker.skip_subtree()
        elif (element.text or "").strip():
            positions.append(order[element])
    return positions


def _key(text: str) -> str:
    return _NUMBERING.sub("", text).strip(" .:").casefold()


def _text(element: etree._Element) -> str:
    return normalize_text("".join(element.itertext()))


def _drop_with_heading(element: etree._Element) -> None:
    """Drop the list, and the heading right before it when the list was all its section held
    (the last element of its parent): "Earlier versions" with nothing under it."""
    previous = element.getprevious()
    if (previous is not None and previous.tag in _HEADING_TAGS and element.getnext() is None
            and not (element.tail or "").strip()):
        _drop(previous)
    _drop(element)


def _drop(element: etree._Element) -> None:
    """Remove an element but keep the text that follows it."""
    parent, previous, tail = element.getparent(), element.getprevious(), element.tail
    if tail and tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)
