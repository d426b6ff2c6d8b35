"""Legal hubs: several legal documents on one page, each in a part of its own, told apart by
the page's structure rather than by its headings.

Hubs rarely title their documents with heading elements (a tab label, a table-of-contents
entry or a short paragraph styled large does it), but they mark each document for the
reader's navigation: an in-page link or a tab targets its container (`href="#privacy"`,
`aria-controls`, `data-bs-target`), the container is labelled by its title
(`aria-labelledby`), it is a tab panel, or it is a disclosure (`<details>`) its `<summary>`
titles; in tabs made with style sheets alone, a `<label>` outside a form (the switch of a
hidden radio button or checkbox) is the title of what follows it, and so is a script's
toggle (a link to no place, `href="#"`, as archived accordions keep them) when all the
toggles of its class title legal documents; where nothing links to them, sibling containers
with ids, each opening with a document's title, are the documents (another document's only
when as long as one); a set of sibling panels closed by a script, right after as many short
labels, is titled by rank (the labels' bar goes with the hub's other parts). A part's title
is its label, the text of the links or tabs that target it (its own opening line when only
that names a legal document: a menu's "DPA"), or its own opening line when the target is the
title itself.
Where titles are marked but have no container of their own (the documents run one after
another in one element, an older page's named anchors `<a name>` before them), each title's
run of siblings up to the next title is its part (a heading ranked below the documents' titles
heads a section of its document, not a part). Where only rules (<hr>) set the documents
apart, each run between them that opens with a legal document's title is a part (another
document's only when as long as one: a policy rules off its own short sections too).

The page is a hub when at least half of its outermost parts are titled as legal documents,
one of them is the tracked document and another is not, the tracked document's part holds
more than its title (tabs whose labels sit apart from their panels, matched by style sheets
alone, are not read: the page is then kept whole rather than lose the policy), and the
page's own heading before the parts does not title the tracked document (they are then its
anchored sections: "Cookie Policy", "Terms of Use"). Then the tracked document's part is
kept, and shown even when its tab is hidden in this capture, with the closed panels inside
it that the page's links and buttons open (its sections as an accordion); so are the parts
of its family (for a privacy policy: parts whose titles speak of privacy, personal data,
cookies, data retention or a data protection law); every other part is dropped, recorded
with its title.
Text outside the parts (the hub's own title, an intro) stays, but for the line right before a
dropped part that only names it (its title, set outside its container). A part inside another
part is a section of it, never a document of the hub.

A fragment in the tracked URL (`legal#privacy`) is the user's choice of part: only the
element with that id (or named anchor) is kept (the section it labels or heads, when it is a
title), shown with its closed panels.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from tracker.normalize._clean import drop_element, is_hidden, show
from tracker.normalize._measure import Measure
from tracker.normalize._panels import opens, panel_set
from tracker.normalize._titles import document_name
from tracker.normalize.scope import OTHER_DOCUMENT_WORDS, Dropped, Target
from tracker.normalize.text import normalize_text, word_count

# What a fragment names: an element's id, or an older page's named anchor (<a name="privacy">).
# Attribute steps, whose parents are the elements: cheaper than predicates (see _measure).
_ANCHOR_NAMES = etree.XPath("descendant::*/@id | descendant::a/@name", regexp=False)
# The containers a document may be when nothing links to it (those with an id): picked by
# lxml's walk, which costs a third less than a query and far less than one with a union.
_IDENTIFIED = ("div", "section", "article")
_TEXT = etree.XPath("normalize-space(string())", smart_strings=False, regexp=False)  # regexp: see _measure
_BLOCKS = etree.XPath("count(.//*[self::p or self::li or self::tr or self::h1 or self::h2 or self::h3 or self::h4"
                      " or self::h5 or self::h6 or self::dd or self::dt or self::blockquote])")
_TRIGGER_ATTRS = ("aria-controls", "data-target", "data-bs-target")
# Never a document: the page's chrome, which names itself ("Top navigation", "Table of contents").
_CHROME_TAGS = frozenset({"nav", "aside", "header", "footer", "form", "dialog"})
_CHROME_ROLES = frozenset({"navigation", "menu", "menubar", "tablist", "dialog", "alertdialog", "banner", "contentinfo"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TITLE_WORDS = 15  # a target this short is a title, not a container
_TITLE_CHARS = 200  # and one this long never is
_LABEL_SEARCH = 40  # elements at the start of a labelled part looked at for its label

# A document's title, however it is named: a short line ending with a kind of legal
# document ("DMCA Takedown Policy", "Data Retention Notice", "API Terms"; in German, the
# last word of a compound: "Auftragsverarbeitungsvertrag"; in scripts without spaces, the
# last characters: "社区公约").
_LEGAL_TITLE = re.compile(
    r"^(?:\S+\s){0,7}(?:polic(?:y|ies)|notice|statement|terms|agreement|conditions|guidelines|addendum|charter"
    r"|disclaimer|imprint|impressum|code of conduct|\w*(?:richtlinien?|bedingungen|erklärung|hinweise|vertrag"
    r"|vereinbarung)|politique|avis"
    r"|conditions générales|política|términos|aviso|condizioni|informativa|voorwaarden|verklaring|соглашение"
    r"|политика)(?:\s*[(（][^)）]{0,40}[)）])?$"
    r"|\S{0,20}?(?:政策|协议|協議|条款|條款|声明|規約|规则|規則|公约|公約|规范|規範|须知|須知|ポリシー|약관|방침)"
    r"(?:\s*[(（][^)）]{0,20}[)）])?$", re.I)
# A privacy policy's family: what a title says when its document is about personal data (a
# notice addressed to a region's residents is that region's privacy notice).
_PRIVACY_WORDS = re.compile(
    r"privacy|personal (?:data|information)|data (?:protection|retention|subject)|\b(?:u?k )?gdpr\b|\bccpa\b|\bcpra\b"
    r"|\blgpd\b|\bpipeda\b|\bresidents?\b"
    r"|cookie|datenschutz|confidentialité|données personnelles|privacidad|privacidade|riservatezza"
    r"|隐私|隱私|个人信息|個人情報|プライバシー|개인정보", re.I)


@dataclass
class _Part:
    element: etree._Element
    title: str


def keep_fragment(body: etree._Element, fragment: str) -> str | None:
    """Make the part the tracked URL's fragment names the whole of `body` (shown, when its tab
    is closed), or say that its id is not in this capture."""
    part = _fragment_part(body, fragment)
    if part is None:
        return f"#{fragment} is not in this capture; the page was read as a whole"
    for node in (part, *part.iterancestors()):
        show(node)
    _open_panels(part)
    part.getparent().remove(part)
    part.tail = None
    for child in list(body):
        body.remove(child)
    body.text = None
    body.append(part)
    return None


def _open_panels(part: etree._Element) -> None:
    """Show the closed panels inside `part` that its own links and buttons open (its sections
    as an accordion)."""
    opened = set()
    for element in part.iter(etree.Element):
        for attr in _TRIGGER_ATTRS:
            opened.update(_ids(element.get(attr)))
        if "#" in (href := element.get("href") or ""):
            opened.add(unquote(href.partition("#")[2]))
    for element in part.iter(etree.Element):
        if element.get("id") in opened and is_hidden(element):
            show(element)


def _fragment_part(body: etree._Element, fragment: str) -> etree._Element | None:
    """The element with the id `fragment`: the container it labels or opens when it is a
    title, or its section (up to the next heading of its rank) when it has none."""
    found = next((e for e in _anchors(body) if _anchor(e) == fragment), None)
    if found is None:
        return None
    labelled = next((e for e in body.iter() if fragment in (e.get("aria-labelledby") or "").split()), None)
    if labelled is not None:
        return labelled
    if not _is_title(found):
        return found
    return (_container(found, body, Counter(found.iterancestors()), _is_title)
            or _wrap_section(_title_block(found, body, _is_title)))


def split_hub(body: etree._Element, page: Measure, target: Target) -> tuple[tuple[Dropped, ...], tuple]:
    """Drop the parts of a legal hub that are not the tracked document's family (see the
    module's docstring), keeping `page`'s sizes and chrome true to the tree. Returns what was
    dropped, and the parts kept: each is read whole (its title and date beside its body)."""
    hub = _Parts(body, page, target)
    parts = hub.find()
    if len(parts) < 2:
        return (), ()
    titled = [p for p in parts if _legal(p.title)]
    mine = [p for p in parts if target.title(p.title) == "mine"]
    if not mine or 2 * len(titled) < len(parts) or all(_family(p.title, target) for p in titled):
        return (), ()
    if all(word_count(_TEXT(p.element)) <= _TITLE_WORDS for p in mine):
        return (), ()  # the tracked document's parts are bare titles: its text lies elsewhere, unplaced
    if _titled_as_mine(body, parts, page.chrome, target):
        return (), ()  # the page is the tracked document: its parts are its anchored sections
    dropped, gone, kept = [], [], []
    for part in parts:
        if _family(part.title, target):
            _show_whole(part.element, page, hub.opened)
            kept.append(part.element)
            continue
        reason = "another legal document" if _legal(part.title) else "another part of a legal hub"
        dropped.append(Dropped(normalize_text(part.title), reason, int(_BLOCKS(part.element)), word_count(_TEXT(part.element))))
        for element in (part.element, _title_before(part)):
            if element is not None:
                drop_element(element, page.sizes)
                gone.append(element)
    for bar, labels in {**hub.tab_bars(parts), **hub.bars}.items():  # the hub's tab bars: their labels name the parts
        summary = " | ".join(labels[:3]) + (" | ..." if len(labels) > 3 else "")
        dropped.append(Dropped(summary, "navigation: the tabs of a legal hub", len(labels), word_count(" ".join(labels))))
        drop_element(bar, page.sizes)
        gone.append(bar)
    page.chrome[:] = [c for c in page.chrome if not any(c is g or _inside(c, g) for g in gone)]
    return tuple(dropped), tuple(kept)


def _titled_as_mine(body: etree._Element, parts: list[_Part], chrome: list, target: Target) -> bool:
    """Whether the page's heading before its first part (outside chrome, and no part's own
    title) titles the tracked document: a policy whose table of contents names its "Cookie
    Policy" and "Terms of Use" sections. Not above a hub of documents (`_documents_apart`)."""
    first, chrome_set = parts[0].element, set(chrome)
    for element in body.iter(etree.Element):
        if element is first:
            return False
        if element.tag in _HEADING_TAGS and not any(a in chrome_set for a in (element, *element.iterancestors())):
            title = _TEXT(element)
            return (target.title(title) == "mine" and all(_casefold(title) != _casefold(p.title) for p in parts)
                    and not _documents_apart(parts, target))
    return False


