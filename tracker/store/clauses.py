"""Reading versions' clauses and recorded clause changes back (no writes).

One reader per kind of row, shared by history, digests, exports and the version stage, so
that every consumer decodes the stored rows the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Row, Text, select, type_coerce
from sqlalchemy.orm import Session, aliased

from tracker.diff import Kind
from tracker.store.models import Clause, ClauseChange, Version, VersionClause


@dataclass(frozen=True, slots=True)
class StoredClause:
    """A clause occurrence as read back from the database, shaped like a normalizer Block."""

    occurrence_id: int
    clause_id: int
    sort_key: int
    kind: str
    level: int
    text: str
    section: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClauseChangeRecord:
    """One recorded clause change with its texts. A split's, merge's or rewrite's many side is
    its clauses' texts joined by line breaks, as the diff joined them."""

    change_id: int
    ordinal: int
    kind: Kind
    old_text: str | None
    new_text: str | None
    old_section: tuple[str, ...] | None
    new_section: tuple[str, ...] | None
    similarity: float
    ops: tuple[tuple[str, str], ...]  # word-level (op, text) pairs, for redlines
    moved: bool
    cosmetic: bool
    flags: tuple[str, ...]
    categories: tuple[str, ...]

    @property
    def section(self) -> tuple[str, ...]:
        """Where a reader finds it: the new side's section, else the old side's."""
        if self.new_section is not None:
            return self.new_section
        return self.old_section or ()


def latest_version(session: Session, document_id: int) -> Version | None:
    return session.scalars(
        select(Version).where(Version.document_id == document_id).order_by(Version.seq.desc()).limit(1)
    ).first()


def version_clauses(session: Session, version: Version) -> list[StoredClause]:
    """The clauses of `version` in order."""
    rows = session.execute(
        select(VersionClause.id, VersionClause.clause_id, VersionClause.sort_key, VersionClause.kind,
               VersionClause.level, Clause.text, type_coerce(VersionClause.section, Text))
        .join(Clause, Clause.id == VersionClause.clause_id)
        .where(
            VersionClause.document_id == version.document_id,
            VersionClause.first_seq <= version.seq,
            (VersionClause.last_seq.is_(None)) | (VersionClause.last_seq >= version.seq),
        )
        .order_by(VersionClause.sort_key)
        .execution_options(yield_per=2000)
    )
    # Columns streamed, not VersionClause objects, and one copy of each kind and section:
    # a version of 200,000 clauses costs memory for its texts, little more.
    kinds: dict[str, str] = {}
    sections: dict[str, tuple[str, ...]] = {}
    clauses = []
    for occurrence_id, clause_id, sort_key, kind, level, text, section in rows:
        if section not in sections:
            sections[section] = tuple(json.loads(section))
        clauses.append(StoredClause(occurrence_id, clause_id, sort_key, kinds.setdefault(kind, kind), level, text,
                                    sections[section]))
    return clauses


def clause_change_records(session: Session, change_ids: Iterable[int]) -> dict[int, list[ClauseChangeRecord]]:
    """The clause changes of each change, in reading order, keyed by change id."""
    ids = sorted(set(change_ids))
    found: dict[int, list[ClauseChangeRecord]] = {change_id: [] for change_id in ids}
    if not ids:
        return found
    old_c, new_c = aliased(Clause), aliased(Clause)
    rows: list[Row[ClauseChange, str, str]] = []  # (the texts are None on a missing side)
    for start in range(0, len(ids), 500):
        rows += session.execute(
            select(ClauseChange, old_c.text, new_c.text)
            .outerjoin(old_c, old_c.id == ClauseChange.old_clause_id)
            .outerjoin(new_c, new_c.id == ClauseChange.new_clause_id)
            .where(ClauseChange.change_id.in_(ids[start:start + 500]))
            .order_by(ClauseChange.change_id, ClauseChange.ordinal)
        ).all()
    many = _texts(session, {i for cc, _, _ in rows for i in (cc.old_clause_ids or []) + (cc.new_clause_ids or [])})
    for cc, old_text, new_text in rows:
        if cc.old_clause_ids:
            old_text = "\n".join(many[i] for i in cc.old_clause_ids)
        if cc.new_clause_ids:
            new_text = "\n".join(many[i] for i in cc.new_clause_ids)
        found[cc.change_id].append(ClauseChangeRecord(
            change_id=cc.change_id, ordinal=cc.ordinal, kind=Kind(cc.kind),
            old_text=old_text, new_text=new_text,
            old_section=None if cc.old_section is None else tuple(cc.old_section),
            new_section=None if cc.new_section is None else tuple(cc.new_section),
            similarity=cc.similarity,
            ops=tuple((op, text) for op, text in cc.word_ops or ()),
            moved=bool(cc.moved), cosmetic=bool(cc.cosmetic),
            flags=tuple(cc.flags), categories=tuple(cc.categories),
        ))
    return found


def _texts(session: Session, clause_ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    ordered = sorted(clause_ids)
    for start in range(0, len(ordered), 500):
        found.update(session.execute(
            select(Clause.id, Clause.text).where(Clause.id.in_(ordered[start:start + 500]))).all())
    return found
