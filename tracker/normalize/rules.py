"""Page rules: CSS `select` / `remove` selectors a document's captures can carry.

The normalizer needs no selector on most pages; a rule is for the rare page it gets wrong.
Rules are plain data here; storing them per document with a validity range is
tracker.store.overrides' job. `select` names the parts that hold the policy
(the normalizer then skips its own main-content choice but still drops hidden elements and
chrome inside them); `remove` names parts to drop. Selectors are CSS (soupsieve, on a
BeautifulSoup tree, only for documents that have a rule) or Open Terms Archive range
objects: {"startBefore"|"startAfter": css, "endBefore"|"endAfter": css}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import soupsieve
from bs4 import BeautifulSoup, PageElement, Tag

from tracker.normalize.exceptions import RuleError


@dataclass(frozen=True)
class RangeSelector:
    """Everything from the `start` element (itself included when `start_before`) up to the
    `end` element (itself included when not `end_before`), in document order."""

    start: str
    start_before: bool
    end: str
    end_before: bool

    def to_json(self) -> dict:
        return {"startBefore" if self.start_before else "startAfter": self.start,
                "endBefore" if self.end_before else "endAfter": self.end}


Selector = str | RangeSelector


@dataclass(frozen=True)
class PageRule:
    """The rule as the normalizer applies it (no dates: those decide whether it applies)."""

    select: tuple[Selector, ...] = ()
    remove: tuple[Selector, ...] = ()


# --- selectors ------------------------------------------------------------------------------


def parse_selectors(value) -> tuple[Selector, ...]:
    """OTA's forms: a CSS string, a range object, or a list of those. Each CSS selector is
    compiled once here so that a typo is refused when the rule is stored, not at backfill."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    selectors: list[Selector] = []
    for item in items:
        if isinstance(item, str):
            selectors.append(_checked_css(item))
        elif isinstance(item, dict):
            selectors.append(_range(item))
        else:
            raise RuleError(f"a selector is a CSS string or a range object, not {item!r}")
    return tuple(selectors)


def _range(item: dict) -> RangeSelector:
    starts = [k for k in ("startBefore", "startAfter") if k in item]
    ends = [k for k in ("endBefore", "endAfter") if k in item]
    if len(starts) != 1 or len(ends) != 1 or len(item) != 2:
        raise RuleError(f"a range selector has one start[Before|After] and one end[Before|After]: {item!r}")
    return RangeSelector(_checked_css(item[starts[0]]), starts[0] == "startBefore",
                         _checked_css(item[ends[0]]), ends[0] == "endBefore")


def _checked_css(css) -> str:
    if not isinstance(css, str) or not css.strip():
        raise RuleError(f"not a CSS selector: {css!r}")
    try:
        soupsieve.compile(css)
    except soupsieve.SelectorSyntaxError as exc:
        raise RuleError(f"invalid CSS selector {css!r}: {str(exc).splitlines()[0]}") from None
    return css.strip()


def selectors_json(selectors: tuple[Selector, ...]) -> str:
    return json.dumps([s if isinstance(s, str) else s.to_json() for s in selectors], ensure_ascii=False)


# --- applying rules to a page ---------------------------------------------------------------


def apply_rules(text: str, overrides: tuple[PageRule, ...]) -> tuple[str, bool]:
    """The page's HTML with the rules applied, and whether a `select` chose its content.

    Removals run first, then the selected parts are kept in document order under the
    original <head> (so the title survives). A `select` that matches nothing keeps the whole
    page: a redesigned site must not turn every capture into an empty version.
    """
    soup = BeautifulSoup(text, "lxml")
    for override in overrides:
        for selector in override.remove:
            for node in _matches(soup, selector):
                node.extract()
    chosen = [node for override in overrides for s in override.select for node in _matches(soup, s)]
    chosen = _outermost(chosen)
    if not chosen:
        return str(soup), False
    head = str(soup.head) if soup.head else ""
    return f"<html>{head}<body>{''.join(str(node) for node in chosen)}</body></html>", True


def _matches(soup: BeautifulSoup, selector: Selector) -> list:
    if isinstance(selector, str):
        return soup.select(selector)
    return _range_nodes(soup, selector)


def _range_nodes(soup: BeautifulSoup, selector: RangeSelector) -> list:
    """The outermost nodes lying wholly inside the range (empty when an end is missing)."""
    start, end = soup.select_one(selector.start), soup.select_one(selector.end)
    if start is None or end is None:
        return []
    nodes = list(soup.descendants)
    position = {id(node): i for i, node in enumerate(nodes)}
    first = position[id(start)] if selector.start_before else _after(start, position)
    last = position[id(end)] if selector.end_before else _after(end, position)
    inside = nodes[first:last]
    members = {id(node) for node in inside}
    return [node for node in inside if id(node.parent) not in members]


def _after(element: Tag, position: dict) -> int:
    """The position just past the element's last descendant."""
    last: PageElement = element
    for node in element.descendants:
        last = node
    return position[id(last)] + 1


def _outermost(nodes: list) -> list:
    """Each node once, in document order, without the ones inside another chosen node."""
    ids = {id(node) for node in nodes}
    seen: set[int] = set()
    kept = []
    for node in nodes:
        if id(node) in seen or any(id(parent) in ids for parent in node.parents):
            continue
        seen.add(id(node))
        kept.append(node)
    return kept