def _documents_apart(parts: list[_Part], target: Target) -> bool:
    """Whether the parts are documents of their own, not a policy's sections under its title
    ("Acme Privacy Policy" above the terms, the policy and an acceptable use policy): all
    are titled as legal documents (a policy's sections speak of data and rights), or one
    titled as another document is as long as one (a policy's "Terms of Use" section only
    points to them; a whole document appended is another, as in `scope`)."""
    return all(_legal(p.title) for p in parts) or any(
        target.title(p.title) == "other" and word_count(_TEXT(p.element)) >= OTHER_DOCUMENT_WORDS for p in parts)


def _show_whole(part: etree._Element, page: Measure, opened: set[str]) -> None:
    """Show the tracked document's `part` when its tab is closed in this capture, and the
    closed panels inside it that the page's links and buttons open (its sections as an
    accordion): the document is kept whole, whichever panel the capture had open."""
    for element in [c for c in page.chrome if c is part or _inside(c, part)]:
        if is_hidden(element) and (element is part or element.get("id") in opened):
            page.chrome.remove(element)
            show(element)
            page.walk_into(element)


# --- finding the parts ----------------------------------------------------------------------


class _Parts:
    """The outermost marked parts of a page, with their titles."""

    def __init__(self, body: etree._Element, page: Measure, target: Target) -> None:
        self.body, self.sizes, self.target, self.marks, self.chrome = body, page.sizes, target, page.marks, page.chrome
        self.opened: set[str] = set()  # the ids that links and buttons open
        self.bars: dict[etree._Element, list[str]] = {}  # the labels of tabs paired by rank, by their bar

    def find(self) -> list[_Part]:
        triggers: dict[str, list[str]] = {}
        addressed: dict[str, list[str]] = {}  # links with an address before the fragment: maybe another page's
        labelled: dict[etree._Element, list[str]] = {}
        panels = []
        by_class: dict[str | None, dict] = {}  # links to no place ("#", a script), by class
        for link in self.body.iter("a"):  # in-page links, the menus' ones too
            href = link.get("href")
            if href is None:
                continue
            fragment = href.partition("#")[2]
            fragment = unquote(fragment).strip() if fragment else ""  # most links name no fragment
            if fragment and not fragment.startswith(("!", "/")):
                (triggers if href.lstrip().startswith("#") else addressed).setdefault(fragment, []).append(self.text(link))
            elif href.strip() == "#" or href.lstrip().lower().startswith("javascript:"):
                by_class.setdefault(link.get("class"), {})[link] = self.text(link)
        toggles = _legal_toggles(by_class)
        for element in self.marks:
            for attr in _TRIGGER_ATTRS:
                for ident in _ids(element.get(attr)):
                    triggers.setdefault(ident, []).append(self.text(element))
            labels = _ids(element.get("aria-labelledby"))
            if labels:
                labelled[element] = labels
            if element.get("role") == "tabpanel":
                panels.append(element)
        for fragment, texts in addressed.items():  # titled by the page's own links and tabs first
            triggers.setdefault(fragment, []).extend(texts)
        self.opened = set(triggers)
        named = {i: self.text(e) for e in self.marks if (i := e.get("id"))}
        label_texts = {e: " ".join(filter(None, (named.get(i) or self._inner_label(e, i) for i in labels)))
                       for e, labels in labelled.items()}
        summaries = {d: self.text(s) for d in self.body.iter("details")
                     if d in self.sizes and (s := d.find("summary")) is not None}
        # a form's labels are chrome, unmeasured; the inputs are gone (_clean): a label outside
        # a form, for a control, is a switch of tabs made with style sheets
        switches = {e: self.text(e) for e in self.body.iter("label") if e.get("for") and e in self.sizes}
        ruled = _ruled_runs([e for e in self.marks if e.tag == "hr"], self.is_title, self.text)
        unlinked = self._unlinked()
        ranked = self._ranked()
        seen = [*(t for texts in triggers.values() for t in texts), *named.values(), *label_texts.values(),
                *summaries.values(), *switches.values(), *toggles.values(), *ruled.values(), *unlinked.values(),
                *ranked.values()]
        if not any(self.target.title(t) == "mine" for t in seen) or not any(
                _legal(t) and not _family(t, self.target) for t in seen):
            return []  # no part can be the tracked document beside another: no hub (most pages)
        by_id: dict[str, etree._Element] = {}
        for element in _anchors(self.body):
            by_id.setdefault(_anchor(element), element)
        titles = {e: t or " ".join(self.text(by_id[i]) for i in labelled[e] if i in by_id)
                  for e, t in label_texts.items()}
        unlinked = {e: t for e, t in unlinked.items() if _anchor(e) not in triggers}
        titles = {e: t for e, t in {**ranked, **unlinked, **summaries, **titles}.items() if t}
        targets = {by_id[i]: next((t for t in texts if t), "") for i, texts in triggers.items() if i in by_id}
        targets.update(switches)
        targets.update(toggles)
        for element in panels:
            titles.setdefault(element, "")
        titles.update(self._wrap_ruled(ruled))
        return _outermost(self.body, self._place_titles(targets, titles))

    def _wrap_ruled(self, ruled: dict[tuple, str]) -> dict[etree._Element, str]:
        """Wrap each run that rules set apart in a <div> of its own, where their titles name
        the tracked document and another; another document's run only when as long as a
        document (a policy's last section, "Terms of Use", ruled off, stays)."""
        names = {self.target.title(t) for t in ruled.values()}
        if "mine" not in names or all(_family(t, self.target) for t in ruled.values()):
            return {}
        return {_wrap(run, self.sizes): title for run, title in ruled.items()
                if _family(title, self.target) or sum(word_count(_TEXT(e)) for e in run) >= OTHER_DOCUMENT_WORDS}

    def _unlinked(self) -> dict[etree._Element, str]:
        """Sibling containers with ids that nothing links to, each opening with its title:
        the documents, where the titles name the tracked one and another as long as a document
        (a policy's short "Terms of Use" section in a <div id> stays)."""
        by_parent: dict = {}
        for element in self.body.iterdescendants(*_IDENTIFIED):
            if element in self.sizes and element.get("id") is not None:
                by_parent.setdefault(element.getparent(), []).append(element)
        found = {}
        for siblings in by_parent.values():
            if len(siblings) < 2:
                continue  # a container alone is no document beside another (most ids)
            group = {e: _opening(e) for e in siblings if not self.is_title(e)}
            if not any(self.target.title(t) == "mine" for t in group.values()):
                continue
            documents = {e: t for e, t in group.items() if _family(t, self.target) or (
                _legal(t) and word_count(_TEXT(e)) >= OTHER_DOCUMENT_WORDS)}
            if any(self.target.title(t) == "mine" for t in documents.values()) and not all(
                    _family(t, self.target) for t in documents.values()):
                found.update(documents)
        return found

    def tab_bars(self, parts: list[_Part]) -> dict[etree._Element, list[str]]:
        """The bars of the tabs that open the parts, with their labels: a tab list
        (`role=tablist`), or the element around them that holds nothing else (a list of tab
        links); never one holding a part (a page builder wraps its panels in a tab list)."""
        ids = {_anchor(p.element) for p in parts}
        tabs = [m for m in self.marks if not ids.isdisjoint(opens(m))]
        bars: dict[etree._Element, list[str]] = {}
        for tab in tabs:
            bar = next((a for a in tab.iterancestors() if a.get("role") == "tablist"), None)
            for parent in () if bar is not None else tab.iterancestors():
                inside = [t for t in tabs if _inside(t, parent)]
                if self.sizes.get(parent, (0,))[0] > sum(self.sizes.get(t, (0,))[0] for t in inside):
                    break
                bar = parent if len(inside) > 1 else None
            if bar is not None and bar not in bars and not any(_inside(p.element, bar) for p in parts):
                bars[bar] = [t for e in tabs if _inside(e, bar) and (t := _TEXT(e))]
        return bars

    def _ranked(self) -> dict[etree._Element, str]:
        """Tabs a script pairs with their panels by rank: a set of sibling panels, one closed
        in this capture (`_panels.panel_set`), right after as many short labels (a list's
        items, a bar's children), each panel titled by the label of its rank."""
        found: dict[etree._Element, str] = {}
        for closed in self.chrome:
            if closed in found or not is_hidden(closed):
                continue
            panels = panel_set(closed)
            if len(panels) < 2:
                continue
            labels = _labels_before(panels[0])
            if len(labels) == len(panels) and all(self.is_title(label) for label in labels):
                found.update(zip(panels, map(_TEXT, labels)))
                self.bars[labels[0].getparent()] = [_TEXT(label) for label in labels]
        return found

    def _place_titles(self, targets: dict, titles: dict) -> dict[etree._Element, str]:
        """Containers and their titles: a targeted container keeps the text its links or tabs
        give it, unless only its own opening line names a legal document (a menu's short
        "DPA" for a "Data Processing Addendum"); a targeted title (or an empty anchor before
        one) is the title of the container it opens, or of its run of siblings when it has
        none."""
        short = {e: t for e, t in targets.items() if self.is_title(e)}
        for element, text in targets.items():
            if element not in short and not titles.get(element):
                opening = _opening(element)
                own = _legal(opening) and not _legal(text) and not _opens_inside(element, targets)
                titles[element] = opening if own else text or opening
        if not short:
            return titles
        flat = {}
        shared = Counter(a for e in short for a in e.iterancestors())
        for element, text in short.items():
            container = _container(element, self.body, shared, self.is_title)
            if container is None:
                block = _title_block(element, self.body, self.is_title)
                flat[block] = self.text(block) or text
            elif not titles.get(container):
                titles[container] = self.text(element) or text
        titles.update(_wrap_runs(flat, self.target, self.sizes))
        return titles


    def text(self, element: etree._Element) -> str:
        return _TEXT(element) if self.sizes.get(element, (0,))[0] <= _TITLE_CHARS else ""

    def is_title(self, element: etree._Element) -> bool:
        """Short enough to be a title (an empty anchor marks the title after it)."""
        return self.sizes.get(element, (0,))[0] <= _TITLE_CHARS and word_count(_TEXT(element)) <= _TITLE_WORDS

    def _inner_label(self, element: etree._Element, ident: str) -> str:
        """The text of the label `ident` at the start of `element` (a section's own title)."""
        for i, node in enumerate(element.iter()):
            if i > _LABEL_SEARCH:
                return ""
            if node.get("id") == ident:
                return self.text(node)
        return ""

