"""Reading what the pipeline recorded: timelines, changes, and diffs between dates.

Everything here reads the database only; the CLI (and later digests and reports) render it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from tracker import diff
from tracker.read.exceptions import NoVersion
from tracker.store import Evidence, clause_change_records, version_clauses, version_evidence
from tracker.store.models import Capture, Change, Document, Provider, Version


@dataclass(frozen=True)
class VersionRow:
    seq: int
    first_seen: datetime
    last_seen: datetime
    first_timestamp: str
    last_timestamp: str
    captures: int
    clauses: int
    words: int
    added: int | None = None
    removed: int | None = None
    modified: int | None = None
    moved: int | None = None
    material: bool | None = None
    split: int | None = None
    merged: int | None = None
    rewritten: int | None = None
    material_count: int | None = None
    cosmetic_count: int | None = None
    effective_date: date | None = None  # the date the policy states, when it states one
    returns_to: int | None = None  # seq of the earlier version whose text this one repeats
    sources: tuple[SourceRow, ...] = ()  # where the version's text was seen
    evidence: Evidence | None = None  # the archive's capture Save Page Now made of a live-found version

    def to_dict(self) -> dict:
        data = asdict(self)
        data["sources"] = [source.to_dict() for source in self.sources]
        data["evidence"] = self.evidence.to_dict() if self.evidence else None
        data["first_seen"] = self.first_seen.isoformat()
        data["last_seen"] = self.last_seen.isoformat()
        data["effective_date"] = self.effective_date.isoformat() if self.effective_date else None
        return data


@dataclass(frozen=True)
class SourceRow:
    """One source of a version: `wayback` or `live` with its number of captures (the link:
    the first one's in the archive), or an imported record (its locator and link);
    `first_timestamp` is the source's earliest sight of the text."""

    source: str
    captures: int
    first_timestamp: str
    ref: str | None
    url: str | None

    def to_dict(self) -> dict:
        return asdict(self)

    def label(self) -> str:
        if self.source in COUNTED:
            return f"{self.source} ({self.captures})" if self.captures > 1 else self.source
        ref = self.ref.rsplit("@", 1)[0] if self.source == "file" and self.ref else self.ref
        return f"{self.source} {ref}" if ref else self.source


COUNTED = ("wayback", "live")  # sources of many captures of one page, counted rather than listed


def version_sources(session: Session, document_id: int,
                    version_id: int | None = None) -> dict[int, tuple[SourceRow, ...]]:
    """Each version's sources by version id (of one version, given `version_id`): the
    archive's captures as one row, imported records one row each, in order of first sight."""
    query = (
        select(Capture.version_id, Capture.source, Capture.timestamp, Capture.url, Capture.source_ref,
               Capture.source_url)
        .where(Capture.document_id == document_id, Capture.version_id.is_not(None))
        .order_by(Capture.version_id, Capture.timestamp, Capture.id)
    )
    if version_id is not None:
        query = query.where(Capture.version_id == version_id)
    rows = session.execute(query).all()
    found: dict[int, dict[tuple, list]] = {}
    for version_id, source, timestamp, url, ref, link in rows:
        assert version_id is not None  # the query keeps captures that show a version
        key = (source,) if source in COUNTED else (source, ref)
        entry = found.setdefault(version_id, {}).get(key)
        if entry is None:
            href = f"https://web.archive.org/web/{timestamp}/{url}" if source == "wayback" else link
            found[version_id][key] = [source, 1, timestamp, None if source in COUNTED else ref, href]
        else:
            entry[1] += 1
    return {version_id: tuple(SourceRow(*entry) for entry in entries.values())
            for version_id, entries in found.items()}


def timeline(session: Session, document: Document) -> list[VersionRow]:
    """Every version of the document, with the change that led to it."""
    first, last = aliased(Capture), aliased(Capture)
    seq_of: dict[int | None, int] = dict(
        session.execute(select(Version.id, Version.seq).where(Version.document_id == document.id)).all())
    rows = session.execute(
        select(Version, first.timestamp, last.timestamp, Change)
        .join(first, first.id == Version.first_capture_id)
        .join(last, last.id == Version.last_capture_id)
        .outerjoin(Change, Change.to_version_id == Version.id)
        .where(Version.document_id == document.id)
        .order_by(Version.seq)
    ).all()
    sources = version_sources(session, document.id)
    evidence = version_evidence(session, document.id)
    result = []
    for version, first_ts, last_ts, change in rows:
        counts: dict[str, Any] = {}
        if change is not None:
            counts = dict(added=change.added, removed=change.removed, modified=change.modified,
                          moved=change.moved, material=change.material, split=change.split,
                          merged=change.merged, rewritten=change.rewritten, material_count=change.material_count,
                          cosmetic_count=change.cosmetic_count)
        result.append(VersionRow(
            seq=version.seq, first_seen=version.first_seen, last_seen=version.last_seen,
            first_timestamp=first_ts, last_timestamp=last_ts, captures=version.capture_count,
            clauses=version.clause_count, words=version.word_count,
            effective_date=version.effective_date, returns_to=seq_of.get(version.returns_to_id),
            sources=sources.get(version.id, ()), evidence=evidence.get(version.id), **counts,
        ))
    return result


@dataclass(frozen=True)
class ChangeRow:
    provider: str
    document: str
    date: datetime
    from_seq: int
    to_seq: int
    kind: str
    ordinal: int
    old_section: list[str] | None
    new_section: list[str] | None
    old_text: str | None
    new_text: str | None
    redline: str | None
    similarity: float
    step_material: bool  # the step from one version to the next, as a whole
    moved: bool = False
    cosmetic: bool = False  # this clause change only
    flags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["date"] = self.date.isoformat()
        return data


def recorded_changes(session: Session, *, since: datetime | None = None,
                     documents: list[Document] | None = None,
                     category: str | None = None, change_ids: list[int] | None = None) -> list[ChangeRow]:
    """Clause changes as recorded by backfills, oldest first; optionally only those of one
    topic category (see tracker.diff.categories), or of some steps (`change.id`)."""
    if category is not None:
        category = diff.check_category(category)
    old_v, new_v = aliased(Version), aliased(Version)
    query = (
        select(Change, old_v.seq, new_v, Provider.name, Document.name)
        .join(old_v, old_v.id == Change.from_version_id)
        .join(new_v, new_v.id == Change.to_version_id)
        .join(Document, Document.id == Change.document_id)
        .join(Provider, Provider.id == Document.provider_id)
        .order_by(new_v.first_seen, Change.id)
    )
    if since is not None:
        query = query.where(new_v.first_seen >= since)
    if documents is not None:
        query = query.where(Change.document_id.in_([d.id for d in documents]))
    if change_ids is not None:
        query = query.where(Change.id.in_(change_ids))
    changes = session.execute(query).all()
    records = clause_change_records(session, [change.id for change, *_ in changes])
    rows = []
    for change, from_seq, to_version, provider, doc_name in changes:
        for record in records[change.id]:
            if category is not None and category not in record.categories:
                continue
            rows.append(ChangeRow(
                provider=provider, document=doc_name, date=to_version.first_seen, from_seq=from_seq,
                to_seq=to_version.seq, kind=record.kind.value, ordinal=record.ordinal,
                old_section=None if record.old_section is None else list(record.old_section),
                new_section=None if record.new_section is None else list(record.new_section),
                old_text=record.old_text, new_text=record.new_text,
                redline=diff.redline_text(record.ops) if record.ops else None,
                similarity=record.similarity, step_material=change.material, moved=record.moved,
                cosmetic=record.cosmetic, flags=list(record.flags), categories=list(record.categories),
            ))
    return rows


def version_at(session: Session, document: Document, when: datetime) -> Version:
    """The version in force at `when`: the newest one first seen on or before it."""
    version = session.scalars(
        select(Version)
        .where(Version.document_id == document.id, Version.first_seen <= when)
        .order_by(Version.seq.desc())
        .limit(1)
    ).first()
    if version is None:
        raise NoVersion(f"no version of {document.provider.name} / {document.name} on or before {when:%Y-%m-%d}")
    return version


def diff_versions(session: Session, old: Version, new: Version) -> list[diff.ClauseEdit]:
    """Clause diff between any two versions (not only consecutive ones)."""
    return diff.diff_clauses(version_clauses(session, old), version_clauses(session, new))


def by_section(changes: list) -> list[tuple[tuple[str, ...], list]]:
    """Consecutive changes under the same section, in reading order (new section, or the old
    one for a removed clause)."""
    groups: list[tuple[tuple[str, ...], list]] = []
    for change in changes:
        section = tuple(change.new_section if change.new_section is not None else change.old_section or ())
        if not groups or groups[-1][0] != section:
            groups.append((section, []))
        groups[-1][1].append(change)
    return groups
