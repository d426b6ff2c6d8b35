"""Per-document normalizer overrides: CSS `select` / `remove` rules with a validity range.

The normalizer needs no selector on most pages; an override is for the rare page it gets
wrong. A rule applies to the captures of its document dated within [valid_from,
valid_until) (either end open when NULL). `select` names the parts that hold the policy
(the normalizer then skips its own main-content choice but still drops hidden elements and
chrome inside them); `remove` names parts to drop. Selectors are CSS (soupsieve, on a
BeautifulSoup tree, only for documents that have a rule) or Open Terms Archive range
objects: {"startBefore"|"startAfter": css, "endBefore"|"endAfter": css}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import soupsieve
from bs4 import BeautifulSoup, Tag
from sqlalchemy import select as sql_select
from sqlalchemy.orm import Session

from tracker.store.models import Document, NormalizerOverride


class OverrideError(ValueError):
    """A rule that cannot be stored or applied: malformed selector, empty rule, bad range."""


class UnknownOverride(LookupError):
    """No override with that id."""


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
class Override:
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
            raise OverrideError(f"a selector is a CSS string or a range object, not {item!r}")
    return tuple(selectors)


def _range(item: dict) -> RangeSelector:
    starts = [k for k in ("startBefore", "startAfter") if k in item]
    ends = [k for k in ("endBefore", "endAfter") if k in item]
    if len(starts) != 1 or len(ends) != 1 or len(item) != 2:
        raise OverrideError(f"a range selector has one start[Before|After] and one end[Before|After]: {item!r}")
    return RangeSelector(_checked_css(item[starts[0]]), starts[0] == "startBefore",
                         _checked_css(item[ends[0]]), ends[0] == "endBefore")


def _checked_css(css) -> str:
    if not isinstance(css, str) or not css.strip():
        raise OverrideError(f"not a CSS selector: {css!r}")
    try:
        soupsieve.compile(css)
    except soupsieve.SelectorSyntaxError as exc:
        raise OverrideError(f"invalid CSS selector {css!r}: {str(exc).splitlines()[0]}") from None
    return css.strip()


def selectors_json(selectors: tuple[Selector, ...]) -> str:
    return json.dumps([s if isinstance(s, str) else s.to_json() for s in selectors], ensure_ascii=False)


# --- applying rules to a page ---------------------------------------------------------------


def apply_overrides(text: str, overrides: tuple[Override, ...]) -> tuple[str, bool]:
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
    last = element
    for last in element.descendants:
        pass
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


# --- stored rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredOverride:
    """A stored rule with its validity range, as listed and applied."""

    id: int
    document_id: int
    override: Override
    valid_from: datetime | None
    valid_until: datetime | None
    source: str

    def applies_at(self, when: datetime) -> bool:
        return (self.valid_from is None or self.valid_from <= when) and (
            self.valid_until is None or when < self.valid_until)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "select": json.loads(selectors_json(self.override.select)),
            "remove": json.loads(selectors_json(self.override.remove)),
            "valid_from": self.valid_from and self.valid_from.isoformat(),
            "valid_until": self.valid_until and self.valid_until.isoformat(),
            "source": self.source,
        }


@dataclass(frozen=True)
class DocumentOverrides:
    """Every rule of one document; `at(when)` gives those that apply to a capture."""

    rules: tuple[StoredOverride, ...] = ()

    def at(self, when: datetime) -> tuple[Override, ...]:
        return tuple(rule.override for rule in self.rules if rule.applies_at(when))


def add_override(session: Session, document: Document, select: tuple[Selector, ...],
                 remove: tuple[Selector, ...], valid_from: datetime | None = None,
                 valid_until: datetime | None = None, source: str = "manual") -> tuple[StoredOverride, bool]:
    """Store a rule unless an equal one exists (same selectors and range); True when added."""
    if not select and not remove:
        raise OverrideError("an override needs at least one select or remove selector")
    if valid_from and valid_until and valid_from >= valid_until:
        raise OverrideError(f"empty validity range: {valid_from:%Y-%m-%d %H:%M} is not before "
                            f"{valid_until:%Y-%m-%d %H:%M}")
    row_values = dict(document_id=document.id, select_json=selectors_json(select),
                      remove_json=selectors_json(remove), valid_from=valid_from, valid_until=valid_until)
    query = sql_select(NormalizerOverride)
    for name, value in row_values.items():
        column = getattr(NormalizerOverride, name)
        query = query.where(column.is_(None) if value is None else column == value)
    existing = session.scalars(query.limit(1)).first()
    if existing is not None:
        return _stored(existing), False
    row = NormalizerOverride(**row_values, source=source)
    session.add(row)
    session.flush()
    return _stored(row), True


def document_overrides(session: Session, document_id: int) -> DocumentOverrides:
    rows = session.scalars(
        sql_select(NormalizerOverride).where(NormalizerOverride.document_id == document_id)
        .order_by(NormalizerOverride.id)
    )
    return DocumentOverrides(tuple(_stored(row) for row in rows))


def remove_override(session: Session, override_id: int) -> StoredOverride:
    row = session.get(NormalizerOverride, override_id)
    if row is None:
        raise UnknownOverride(f"no override with id {override_id}")
    stored = _stored(row)
    session.delete(row)
    session.flush()
    return stored


def _stored(row: NormalizerOverride) -> StoredOverride:
    override = Override(parse_selectors(json.loads(row.select_json)), parse_selectors(json.loads(row.remove_json)))
    return StoredOverride(row.id, row.document_id, override, row.valid_from, row.valid_until, row.source)