def _labels_before(first: etree._Element) -> list[etree._Element]:
    """The labels right before the panel `first`: the items of the element before it (of its
    one list, when it holds only that)."""
    bar = first.getprevious()
    while bar is not None and not isinstance(bar.tag, str):
        bar = bar.getprevious()
    if bar is None:
        return []
    while len(bar) == 1 and not (bar.text or "").strip():
        bar = bar[0]
    return [e for e in bar if isinstance(e.tag, str)]


def _legal_toggles(by_class: dict[str | None, dict]) -> dict[etree._Element, str]:
    """The script toggles that title legal documents: those of a class (an accordion's titles)
    that all do; a policy's own sections in such an accordion ("Your rights", "Cookie Policy",
    "Terms of Use") are no documents."""
    return {link: text for toggles in by_class.values() if all(map(_legal, toggles.values()))
            for link, text in toggles.items()}


def _outermost(body, found: dict[etree._Element, str]) -> list[_Part]:
    """Parts not inside another part, and never the page's chrome. A wrapper of the page's
    documents that is no document itself (a <main> that a skip link targets) is no part."""
    candidates = {e: t for e, t in found.items() if not _is_chrome(e)}
    holders = {a for e, t in candidates.items() if _legal(t) for a in e.iterancestors()}
    kept = {e: t for e, t in candidates.items() if e not in holders or _legal(t)}
    parts = [_Part(e, t) for e, t in kept.items() if not any(a in kept for a in e.iterancestors())]
    order = {e: i for i, e in enumerate(body.iter()) if e in kept}
    return sorted(parts, key=lambda p: order[p.element])


