"""Per-document normalizer overrides: page rules (tracker.normalize.rules) stored with a
validity range. A rule applies to the captures of its document dated within [valid_from,
valid_until) (either end open when NULL)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as sql_select
from sqlalchemy.orm import Session

from tracker.normalize import (
    PageRule,
    RuleError,
    Selector,
    parse_selectors,
    selectors_json,
)
from tracker.store.exceptions import UnknownOverride
from tracker.store.models import Document, NormalizerOverride


@dataclass(frozen=True)
class StoredOverride:
    """A stored rule with its validity range, as listed and applied."""

    id: int
    document_id: int
    override: PageRule
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

    def at(self, when: datetime) -> tuple[PageRule, ...]:
        return tuple(rule.override for rule in self.rules if rule.applies_at(when))


def add_override(session: Session, document: Document, select: tuple[Selector, ...],
                 remove: tuple[Selector, ...], valid_from: datetime | None = None,
                 valid_until: datetime | None = None, source: str = "manual") -> tuple[StoredOverride, bool]:
    """Store a rule unless an equal one exists (same selectors and range); True when added."""
    if not select and not remove:
        raise RuleError("an override needs at least one select or remove selector")
    if valid_from and valid_until and valid_from >= valid_until:
        raise RuleError(f"empty validity range: {valid_from:%Y-%m-%d %H:%M} is not before "
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
    override = PageRule(parse_selectors(json.loads(row.select_json)), parse_selectors(json.loads(row.remove_json)))
    return StoredOverride(row.id, row.document_id, override, row.valid_from, row.valid_until, row.source)
