"""Accordions and tabs: a policy whose sections are panels that a toggle or a tab opens.

A page may show its policy as an accordion or as tabs: each section's title a toggle (a
button, in a heading or bare, a link, an element with `role=button`) or a tab, each section's
text a panel closed in the capture (`hidden`, `aria-hidden`, `display: none`). The closed
panels are the policy's text, not hidden chrome, and the toggles' labels are its section
titles, not buttons: losing them would leave a near-empty page, or a policy without its titles.

A closed panel is one the page opens: its id is what an element controls (`aria-controls`,
`data-target`, `data-bs-target`, or the `href` of a tab or of a link that has
`aria-expanded` or a `data-toggle`), it is a tab panel (`role=tabpanel`), or it comes right
after a button (a script's accordion that pairs them by order), or it is one of a set of
sibling panels of which another is shown; never when in another language than the page (a
translation's tab). It is judged as chrome again as if it were open (a hidden menu a button
opens stays chrome). This runs after the legal hub step (`tracker.normalize._documents`):
the other documents' closed tabs are gone by then. A button stays when it titles a panel
kept: a toggle (`aria-expanded`, those attributes, a `data-toggle`, a class naming an
accordion or a toggle) or a button right before a panel shown; a tab's label does not (the
tabs stand together, apart from their panels); a bare toggle only as one of an accordion's
differing titles (a repeated "Read more" is none).
"""

from __future__ import annotations

from collections import Counter
from itertools import islice
from urllib.parse import unquote

from lxml import etree

from tracker.normalize._clean import is_hidden, name_tokens, show
from tracker.normalize._measure import NOTHING, Judge, Measure, measure

_CONTROLS = ("aria-controls", "data-target", "data-bs-target")
_TOGGLES = ("aria-expanded", "data-toggle", "data-bs-toggle")  # a link with one of these opens its target
_TOGGLE_WORDS = frozenset({"accordion", "accordeon", "collapse", "collapsible", "toggle", "toggler", "expand",
                           "expander", "disclosure"})
# The classes that say a panel is open, not what it is.
_STATES = frozenset({"active", "show", "shown", "open", "opened", "in", "current", "selected", "visible", "expanded",
                     "is-active", "is-open", "is-visible", "is-selected", "is-current", "is-expanded"})
_TITLE_CHARS = 200  # a toggle's label is a title, never a paragraph
_SET = 20  # the siblings looked at on each side for a set of panels
# Attribute steps, whose parents are the elements: cheaper than predicates (see _measure).
_IDS = etree.XPath("descendant::*/@id", regexp=False)
# Tabs, and lists of them: ARIA's roles, or Bootstrap's toggles ("tab", "pill", "list").
_TAB_KINDS = ("tab", "pill", "list")
_TAB_ROLES = etree.XPath("descendant::*/@role[. = 'tab' or . = 'tablist'] | descendant::*/@data-toggle"
                         " | descendant::*/@data-bs-toggle", regexp=False)
_TEXT = etree.XPath("normalize-space(string())", smart_strings=False, regexp=False)  # regexp: see _measure
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset({"div", "section", "article", "p", "ul", "ol", "dl", "dd", "table", "blockquote", "details"})


def open_panels(body: etree._Element, page: Measure, judge: Judge) -> None:
    """Show the closed panels that the page's toggles and tabs open and keep the toggles
    that title a panel, keeping `page`'s sizes and chrome true to the tree; `judge` judges
    what is shown (`tracker.normalize._clean.measure_page`)."""
    pending = [c for c in page.chrome if is_hidden(c)]
    opened = {ident for mark in page.marks for ident in opens(mark)} if pending else set()
    shown = set()
    while pending:
        element = pending.pop(0)
        if _translation(element) or not (
                element.get("id") in opened or element.get("role") == "tabpanel" or _after_button(element, page.sizes)
                or _closed_sibling(element)):
            continue
        show(element)
        judged = judge.verdict(element, element.keys())
        if judged or (judged is None and judge.by_size(page.sizes[element])):
            continue  # open, it is chrome all the same
        shown.add(element)
        inside = _remeasure(element, page, judge)
        pending[:0] = [c for c in inside.chrome if is_hidden(c)]
        opened.update(ident for mark in inside.marks for ident in opens(mark))
    _keep_titles(body, page, shown)
    _tab_titles(body, page)