def _ruled_runs(rules: list, is_title, text) -> dict[tuple, str]:
    """The runs of siblings that rules (<hr>) set apart and that open with a line titled as a
    legal document ("Privacy Policy" in bold), with that title."""
    runs = {}
    for parent in dict.fromkeys(r.getparent() for r in rules):
        run: list[etree._Element] = []
        for child in [*parent, None]:
            if child is None or child.tag == "hr":
                if run and is_title(run[0]) and _legal(title := text(run[0])):
                    runs[tuple(run)] = title
                run = []
            elif isinstance(child.tag, str):
                run.append(child)
    return runs


def _title_before(part: _Part) -> etree._Element | None:
    """The line right before `part` when it only names the part: its title, set outside its
    container (a styled line above a linked <div>)."""
    previous = part.element.getprevious()
    if (previous is None or not isinstance(previous.tag, str) or (previous.tail or "").strip()
            or _casefold(_TEXT(previous)) != _casefold(part.title)):
        return None
    return previous


def _container(title: etree._Element, body, shared: Counter, is_title) -> etree._Element | None:
    """The element that `title` opens (its text starts there, it holds more than a title and
    no other title: `shared` counts the titles under each element), or None when the title
    stands among its document's blocks."""
    node, best = title, None
    while True:
        parent = node.getparent()
        if (parent is None or parent is body or shared[parent] > 1 or (parent.text or "").strip()
                or _text_before(node)):
            return best
        node = parent
        if not is_title(node):
            best = node


