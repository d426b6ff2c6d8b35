"""Accordions: a policy whose sections are panels that a toggle opens.

A page may show its policy as an accordion: each section's title a toggle (a button, in a
heading or bare, or a link), each section's text a panel closed in the capture (`hidden`,
`aria-hidden`, `display: none`). The closed panels are the policy's text, not hidden chrome,
and the toggles' labels are its section titles, not buttons: losing them would leave a
near-empty page, or a policy without its titles.

A closed panel is one a toggle opens: its id is what the toggle controls (`aria-controls`,
`data-target`, `data-bs-target`, or the `href` of a link that has `aria-expanded` or a
`data-toggle`), or it comes right after a toggle button (a script's accordion that pairs
them by order). A toggle is a button that says it opens something (`aria-expanded`, those
attributes, a `data-toggle`, or a class that names an accordion or a toggle); a tab is not:
its label names a document of a legal hub (`tracker.normalize._documents`). A shown panel is
judged as chrome again as if it were open (a hidden menu a button opens stays chrome).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from lxml import etree

from tracker.normalize._clean import is_hidden, name_tokens, show
from tracker.normalize._measure import Measure, measure

_CONTROLS = ("aria-controls", "data-target", "data-bs-target")
_TOGGLES = ("aria-expanded", "data-toggle", "data-bs-toggle")
_TOGGLE_WORDS = frozenset({"accordion", "accordeon", "collapse", "collapsible", "toggle", "toggler", "expand",
                           "expander", "disclosure"})
_TITLE_CHARS = 200  # a toggle's label is a title, never a paragraph
_ALL_IDS = etree.XPath(".//*[@id]")


def open_panels(body: etree._Element, page: Measure, verdict: Callable, by_size: Callable) -> None:
    """Show the closed panels that the page's toggles open and keep the toggles that title
    a panel, keeping `page`'s sizes and chrome true to the tree; `verdict` and `by_size`
    judge what is shown (`tracker.normalize._clean.measure_page`)."""
    toggles = [e for e in dict.fromkeys([*page.marks, *(c for c in page.chrome if c.tag == "button")])
               if _is_toggle(e)]
    if not toggles:
        return
    opened = {ident for toggle in toggles for ident in _opens(toggle)}
    pending = list(page.chrome)
    while pending:
        element = pending.pop(0)
        if element not in page.chrome or not is_hidden(element):
            continue
        if element.get("id") not in opened and not _after_toggle(element):
            continue
        show(element)
        judged = verdict(element, element.keys())
        if judged or (judged is None and by_size(page.sizes[element])):
            continue  # open, it is chrome all the same
        inside = _remeasure(element, page, verdict, by_size)
        pending[:0] = inside.chrome
        toggles += [m for m in inside.marks if _is_toggle(m)]
        opened.update(ident for m in inside.marks if _is_toggle(m) for ident in _opens(m))
    _keep_titles(body, page, toggles)


def _remeasure(element: etree._Element, page: Measure, verdict: Callable, by_size: Callable) -> Measure:
    """Measure the inside of the shown `element`, its chrome taking its place in `page`'s."""
    inside = measure(element, verdict, by_size)
    at = page.chrome.index(element)
    page.chrome[at:at + 1] = inside.chrome
    page.sizes.update(inside.sizes)
    page.passed.pop(element, None)
    page.marks.extend(inside.marks)
    return inside


def _keep_titles(body: etree._Element, page: Measure, toggles: list[etree._Element]) -> None:
    """Keep the toggle buttons (chrome) whose panel is kept and holds text: their labels are
    the panels' titles. A bare one (no heading around it) is set in bold, a line of its own
    that reads as a title."""
    chrome = set(page.chrome)
    buttons = [t for t in toggles if t in chrome and t.tag == "button" and page.sizes[t][0] <= _TITLE_CHARS]
    if not buttons:
        return
    ids = {e.get("id"): e for e in _ALL_IDS(body)} if any(_opens(b) for b in buttons) else {}
    for button in buttons:
        panels = [ids[i] for i in _opens(button) if i in ids] or [_next_element(button)]
        if not any(p is not None and p not in chrome and page.sizes.get(p, (0,))[0] > page.sizes[button][0]
                   for p in panels):
            continue
        page.chrome.remove(button)
        page.sizes.update(measure(button, lambda *_: False, lambda _: False).sizes)
        if not any(a.tag in ("h1", "h2", "h3", "h4", "h5", "h6") for a in button.iterancestors()):
            button.tag = "strong"


def _is_toggle(element: etree._Element) -> bool:
    if element.get("role") == "tab" or (element.getparent() is not None
                                        and element.getparent().get("role") == "tablist"):
        return False
    return (any(element.get(a) is not None for a in _TOGGLES) or bool(_opens(element))
            or (element.tag == "button" and not _TOGGLE_WORDS.isdisjoint(name_tokens(element.get("class", "")))))


def _opens(toggle: etree._Element) -> list[str]:
    """The ids `toggle` controls."""
    ids = [v.lstrip("#") for a in _CONTROLS for v in (toggle.get(a) or "").split() if v.lstrip("#")]
    href = toggle.get("href") or ""
    if "#" in href and any(toggle.get(a) is not None for a in _TOGGLES):
        ids.append(unquote(href.partition("#")[2]))
    return ids


def _after_toggle(panel: etree._Element) -> bool:
    """Whether `panel` comes right after a toggle button, or an element holding one (a
    heading around its button)."""
    previous = panel.getprevious()
    while previous is not None and not isinstance(previous.tag, str):
        previous = previous.getprevious()
    if previous is None:
        return False
    return any(_is_toggle(e) and e.tag == "button" for e in previous.iter("button"))


def _next_element(element: etree._Element) -> etree._Element | None:
    following = element.getnext()
    while following is not None and not isinstance(following.tag, str):
        following = following.getnext()
    return following
