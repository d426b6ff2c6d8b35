"""Import Open Terms Archive declarations as normalizer overrides.

An OTA declaration (`declarations/<Service>.json`) names, per terms type, the page to fetch
and the CSS `select` / `remove` selectors (strings, range objects, or lists of them) that
cut the terms out of it; `<Service>.history.json`, beside it, lists the earlier
declarations of each terms type, each with the `validUntil` date at which it was replaced.
Each declaration becomes one override valid from the previous one's `validUntil` (or the
beginning) to its own (or open-ended for the current one). OTA's `filter` functions are
JavaScript and are not run: they are reported, not imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from tracker.normalize import RuleError, Selector, parse_selectors
from tracker.store.exceptions import OtaError
from tracker.store.models import Document
from tracker.store.overrides import add_override


@dataclass(frozen=True)
class OtaRule:
    """One declaration of a terms type, with the range over which it was in force."""

    fetch: str
    select: tuple[Selector, ...]
    remove: tuple[Selector, ...]
    filters: tuple[str, ...]
    valid_from: datetime | None
    valid_until: datetime | None


@dataclass(frozen=True)
class ImportResult:
    added: int
    existing: int
    skipped: tuple[str, ...]  # why some declarations were not imported
    ignored_filters: tuple[str, ...]


def read_declaration(path: str | Path, terms_type: str = "Privacy Policy") -> list[OtaRule]:
    """The rules of `terms_type` in `<Service>.json` and its `.history.json`, oldest first."""
    path = Path(path)
    current = _load(path)
    documents = current.get("documents", current.get("terms")) if isinstance(current, dict) else None
    if not isinstance(documents, dict):
        raise OtaError(f"{path.name}: not an Open Terms Archive declaration (no 'documents')")
    history_path = path.with_name(path.name.removesuffix(".json") + ".history.json")
    history = _load(history_path) if history_path.exists() else {}
    if not isinstance(history, dict):
        raise OtaError(f"{history_path.name}: not an Open Terms Archive history file")
    entries = history.get(terms_type, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise OtaError(f"{history_path.name}: {terms_type!r} is not a list of declarations")
    if terms_type not in documents and not entries:
        known = ", ".join(sorted(documents)) or "none"
        raise OtaError(f"{path.name}: no {terms_type!r} declared (terms types: {known})")
    dated = sorted(((_date(e.get("validUntil"), history_path.name), e) for e in entries), key=lambda p: p[0])
    rules = []
    start = None
    for until, entry in dated:
        rules.append(_rule(entry, start, until, history_path.name))
        start = until
    if terms_type in documents:
        rules.append(_rule(documents[terms_type], start, None, path.name))
    return rules


def import_rules(session: Session, document: Document, rules: list[OtaRule], source: str) -> ImportResult:
    """Store each rule as an override of `document` (an equal rule stored before is kept)."""
    added = existing = 0
    skipped, filters = [], []
    for rule in rules:
        span = f"{_day(rule.valid_from)} to {_day(rule.valid_until)}"
        if not rule.select and not rule.remove:
            skipped.append(f"{span}: no selector (a PDF or a combined document)")
            continue
        filters += [f"{span}: {name}" for name in rule.filters]
        _, created = add_override(session, document, rule.select, rule.remove, rule.valid_from,
                                  rule.valid_until, source)
        added += created
        existing += not created
    return ImportResult(added, existing, tuple(skipped), tuple(filters))


def _rule(entry, valid_from: datetime | None, valid_until: datetime | None, where: str) -> OtaRule:
    if not isinstance(entry, dict):
        raise OtaError(f"{where}: a declaration is a JSON object, not {entry!r}")
    select = entry.get("select")
    range_keys = {k: entry[k] for k in ("startBefore", "startAfter", "endBefore", "endAfter") if k in entry}
    if select is None and range_keys:
        select = range_keys  # the older form: a range written on the declaration itself
    if "combine" in entry:
        select = None
    try:
        return OtaRule(str(entry.get("fetch", "")), parse_selectors(select), parse_selectors(entry.get("remove")),
                       tuple(map(str, entry.get("filter") or ())), valid_from, valid_until)
    except RuleError as exc:
        raise OtaError(f"{where}: {exc}") from None


def _load(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OtaError(f"no such declaration file: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise OtaError(f"{path.name}: not valid JSON ({exc})") from None


def _date(value, where: str) -> datetime:
    """OTA's ISO 8601 `validUntil` as naive UTC, like every date in the database."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise OtaError(f"{where}: validUntil {value!r} is not an ISO 8601 date") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _day(when: datetime | None) -> str:
    return "open" if when is None else f"{when:%Y-%m-%d}"