def _title_block(title: etree._Element, body, is_title) -> etree._Element:
    """The outermost element around `title` that holds nothing but it (an anchor's heading)."""
    node = title
    while (parent := node.getparent()) is not None and parent is not body and is_title(parent):
        node = parent
    return node


def _wrap_runs(titles: dict, target: Target, sizes: dict) -> dict[etree._Element, str]:
    """Wrap each flat title's run of siblings, up to the next title in the same parent, in a
    <div> of its own; only where the titles name the tracked document and another one, so
    that a policy's own sections are never rearranged. A heading not titled as a document and
    ranked below the documents' titles (an anchored <h3> under <h2> documents) heads a
    section of the document before it, not a part."""
    by_parent: dict = {}
    for block, title in titles.items():
        by_parent.setdefault(block.getparent(), {})[block] = title
    wrapped = {}
    for group in by_parent.values():
        kinds = {target.title(t) for t in group.values()}
        if "mine" not in kinds or not any(_legal(t) and not _family(t, target) for t in group.values()):
            continue
        ranks = [_rank(b) for b, t in group.items() if _legal(t)]
        if all(ranks):
            group = {b: t for b, t in group.items() if _legal(t) or _rank(b) <= min(ranks)}
        for block, title in group.items():
            wrapped[_wrap_section(block, stop=set(group), sizes=sizes)] = title
    return wrapped