def _tab_titles(body: etree._Element, page: Measure) -> None:
    """Set each tab's label, in bold, at the start of the panel it opens when that panel is
    kept, holds more than the label and does not open with it: a policy shown as tabs keeps
    its section titles, each before its section, as the page shows it (the tabs themselves
    stand together, apart from their panels, and go as chrome or as a link list). Two such
    panels at least: a legal hub keeps one (its tab bar is gone with the hub by now, or it
    names the documents dropped)."""
    if not any(m.get("role") == "tabpanel" or m.get("aria-controls") or _is_tab(m) for m in page.marks):
        return  # no tab panel, and nothing a tab could open: most pages, spared a search of the tree
    chrome = set(page.chrome)
    roles = [r.getparent() for r in _TAB_ROLES(body)]
    tabs = list(dict.fromkeys(t for e in roles if _is_tab(e) or e.get("role") == "tablist"
                              for t in (e if e.get("role") == "tablist" else [e])))
    if not tabs:
        return
    ids: dict[str, list] = {}
    labelled: dict[str, list] = {}
    for element in _with_ids(body):
        ids.setdefault(element.get("id"), []).append(element)
        for i in (element.get("aria-labelledby") or "").split():
            labelled.setdefault(i, []).append(element)
    titled = []
    opened: Counter = Counter()  # the tabs so far that open each id, and that label each panel
    named: Counter = Counter()
    for tab in tabs:
        label = _TEXT(tab)
        panel = next((_own(ids, i, opened) for i in opens(tab) if i in ids), None)
        if panel is None and tab.get("id") in labelled:
            panel = _own(labelled, tab.get("id"), named)
        if (label and len(label) <= _TITLE_CHARS and panel is not None and panel not in chrome
                and not any(a in chrome for a in panel.iterancestors()) and len(_TEXT(panel)) > len(label)
                and not _opens_with(panel, label)):
            titled.append((label, panel))
    if len(titled) < 2:
        return  # one panel left: a legal hub's document, its tab bar standing for the others
    for label, panel in titled:
        title = etree.Element("strong")
        title.text = label
        title.tail = panel.text
        panel.text = None
        panel.insert(0, title)
        page.sizes[title] = (len(label), 0)


def _with_ids(body: etree._Element) -> list[etree._Element]:
    return [ident.getparent() for ident in _IDS(body)]


def _own(elements: dict[str, list], ident: str, taken: Counter) -> etree._Element:
    """The element bearing `ident` that the next tab naming it opens: a page repeating its tabs
    and their panels (a responsive copy, the same tab bar atop each section) repeats their
    ids, and the k-th tab naming an id opens the k-th panel bearing it, the one beside it, not
    the page's last (the last when there are fewer panels than tabs)."""
    found = elements[ident]
    at = taken[ident]
    taken[ident] += 1
    return found[min(at, len(found) - 1)]


def _opens_with(panel: etree._Element, label: str) -> bool:
    """Whether the panel's first block of text is the label (its own title inside it)."""
    first = next((e for e in panel.iter(etree.Element) if e is not panel and (e.text or "").strip()), None)
    while first is not None and first.getparent() is not panel and first.getparent().tag not in _BLOCKS:
        first = first.getparent()  # the block holding the first text, not its inline part
    return first is not None and _TEXT(first).casefold() == label.casefold()


def _remeasure(element: etree._Element, page: Measure, judge: Judge) -> Measure:
    """Measure the inside of the shown `element`, its chrome taking its place in `page`'s."""
    inside = measure(element, judge)
    at = page.chrome.index(element)
    page.chrome[at:at + 1] = inside.chrome
    page.sizes.update(inside.sizes)
    page.passed.pop(element, None)
    page.marks.extend(inside.marks)
    return inside


