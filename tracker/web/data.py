"""What the web view reads beyond tracker.history and tracker.search: the providers overview,
a page of recorded steps, a document's captures for its chart, a clause's lineage.

Everything runs on a read-only session (tracker.db.read_only_engine) and returns plain
dataclasses; pages, API and feeds render them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, func, select, type_coerce
from sqlalchemy.orm import Session, aliased, selectinload

from tracker.diff import check_category
from tracker.store import find_documents
from tracker.store.models import (
    Capture,
    Change,
    Clause,
    ClauseChange,
    Document,
    JobRun,
    Provider,
    Version,
    VersionClause,
)
from tracker.urls import mask_credentials
from tracker.web.exceptions import NotFound

BATCH = 500  # steps read at a time when filtering by material or category


@dataclass(frozen=True)
class DocumentSummary:
    id: int
    provider: str
    name: str
    urls: list[str]
    versions: int
    last_change: datetime | None  # when the newest version was first seen
    last_checked_at: datetime | None
    problem: str | None  # the last check failed, or captures could not be fetched


def document(session: Session, document_id: int) -> Document:
    found = session.scalars(select(Document).where(Document.id == document_id)
                            .options(selectinload(Document.provider), selectinload(Document.urls))).first()
    if found is None:
        raise NotFound(f"no document {document_id}")
    return found


def version(session: Session, doc: Document, seq: int) -> Version:
    found = session.scalars(select(Version).where(Version.document_id == doc.id, Version.seq == seq)).first()
    if found is None:
        raise NotFound(f"no version {seq} of document {doc.id}")
    return found


def newest_seq(session: Session, doc: Document) -> int:
    return session.scalar(select(func.max(Version.seq)).where(Version.document_id == doc.id)) or 0


def document_ids(session: Session, names: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """{(provider, document): id} for the given names (search hits carry names, pages link ids)."""
    providers = {p for p, _ in names}
    rows = session.execute(select(Provider.name, Document.name, Document.id).join(Provider)
                           .where(Provider.name.in_(providers))).all()
    return {(p, d): i for p, d, i in rows if (p, d) in names}


def document_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Document)).scalar_one()


def document_summaries(session: Session, *, after: int = 0, limit: int = 100) -> list[DocumentSummary]:
    """Documents with id > `after`, by id, with what the providers page and the API show."""
    docs = list(session.scalars(
        select(Document).where(Document.id > after).order_by(Document.id).limit(limit)
        .options(selectinload(Document.provider), selectinload(Document.urls))))
    ids = [d.id for d in docs]
    counts = {d: (n, last) for d, n, last in session.execute(
        select(Version.document_id, func.count(), func.max(Version.first_seen))
        .where(Version.document_id.in_(ids)).group_by(Version.document_id))}
    latest_run = (select(JobRun.document_id, func.max(JobRun.id).label("id"))
                  .where(JobRun.job == "check", JobRun.document_id.in_(ids))
                  .group_by(JobRun.document_id).subquery())
    failed_runs = dict(session.execute(
        select(JobRun.document_id, JobRun.error).join(latest_run, JobRun.id == latest_run.c.id)
        .where(JobRun.outcome == "failed")).all())
    failed_captures = dict(session.execute(
        select(Capture.document_id, func.count())
        .where(Capture.document_id.in_(ids), Capture.state == "failed").group_by(Capture.document_id)).all())
    result = []
    for d in docs:
        versions, last_change = counts.get(d.id, (0, None))
        problem = None
        if d.id in failed_runs:
            problem = f"last check failed: {failed_runs[d.id] or 'no reason recorded'}"
        elif failed_captures.get(d.id):
            problem = f"{failed_captures[d.id]} capture(s) could not be fetched"
        result.append(DocumentSummary(d.id, d.provider.name, d.name, [mask_credentials(u.url) for u in d.urls], versions,
                                      last_change, d.last_checked_at, problem))
    return result


@dataclass(frozen=True)
class Step:
    """One recorded change between consecutive versions, with its counts."""

    id: int
    document_id: int
    provider: str
    document: str
    from_seq: int
    to_seq: int
    date: datetime  # when the new version was first seen
    material: bool
    material_count: int
    cosmetic_count: int
    added: int
    removed: int
    modified: int
    moved: int
    split: int
    merged: int
    rewritten: int


def steps(session: Session, *, since: datetime | None = None, provider: str | None = None,
          document_id: int | None = None, category: str | None = None, material: bool | None = None,
          after: tuple[datetime, int] | None = None, limit: int = 50, newest_first: bool = False,
          change_id: int | None = None) -> list[Step]:
    """Recorded steps, by the new version's first sighting then id; `after` is the (date, id)
    of the last step of the previous page (keyset paging: a page never shifts as rows arrive).

    Steps are read in that order a batch at a time (ix_version_first_seen), and `material`
    and `category` are checked per batch: a page then costs about limit / (share of steps
    that pass) rows. Put into the SQL, either filter leads the planners to read every step
    and sort them (bench/web.py)."""
    old_v, new_v = aliased(Version), aliased(Version)
    query = (  # columns, not entities: a batch of 500 ORM objects costs more than its query
        select(Change.id, Change.document_id, Provider.name, Document.name, old_v.seq, new_v.seq,
               new_v.first_seen, Change.material, Change.material_count, Change.cosmetic_count, Change.added,
               Change.removed, Change.modified, Change.moved, Change.split, Change.merged, Change.rewritten)
        .join(old_v, old_v.id == Change.from_version_id)
        .join(new_v, new_v.id == Change.to_version_id)
        .join(Document, Document.id == Change.document_id)
        .join(Provider, Provider.id == Document.provider_id)
        .where(new_v.seq > 1)  # true of every step's new version; lets ix_version_first_seen (partial) serve
    )
    if since is not None:
        query = query.where(new_v.first_seen >= since)
    if provider is not None:
        query = query.where(Change.document_id.in_([d.id for d in find_documents(session, provider)]))
    if document_id is not None:
        query = query.where(Change.document_id == document_id)
    if change_id is not None:
        query = query.where(Change.id == change_id)
    needle = json.dumps(check_category(category)) if category is not None else None
    filtered = needle is not None or material is not None
    size = max(limit, BATCH) if filtered else limit
    order = (new_v.first_seen.desc(), Change.id.desc()) if newest_first else (new_v.first_seen, Change.id)
    found: list[Step] = []
    while len(found) < limit:
        page = query
        if after is not None:
            when, last_id = after
            # The plain range on first_seen is what lets the planners use the index.
            if newest_first:
                page = page.where(new_v.first_seen <= when, (new_v.first_seen < when) | (Change.id < last_id))
            else:
                page = page.where(new_v.first_seen >= when, (new_v.first_seen > when) | (Change.id > last_id))
        batch = [Step(*tuple(row)) for row in session.execute(page.order_by(*order).limit(size)).all()]
        kept = [s for s in batch if material is None or s.material == material]
        if needle is not None and kept:
            with_category = set(session.scalars(select(ClauseChange.change_id).where(
                ClauseChange.change_id.in_([s.id for s in kept]),
                # the stored JSON text: a quoted name matches exactly one entry of the list
                type_coerce(ClauseChange.categories, Text).contains(needle, autoescape=True))))
            kept = [s for s in kept if s.id in with_category]
        found += kept
        if len(batch) < size:
            break
        after = (batch[-1].date, batch[-1].id)
    return found[:limit]


def step(session: Session, change_id: int) -> Step:
    found = steps(session, change_id=change_id, limit=1)
    if not found:
        raise NotFound(f"no change {change_id}")
    return found[0]


@dataclass(frozen=True)
class CaptureMark:
    captured_at: datetime
    state: str
    invalid_reason: str | None


def capture_marks(session: Session, doc: Document) -> list[CaptureMark]:
    """Every capture listed for the document, oldest first, for the timeline's coverage strip."""
    return [CaptureMark(*row) for row in session.execute(
        select(Capture.captured_at, Capture.state, Capture.invalid_reason)
        .where(Capture.document_id == doc.id).order_by(Capture.captured_at))]