def _wrap_section(title: etree._Element, stop: set | None = None, sizes: dict | None = None) -> etree._Element:
    """Wrap `title` and the siblings after it, up to the next of `stop` (else the next title
    of its rank: a heading of its level or higher, or an element of its tag and class), in a
    <div>; its size is added to `sizes`, as the measuring walk would have found it."""
    rank = _rank(title)
    run = [title]
    for sibling in title.itersiblings():
        if sibling in (stop or ()) or (stop is None and _same_rank(sibling, title, rank)):
            break
        run.append(sibling)
    return _wrap(run, sizes)


def _wrap(run: Sequence[etree._Element], sizes: dict | None) -> etree._Element:
    """Wrap the siblings `run` in a <div>, its size added to `sizes`."""
    wrapper = etree.Element("div")
    run[0].addprevious(wrapper)
    wrapper.tail, run[-1].tail = run[-1].tail, None
    wrapper.extend(run)
    if sizes is not None:
        chars = sum(sizes.get(e, (0, 0))[0] + len((e.tail or "").strip()) for e in run)
        sizes[wrapper] = (chars, sum(sizes.get(e, (0, 0))[1] for e in run))
    return wrapper


def _same_rank(element: etree._Element, title: etree._Element, rank: int) -> bool:
    if rank:
        return 0 < _rank(element) <= rank
    return element.tag == title.tag and element.get("class") == title.get("class")