def _keep_titles(body: etree._Element, page: Measure, shown: set) -> None:
    """Keep the buttons (chrome) that title a kept panel holding text: a toggle's whose panel
    it controls or follows, or any button's right before a panel shown. A bare one (no
    heading around it) is set in bold, a line of its own that reads as a title, when it is
    one of an accordion's titles: two or more bare ones, its label theirs alone (a "Read
    more" that opens the rest of a section, once or after every section, is no title)."""
    chrome = set(page.chrome)
    buttons = [c for c in page.chrome if c.tag == "button" and page.sizes[c][0] <= _TITLE_CHARS and not _is_tab(c)
               and (_is_toggle(c) or _next_element(c) in shown)]
    if not buttons:
        return
    ids = {e.get("id"): e for e in _with_ids(body)} if any(opens(b) for b in buttons) else {}
    titles = []
    for button in buttons:
        panels = [ids[i] for i in opens(button) if i in ids] or [_next_element(button)]
        if any(p is not None and p not in chrome and page.sizes.get(p, (0,))[0] > page.sizes[button][0]
               for p in panels):
            titles.append(button)
    bare = [b for b in titles if not any(a.tag in _HEADINGS for a in b.iterancestors())]
    labels = Counter(_TEXT(b) for b in bare)
    for button in titles:
        if button in bare and (len(bare) < 2 or labels[_TEXT(button)] > 1):
            continue
        page.chrome.remove(button)
        page.sizes.update(measure(button, NOTHING).sizes)
        if button in bare:
            button.tag = "strong"


def _is_toggle(element: etree._Element) -> bool:
    """A button that says it opens something."""
    return (any(element.get(a) is not None for a in _TOGGLES) or bool(opens(element))
            or not _TOGGLE_WORDS.isdisjoint(name_tokens(element.get("class", ""))))


def _is_tab(element: etree._Element) -> bool:
    parent = element.getparent()
    return (element.get("role") == "tab" or (parent is not None and parent.get("role") == "tablist")
            or element.get("data-toggle") in _TAB_KINDS or element.get("data-bs-toggle") in _TAB_KINDS)


def opens(element: etree._Element) -> list[str]:
    """The ids `element` opens: those it controls, or its link's target when it is a toggle
    or a tab."""
    ids = [v.lstrip("#") for a in _CONTROLS for v in (element.get(a) or "").split() if v.lstrip("#")]
    href = element.get("href") or ""
    if "#" in href and (element.get("role") == "tab" or any(element.get(a) is not None for a in _TOGGLES)):
        ids.append(unquote(href.partition("#")[2]))
    return ids


def _after_button(panel: etree._Element, sizes: dict) -> bool:
    """Whether `panel`, a block (an inline element after a button is its icon), comes right
    after a button (`role=button` too, not a tab), or after a title holding one (a heading
    around its button)."""
    if panel.tag not in _BLOCKS:
        return False
    previous = panel.getprevious()
    while previous is not None and not isinstance(previous.tag, str):
        previous = previous.getprevious()
    if previous is None or sizes.get(previous, (0,))[0] > _TITLE_CHARS:
        return False
    return any((e.tag == "button" or e.get("role") == "button") and not _is_tab(e) for e in previous.iter(etree.Element))


def _translation(panel: etree._Element) -> bool:
    """Whether `panel` is in another language than the page around it (a tab of the policy's
    translation): its `lang` is not the nearest one above it."""
    lang = panel.get("lang")
    above = next((a.get("lang") for a in panel.iterancestors() if a.get("lang")), None)
    return bool(lang and above and lang.split("-")[0].lower() != above.split("-")[0].lower())


def _closed_sibling(panel: etree._Element) -> bool:
    """Whether `panel` is one of a set of sibling panels of which one is shown (`panel_set`)."""
    return any(not is_hidden(s) for s in panel_set(panel) if s is not panel)


def panel_set(panel: etree._Element) -> list[etree._Element]:
    """The set of sibling panels `panel` belongs to, in order, itself included: one tag, the
    same classes but for a state ("active", "show"), one language (copies in other languages
    differ by a class or a `lang`). The closed tabs of a script that pairs them with their
    labels by rank or by data attributes; empty for an element without a class."""
    classes = _classes(panel)
    if not classes:
        return []
    before = [s for s in islice(panel.itersiblings(panel.tag, preceding=True), _SET) if _same_kind(s, panel, classes)]
    after = [s for s in islice(panel.itersiblings(panel.tag), _SET) if _same_kind(s, panel, classes)]
    return [*reversed(before), panel, *after]


def _same_kind(element: etree._Element, panel: etree._Element, classes: frozenset[str]) -> bool:
    return _classes(element) == classes and element.get("lang") == panel.get("lang")


def _classes(element: etree._Element) -> frozenset[str]:
    return frozenset(element.get("class", "").split()) - _STATES


def _next_element(element: etree._Element) -> etree._Element | None:
    following = element.getnext()
    while following is not None and not isinstance(following.tag, str):
        following = following.getnext()
    return following