@dataclass(frozen=True)
class ClauseStage:
    """One text of a clause, the versions it appears in, and the redline from the previous text."""

    clause_id: int
    text: str
    seqs: list[int]
    ops: list | None  # [[op, text], ...] from the previous stage, when it was modified


def clause_lineage(session: Session, doc: Document, clause_id: int) -> list[ClauseStage]:
    """Every text one clause had in the document, oldest first, following the recorded
    modifications backwards and forwards from `clause_id`."""
    rows = session.execute(
        select(ClauseChange.old_clause_id, ClauseChange.new_clause_id, ClauseChange.word_ops)
        .join(Change, Change.id == ClauseChange.change_id)
        .where(Change.document_id == doc.id, ClauseChange.kind == "modified")
        .order_by(Change.id, ClauseChange.ordinal)).all()
    previous = {new: (old, ops) for old, new, ops in rows}
    following = {old: new for old, new, _ in rows}
    chain, seen = [clause_id], {clause_id}
    while chain[0] in previous and previous[chain[0]][0] not in seen:
        chain.insert(0, previous[chain[0]][0])
        seen.add(chain[0])
    while chain[-1] in following and following[chain[-1]] not in seen:
        chain.append(following[chain[-1]])
        seen.add(chain[-1])
    texts = dict(session.execute(select(Clause.id, Clause.text).where(Clause.id.in_(chain))).all())
    if clause_id not in texts:
        raise NotFound(f"no clause {clause_id}")
    seqs = _clause_seqs(session, doc, chain)
    return [ClauseStage(c, texts[c], seqs.get(c, []),
                        previous[c][1] if i and c in previous and previous[c][1] else None)
            for i, c in enumerate(chain)]


def _clause_seqs(session: Session, doc: Document, clause_ids: list[int]) -> dict[int, list[int]]:
    occurrences = session.execute(
        select(VersionClause.clause_id, VersionClause.first_seq, VersionClause.last_seq)
        .where(VersionClause.document_id == doc.id, VersionClause.clause_id.in_(clause_ids))).all()
    newest = newest_seq(session, doc)
    seqs: dict[int, set[int]] = {}
    for clause, first, last in occurrences:
        seqs.setdefault(clause, set()).update(range(first, (last or newest) + 1))
    return {clause: sorted(found) for clause, found in seqs.items()}