def _rank(element: etree._Element) -> int:
    tag = element.tag
    return int(tag[1]) if isinstance(tag, str) and len(tag) == 2 and tag[0] == "h" and tag[1] in "123456" else 0


def _opening(element: etree._Element) -> str:
    """A container's own title: its first line, when short."""
    node = _first_line(element)
    text = "" if node is None else normalize_text(node.text or "")
    return text if word_count(text) <= _TITLE_WORDS else ""


def _first_line(element: etree._Element) -> etree._Element | None:
    """The element whose own text is `element`'s first line."""
    return next((n for n in element.iter() if isinstance(n.tag, str) and normalize_text(n.text or "")), None)


def _opens_inside(element: etree._Element, targets: dict) -> bool:
    """Whether `element`'s first line is a link or a tab to another of the `targets` inside it:
    a hub's menu or tab bar opening the page's wrapper (a <main> a skip link targets), whose
    first line is then the first document's title, not its own."""
    node = _first_line(element)
    while node is not None and node is not element:
        href = node.get("href") or ""
        ids = [*opens(node), unquote(href[1:])] if href.startswith("#") else opens(node)
        if any(_anchor(t) in ids and _inside(t, element) for t in targets):
            return True
        node = node.getparent()
    return False


# --- small predicates -----------------------------------------------------------------------


def _legal(title: str) -> bool:
    """Titled as a legal document, by name or by its kind of document."""
    return bool(title) and word_count(title) <= _TITLE_WORDS and (
        document_name(title) is not None or _LEGAL_TITLE.match(title.strip(" .:")) is not None)


def _family(title: str, target: Target) -> bool:
    """The tracked document, or (for a privacy policy) a part about personal data."""
    kind = target.title(title)
    if kind == "mine":
        return True
    return target.kind == "privacy" and kind != "other" and _PRIVACY_WORDS.search(title) is not None


def _is_title(element: etree._Element) -> bool:
    """Short enough to be a title (an empty anchor marks the title after it)."""
    return word_count(_TEXT(element)) <= _TITLE_WORDS


def _is_chrome(element: etree._Element) -> bool:
    return element.tag in _CHROME_TAGS or element.get("role") in _CHROME_ROLES


def _text_before(node: etree._Element) -> bool:
    """Whether text stands before `node` in its parent (an opening line is the first text)."""
    for sibling in node.itersiblings(preceding=True):
        if (sibling.tail or "").strip() or (isinstance(sibling.tag, str) and _TEXT(sibling)):
            return True
    return False


def _casefold(text: str) -> str:
    return " ".join(text.casefold().split())


def _inside(element: etree._Element, ancestor: etree._Element) -> bool:
    return any(a is ancestor for a in element.iterancestors())


def _anchors(body: etree._Element) -> list[etree._Element]:
    """The elements under `body` that a fragment may name, in document order."""
    return list(dict.fromkeys(name.getparent() for name in _ANCHOR_NAMES(body)))


def _anchor(element: etree._Element) -> str:
    return element.get("id") or element.get("name")


def _ids(value: str | None) -> list[str]:
    return [v.lstrip("#") for v in (value or "").split() if v.lstrip("#")]
