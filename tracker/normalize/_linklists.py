"""Lists of links inside the chosen content that are navigation, not policy text, found by
their structure alone (no class names, no words of any site).

A list is a link list when it has several items and each item is one short link (its text
all link text, or the link followed by a tagline), or all but one, which reads as a heading of
the page: breadcrumbs and menus mark the page itself by leaving it unlinked. Pages also lay such lists out without list
markup: links side by side in a paragraph ("English | Deutsch | Français"), one per line
between <br>, or each in a <div> of its own, perhaps after a short label ("Earlier versions:");
those are link rows, and are judged as lists are. A link list or row is dropped when
- it is a table of contents: its links point to places in a page (a fragment, whatever the
  address before it) and their texts agree with the page's own headings; or
- it sits at an edge of the content (no policy prose before it, or none after it; headings
  are no prose): a menu of the site's other legal documents, a product menu (right under
  the policy's title too), a language switcher, a list of earlier versions above or below
  the policy; or
- the same list appears twice in the page (a desktop and a mobile copy of one menu), but for
  a list that repeats with the same sentence before it: that is the policy's text shown twice
  (a responsive layout's two copies), whose later copy goes whole (`_repeats`); or
- an earlier capture of the page had it as navigation (`_navigation`: its items, or its
  place while its items changed), or it holds most of the items of a list dropped above.
A link list between two stretches of prose, or a list of links to other sites introduced by a
heading or a line ending in a colon, stays: policies list their processors and opt-out pages
as links, and a change there is a policy change. Each list dropped is returned as a `Dropped`
record carrying its `LinkList`, so the decision shows in the page's scope and later captures
can remember it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import chain
from urllib.parse import unquote

from lxml import etree

from tracker.normalize._clean import LABEL_CHARS, drop_element, drop_with_labels
from tracker.normalize._navigation import LinkList, kept_before, key, remembered
from tracker.normalize.scope import Dropped
from tracker.normalize.text import normalize_text, word_count
from tracker.writing import CJK_CHARS

_LISTS = ("ul", "ol")
_MIN_ITEMS = 3
_MAX_ITEM_WORDS = 12
_LINK_SHARE = 0.9  # of an item's characters inside its link, unless the link opens the item
_TOC_AGREEMENT = 0.6  # of a table of contents' entries equal to a heading of the page
_NUMBERING = re.compile(r"^(?:\(?(?:\d{1,2}(?:\.\d{1,2})*|[IVXivx]{1,4}|[A-Za-z])[.)]|\d{1,2}(?:\.\d{1,2})+)\s+")
_ABSOLUTE = re.compile(r"(?:https?:)?//", re.I)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_ROW_ITEM_STOP = frozenset({*_LISTS, "li", "table", "tbody", "tr"})
_SEPARATORS = re.compile(r"[\s|·•,/–—-]+")  # what may stand between the links of a row
_MAX_LABEL_WORDS = 4
_LEAD_WORDS = 6  # a sentence before a list, not a label
_PROSE_WORDS = 8  # a block this long is prose; a date line or a label under a title is not
_PROSE_SPACELESS = 20  # the same in Chinese or Japanese, counted in characters
_SPACELESS = re.compile(f"[{CJK_CHARS}]")
_PROSE_BLOCKS = frozenset({"p", "li", "dd", "dt", "td", "th", "div", "section", "article", "blockquote", "pre",
                           "address", "figcaption", "caption", "summary", "main", "body"})
_LINE_TAGS = frozenset({"div", "p", "span", "dd", "dt", "section"})
_AT_EDGE = "navigation: a link list at the edge of the content"
_ANCHORS = etree.XPath("//@id | //a/@name", smart_strings=False)  # what a fragment names
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6", "strong", "b")  # lxml's walk: cheaper than a query's union


def drop_link_lists(top: etree._Element, known: tuple[LinkList, ...] = ()
                    ) -> tuple[tuple[Dropped, ...], tuple[LinkList, ...]]:
    """Remove the navigation link lists and rows from `top` (see the module's docstring);
    `known`: the lists earlier captures of the page judged navigation or kept. Returns what
    was dropped and why, and the records of the link lists kept (`LinkList.kept`)."""
    outer = [e for e in top.iter(*_LISTS) if next(e.iterancestors(*_LISTS), None) is None]
    entries = {e: _items(e) for e in outer if _is_link_list(e)}
    unlinked = {e: item for e in outer if e not in entries and (item := _unlinked_item(e)) is not None}
    wrapped: set = set()
    entries.update(_link_rows(top, entries, wrapped))
    if not entries and not unlinked:
        return (), ()
    headings = {_key(_text(h)) for h in top.iterdescendants(*_HEADINGS)} - {""}
    entries.update((e, _items(e)) for e, item in unlinked.items() if _key(_text(item)) in headings)
    if not entries:
        return (), ()
    order = {e: i for i, e in enumerate(top.iter())}
    prose = _prose_span(top, set(entries), order)
    places = _places(top, set(entries))
    items = Counter(entries.values())
    leads = {e: _lead(e) or "" for e, texts in entries.items() if items[texts] > 1}
    with_lead = Counter((entries[e], lead) for e, lead in leads.items() if lead)
    reasons: dict[etree._Element, str] = {}
    anchors: dict[str, set] = {}
    for element, texts in entries.items():
        if not texts:
            continue
        at = order[element]
        edge = prose is None or not prose[0] < at < prose[1]
        if _is_toc(element, headings, anchors):
            reasons[element] = "navigation: a table of contents"
        elif items[texts] > 1 and with_lead[texts, leads[element]] < items[texts]:
            reasons[element] = "navigation: repeated within the page"
        elif edge and not _introduced(element):
            reasons[element] = _AT_EDGE
    records = {e: LinkList(tuple(key(_key(t)) for t in texts), *places[e]) for e, texts in entries.items() if texts}
    for element, why in list(reasons.items()):  # the weakest test gives way to what was decided before
        if why == _AT_EDGE and kept_before(records[element], known):
            del reasons[element]
    # The page's own menus count as memory too: a list holding most of a dropped menu's items
    # goes with it, and the same bytes give the same answer whatever the earlier captures.
    own = tuple(records[e] for e in reasons)
    for element, record in records.items():
        if element not in reasons:
            introduced = _introduced(element)
            reason = (remembered(record, introduced, own, "elsewhere in the page")
                      or remembered(record, introduced, known, "in an earlier capture"))
            if reason:
                reasons[element] = reason
    dropped, kept = [], []
    for element, texts in entries.items():
        if element in reasons:
            summary = " | ".join(texts[:3]) + (" | ..." if len(texts) > 3 else "")
            dropped.append(Dropped(summary, reasons[element], len(texts), sum(map(word_count, texts)),
                                   records[element]))
            _drop_with_heading(element)
            continue
        if texts:
            kept.append(replace(records[element], kept=True))
        if element in wrapped:
            _unwrap(element)
    return tuple(dropped), tuple(kept)


def _link_rows(top: etree._Element, lists: dict, wrapped: set) -> dict[etree._Element, tuple[str, ...]]:
    """The outermost link rows of `top` outside the link lists, with their link texts; the
    <div>s wrapped around runs of link lines are added to `wrapped`."""
    holders: Counter = Counter()
    for link in top.iter("a"):
        holder = link.getparent()
        if holder is not None and holder.tag not in _ROW_ITEM_STOP and _holds_only(holder, link):
            holder = holder.getparent()  # <div><a>…</a></div>: a wrapper of one link is its item
        if holder is not None and holder.tag not in _ROW_ITEM_STOP:
            holders[holder] += 1
    rows = {}
    for holder, n in holders.items():
        if n >= _MIN_ITEMS and not any(a in lists or a in rows for a in holder.iterancestors()):
            texts = _row_items(holder) if holder is not top else None
            if texts:
                rows[holder] = texts
            else:
                for run in _wrap_runs(holder):
                    wrapped.add(run)
                    rows[run] = _row_items(run) or ()
    return rows


def _wrap_runs(holder: etree._Element) -> list[etree._Element]:
    """Wrap each run of link lines among other content (links one per <div>, or one per <br>
    line, between the policy's paragraphs) in a <div> of its own, to be judged as a row.
    Links inside a sentence are never a run: each line must hold one link and nothing else."""
    runs: list[list[etree._Element]] = []
    run: list[etree._Element] = []
    for child in [*holder, None]:
        if child is not None and _is_link_line(child) and (not run or _blank(run[-1].tail)):
            run.append(child)
            continue
        if sum(c.tag != "br" for c in run) >= _MIN_ITEMS and _separated(run):
            runs.append(run)
        run = [child] if child is not None and _is_link_line(child) else []
    wrappers = []
    for run in runs:
        while run[-1].tag == "br":
            run.pop()
        wrapper = etree.Element("div")
        run[0].addprevious(wrapper)
        wrapper.tail, run[-1].tail = run[-1].tail, None
        wrapper.extend(run)
        wrappers.append(wrapper)
    return wrappers


def _is_link_line(element: etree._Element) -> bool:
    if not isinstance(element.tag, str):
        return False
    if element.tag in ("a", "br"):
        return True
    return element.tag in _LINE_TAGS and len(element) == 1 and element[0].tag == "a" and _holds_only(element, element[0])


def _separated(run: list[etree._Element]) -> bool:
    """Bare links are lines only when a <br> stands between each two of them."""
    tags = [c.tag for c in run]
    return all(a != "a" or b == "br" for a, b in zip(tags, tags[1:]))


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def _unwrap(wrapper: etree._Element) -> None:
    """Put a kept run's links back where they were."""
    children, tail = list(wrapper), wrapper.tail
    for child in children:
        wrapper.addprevious(child)
    children[-1].tail = tail
    wrapper.getparent().remove(wrapper)


def _holds_only(element: etree._Element, link: etree._Element) -> bool:
    return (len(element) == 1 and not (element.text or "").strip()
            and not _SEPARATORS.sub("", link.tail or ""))


def _row_items(element: etree._Element) -> tuple[str, ...] | None:
    """The link texts of a link row, or None when `element` holds anything but short links
    (each alone or in a wrapper of its own), line breaks, separators and a short label."""
    label = normalize_text(element.text or "")
    if _SEPARATORS.sub("", label) and not (label.endswith(":") and word_count(label) <= _MAX_LABEL_WORDS):
        return None
    texts = []
    for child in element:
        if not isinstance(child.tag, str) or _SEPARATORS.sub("", child.tail or ""):
            return None
        if child.tag == "br":
            continue
        link = child if child.tag == "a" else (child[0] if len(child) == 1 and _holds_only(child, child[0]) else None)
        if link is None or link.tag != "a":
            return None
        text = _text(link)
        if not text or word_count(text) > _MAX_ITEM_WORDS:
            return None
        texts.append(text)
    return tuple(texts) if len(texts) >= _MIN_ITEMS else None


def _is_link_list(element: etree._Element, least: int = _MIN_ITEMS) -> bool:
    """Every item one short link (a table of contents' entry may hold its sub-entries' list,
    and a menu's group may be a plain label over its list), `least` entries in all."""
    items = [li for li in element if li.tag == "li"]
    return (bool(items) and (len(items) >= least or len(element.findall(".//li")) >= least)
            and all(_is_link_item(item) for item in items))


def _unlinked_item(element: etree._Element) -> etree._Element | None:
    """The one plain item of a list whose other items are each one short link, or None:
    breadcrumbs, or a menu of the site's documents, mark the page itself by leaving it
    unlinked ("Home > Legal > Privacy Policy" under the title "Privacy Policy")."""
    items = [li for li in element if li.tag == "li"]
    if len(items) < _MIN_ITEMS:
        return None
    plain = None
    for item in items:  # most lists are the policy's own: their second plain item ends the search
        if not _is_link_item(item):
            if plain is not None:
                return None
            plain = item
    if plain is None or plain.find(".//a") is not None:
        return None
    return None if any(child.tag in _LISTS for child in plain) else plain


def _is_link_item(item: etree._Element) -> bool:
    nested = [child for child in item if child.tag in _LISTS]
    if not nested:
        links = list(item.iterdescendants("a"))
        if len(links) != 1:  # most items of a policy's lists hold no link: told before their text is read
            return False
    elif any(not _is_link_list(n, least=1) for n in nested):
        return False
    else:
        links = [a for a in item.iter("a") if not any(a in n.iter("a") for n in nested)]
    text = _own_text(item)
    if nested and not links and word_count(text) <= _MAX_LABEL_WORDS:
        return True  # a menu's group: "Breads" over its links (a plain label, none when a button held it)
    if len(links) != 1 or not text:
        return False
    link = _text(links[0])
    if word_count(text) > _MAX_ITEM_WORDS:  # a long title is a link item only as a whole link to a place in the page
        return "#" in links[0].get("href", "") and link == text
    # A link opening its item may carry a tagline: "Chat - talk to your data".
    return bool(link) and (len(link) >= _LINK_SHARE * len(text) or text.startswith(link))


def _items(element: etree._Element) -> tuple[str, ...]:
    """The texts of a link list's items, sub-entries after their entry."""
    texts: list[str] = []
    for li in element:
        if li.tag == "li":
            texts.append(_own_text(li))
            for nested in li:
                if nested.tag in _LISTS:
                    texts.extend(_items(nested))
    return tuple(texts)


def _own_text(item: etree._Element) -> str:
    """An item's text without its nested lists."""
    if not any(child.tag in _LISTS for child in item):
        return _text(item)
    parts = [item.text or ""]
    for child in item:
        if child.tag not in _LISTS:
            parts.extend(child.itertext())
        parts.append(child.tail or "")
    return normalize_text("".join(parts))


def _is_prose(texts: Iterable[str]) -> bool:
    """Whether the pieces of a block's text, read together, reach a sentence's length: eight
    words, or twenty characters of a script written without spaces, where each character
    counts as a word ("百度隐私政策总则", a title, is eight). Read only as far as needed: a
    block may hold the whole policy."""
    count, spaceless = 0, False
    for text in texts:
        count += word_count(text)
        if count >= _PROSE_SPACELESS:
            return True
        spaceless = spaceless or (not text.isascii() and _SPACELESS.search(text) is not None)
    return count >= (_PROSE_SPACELESS if spaceless else _PROSE_WORDS)


def _lead(element: etree._Element) -> str | None:
    """The sentence right before the element (its previous sibling's text, or its parent's
    own text before it), when it is one: six words or more; None when there is none."""
    previous = element.getprevious()
    if previous is not None and isinstance(previous.tag, str):
        text = _text(previous)
    elif previous is None and element.getparent() is not None:
        text = normalize_text(element.getparent().text or "")
    else:
        return None
    return text if word_count(text) >= _LEAD_WORDS else None


def _introduced(element: etree._Element) -> bool:
    """The policy introduces a list of other sites: a heading or a line ending in a colon
    right before it ("Our processors:"), in an element of its own or as the text its lines
    follow in one paragraph, and links mostly to other sites, so they are the policy's
    references even at the end of the page. Links within the site (relative ones) at an edge
    are the site's navigation: its other documents, the policy's earlier versions."""
    previous = element.getprevious()
    lead = element.getparent().text if previous is None and element.getparent() is not None else None
    labelled = any(normalize_text(text or "").endswith(":") for text in (element.text, lead))
    if not labelled and (previous is None or not isinstance(previous.tag, str)):
        return False
    if not (labelled or previous.tag in _HEADING_TAGS or _text(previous).endswith(":")):
        return False
    links = element.findall(".//a")
    external = sum(_ABSOLUTE.match(a.get("href", "")) is not None for a in links)
    return 2 * external >= len(links)


def _is_toc(element: etree._Element, headings: set[str], anchors: dict) -> bool:
    """Links to places in a page whose texts agree with the page's headings: its table of
    contents, however the page's own address is written before the fragment ("#sharing",
    "/privacy#sharing", "https://example.com/privacy#sharing"). A link by fragment alone to
    an anchor no longer in the content agrees too (a hub's table of contents, beside its
    tracked document alone once the others were dropped)."""
    links = element.findall(".//a")
    hrefs = [a.get("href", "") for a in links]
    if not all("#" in href for href in hrefs):
        return False
    if "ids" not in anchors:  # the page's anchors, read once for all its lists
        anchors["ids"] = set(_ANCHORS(element.getroottree().getroot()))
    agree = sum(_key(_text(a)) in headings or (h.startswith("#") and len(h) > 1 and unquote(h[1:]) not in anchors["ids"])
                for a, h in zip(links, hrefs, strict=True))
    return agree >= _TOC_AGREEMENT * len(links)


def _prose_span(top: etree._Element, lists: set, order: dict) -> tuple[int, int] | None:
    """Document-order positions (`order`) of the first and the last prose outside links,
    headings and `lists` (None: no prose): the text of blocks of a sentence's length. A title
    is no prose, nor is a line of a few words under it (a date, "Contact us"), so a menu or a
    row of languages right under the policy's title is at the content's edge. The texts are
    read from each end up to the first prose only: those between cannot move the edges."""
    long: dict[etree._Element, bool] = {}  # of each text holder: whether its block is prose

    def prose(holder: etree._Element) -> bool:
        found = long.get(holder)
        if found is None:
            block = next((a for a in chain((holder,), holder.iterancestors()) if a.tag in _PROSE_BLOCKS or a is top), top)
            found = long.get(block)
            if found is None:
                found = long[block] = _is_prose(block.itertext())
            long[holder] = found
        return found

    def has_prose(element: etree._Element) -> bool:
        """Whether the text after `element` or its own text (outside the lists, links and
        headings, which are never read) is prose."""
        return ((element is not top and bool((element.tail or "").strip()) and prose(element.getparent()))
                or (not _unread(element, lists) and bool((element.text or "").strip()) and prose(element)))

    walker = etree.iterwalk(top, events=("start",))
    first = None
    for _, element in walker:
        if has_prose(element):
            first = element
            break
        if _unread(element, lists):
            walker.skip_subtree()
    if first is None:
        return None
    last = next(e for e in reversed(order) if not any(_unread(a, lists) for a in _above(e, top)) and has_prose(e))
    return order[first], order[last]


def _unread(element: etree._Element, lists: set) -> bool:
    """Whether the prose test passes over the element's text and all that it holds."""
    return element in lists or element.tag == "a" or element.tag in _HEADING_TAGS or not isinstance(element.tag, str)


def _above(element: etree._Element, top: etree._Element) -> Iterator[etree._Element]:
    """The ancestors of `element` up to `top`, `top` included."""
    if element is top:
        return
    for ancestor in element.iterancestors():
        yield ancestor
        if ancestor is top:
            return


def _places(top: etree._Element, lists: set) -> dict[etree._Element, tuple[str, str]]:
    """Each list's place: the text right before and right after it in reading order, outside
    every link list ("" at an edge of the content), looked for outward from the list."""
    return {e: (_before(e, top, lists), _after(e, top, lists)) for e in lists}


def _before(element: etree._Element, top: etree._Element, lists: set) -> str:
    node = element
    while node is not top:
        sibling = node.getprevious()
        while sibling is not None:
            found = _chunk(sibling.tail) or (_last_text(sibling, lists) if sibling not in lists else "")
            if found:
                return found
            sibling = sibling.getprevious()
        node = node.getparent()
        found = _chunk(node.text)
        if found:
            return found
    return ""


def _after(element: etree._Element, top: etree._Element, lists: set) -> str:
    node = element
    while node is not top:
        found = _chunk(node.tail)
        if found:
            return found
        sibling = node.getnext()
        while sibling is not None:
            found = (_first_text(sibling, lists) if sibling not in lists else "") or _chunk(sibling.tail)
            if found:
                return found
            sibling = sibling.getnext()
        node = node.getparent()
    return ""


def _first_text(element: etree._Element, lists: set) -> str:
    if not isinstance(element.tag, str):
        return ""
    found = _chunk(element.text)
    for child in element:
        if found:
            return found
        found = (_first_text(child, lists) if child not in lists else "") or _chunk(child.tail)
    return found


def _last_text(element: etree._Element, lists: set) -> str:
    if not isinstance(element.tag, str):
        return ""
    for child in reversed(element):
        found = _chunk(child.tail) or (_last_text(child, lists) if child not in lists else "")
        if found:
            return found
    return _chunk(element.text)


def _chunk(text: str | None) -> str:
    """A piece of text as a list's neighbour: "" when it holds no letter or digit."""
    if not text or not any(c.isalnum() for c in text):
        return ""
    return key(normalize_text(text))


def _key(text: str) -> str:
    return _NUMBERING.sub("", text).strip(" .:").casefold()


def _text(element: etree._Element) -> str:
    return normalize_text("".join(element.itertext()))


def _drop_with_heading(element: etree._Element) -> None:
    """Drop the list with its labels (`drop_with_labels`), and the heading right before it
    when the list was all its section held (the last element of its parent): "Earlier
    versions" with nothing under it; or the short line right before it when the two are all
    their box holds: "On this page" over a table of contents."""
    previous = element.getprevious()
    if previous is not None and element.getnext() is None and not (element.tail or "").strip() and (
            previous.tag in _HEADING_TAGS or _box_label(previous)):
        drop_element(previous)
    drop_with_labels(element)


def _box_label(element: etree._Element) -> bool:
    """Whether `element`, right before a list that ends its box, is all the box holds beside
    it and reads as a label: a short line with no link and no sentence's end."""
    parent = element.getparent()
    if (element.getprevious() is not None or not isinstance(element.tag, str) or element.tag in _LISTS
            or (parent is not None and (parent.text or "").strip()) or (element.tail or "").strip()
            or element.tag == "a" or element.find(".//a") is not None):
        return False
    text = _text(element)
    return 0 < len(text) <= LABEL_CHARS and not text.endswith((".", "!", "?", ";", ","))
