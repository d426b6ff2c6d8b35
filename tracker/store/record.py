"""Writing a document's history: a new version with its clause occurrences, and the change
from the previous version with its clause changes, as computed by tracker.versions.

Clause texts are stored once; unchanged clauses keep their occurrence row (see
models.VersionClause), so storage grows with what changed, not with versions x clauses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import islice

from sqlalchemy import Text, delete, insert, select, type_coerce, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from tracker.diff import ClauseEdit, Kind, summarize
from tracker.normalize import NORMALIZER_VERSION, Block
from tracker.normalize.text import word_count
from tracker.store.clauses import StoredClause
from tracker.store.models import (
    Capture,
    Change,
    Clause,
    ClauseChange,
    Version,
    VersionClause,
)

KEY_GAP = 2**20  # room for 20 successive insertions at one spot before a renumbering
# The kinds whose old (new) side is several clauses: clause_change keeps every clause id of it.
MANY_OLD = (Kind.MERGED, Kind.REWRITTEN)
MANY_NEW = (Kind.SPLIT, Kind.REWRITTEN)
ROWS_PER_INSERT = 10_000  # more than a policy has clauses


@dataclass(frozen=True)
class NewVersion:
    """What the version stage hands over for a capture whose clause sequence is new."""

    blocks: tuple[Block, ...]
    clause_hash: str
    categories: tuple[tuple[str, ...], ...]  # per block
    effective_date: date | None
    edits: tuple[ClauseEdit, ...] = ()  # against `previous`, none for a first version


def extend_version(version: Version, capture: Capture) -> Version:
    """The capture shows the version's text again: it now lasts until this capture."""
    version.last_seen = max(version.last_seen, capture.captured_at)
    version.last_capture_id = capture.id
    version.capture_count += 1
    capture.version_id = version.id
    return version


def record_version(session: Session, capture: Capture, new: NewVersion, *, previous: Version | None,
                   old: list[StoredClause], technical: bool = False) -> Version:
    """Record a new version of the capture's document, first seen in `capture`, and the
    change from `previous` (whose clauses are `old`) as `new.edits` describe it. A version
    whose clause sequence an earlier one had returns to the latest such (`returns_to_id`)."""
    blocks = new.blocks
    version = Version(
        document_id=capture.document_id,
        seq=(previous.seq + 1) if previous else 1,
        first_seen=capture.captured_at,
        last_seen=capture.captured_at,
        first_capture_id=capture.id,
        last_capture_id=capture.id,
        capture_count=1,
        clause_hash=new.clause_hash,
        clause_count=len(blocks),
        word_count=sum(word_count(b.text) for b in blocks),
        normalizer_version=NORMALIZER_VERSION,
        effective_date=new.effective_date,
        returns_to_id=_earlier_version_id(session, capture.document_id, new.clause_hash),
    )
    session.add(version)
    session.flush()
    capture.version_id = version.id
    pairs = list(_carried_pairs(old, blocks, new.edits))
    clause_ids = _clause_ids(session, [b.text for b in blocks], new.categories, {n: old[o].clause_id for o, n in pairs})
    if previous is None:
        _open_occurrences(session, version, blocks, clause_ids, range(len(blocks)), {})
        return version
    carried = {n: old[o].sort_key for o, n in pairs}
    carried_ids = {old[o].occurrence_id for o, _ in pairs}
    fresh = [i for i in range(len(blocks)) if i not in carried]
    ended = [c.occurrence_id for c in old if c.occurrence_id not in carried_ids]
    if ended:
        session.execute(
            update(VersionClause).where(VersionClause.id.in_(ended)).values(last_seq=previous.seq)
            .execution_options(synchronize_session=False)
        )
    _open_occurrences(session, version, blocks, clause_ids, fresh, carried)
    _record_change(session, previous, version, old, new.edits, clause_ids, technical)
    return version


def _earlier_version_id(session: Session, document_id: int, clause_hash: str) -> int | None:
    """The latest earlier version with the same clause sequence: the new one returns to it."""
    return session.scalar(
        select(Version.id).where(Version.document_id == document_id, Version.clause_hash == clause_hash)
        .order_by(Version.seq.desc()).limit(1)
    )


def _clause_ids(session: Session, texts: list[str], categories: tuple[tuple[str, ...], ...],
                carried: dict[int, int]) -> list[int]:
    """Ids of the clause rows for `texts`. The `carried` positions' clause ids are known (an
    unchanged clause of the previous version); the others are looked up by hash, and the
    texts not stored yet inserted in one statement. A clause stored before categories
    existed gets them here."""
    hashes = {i: hashlib.sha256(texts[i].encode("utf-8")).hexdigest() for i in range(len(texts)) if i not in carried}
    known: dict[str, int] = {}
    uncategorised: set[int] = set()  # ids of stored clauses without categories
    unique = sorted(set(hashes.values()))
    for start in range(0, len(unique), 500):
        for h, stored_id, stored in session.execute(
            select(Clause.hash, Clause.id, type_coerce(Clause.categories, Text)).where(Clause.hash.in_(unique[start:start + 500]))
        ):
            known[h] = stored_id
            if stored == "[]":
                uncategorised.add(stored_id)
    ids = sorted(set(carried.values()))
    for start in range(0, len(ids), 500):
        uncategorised.update(session.scalars(select(Clause.id).where(
            Clause.id.in_(ids[start:start + 500]), type_coerce(Clause.categories, Text) == "[]")))
    fresh: dict[str, int] = {}  # hash -> position of its first occurrence
    for i, clause_categories in enumerate(categories):
        clause_id = carried[i] if i in carried else known.get(hashes[i])
        if clause_id in uncategorised:
            uncategorised.discard(clause_id)
            if clause_categories:  # (an empty list stays as it is)
                session.execute(update(Clause).where(Clause.id == clause_id).values(categories=list(clause_categories))
                                .execution_options(synchronize_session=False))
        if clause_id is None and hashes[i] not in fresh:
            fresh[hashes[i]] = i
    shared = session.get_bind().dialect.name == "postgresql"
    order = sorted(fresh) if shared else list(fresh)  # hash order: see _insert_shared
    rows = ({"hash": h, "text": texts[fresh[h]], "word_count": word_count(texts[fresh[h]]),
             "categories": list(categories[fresh[h]])} for h in order)
    if shared:
        known.update(_insert_shared(session, rows, order))
    else:  # one writer at a time
        new_ids = _insert(session, insert(Clause).returning(Clause.id, sort_by_parameter_order=True), rows,
                          returns_ids=True)
        known.update(zip(fresh, new_ids))
    return [carried[i] if i in carried else known[hashes[i]] for i in range(len(texts))]


def _insert_shared(session: Session, rows: Iterable[dict], hashes: list[str]) -> dict[str, int]:
    """Insert clause rows (given in hash order, so that two transactions inserting the same
    texts wait on each other in one order, never in a cycle) that workers deriving other
    documents may insert at the same time (distributed mode): a text another transaction
    stored first is left to it, then every id is read back by hash."""
    _insert(session, pg_insert(Clause).on_conflict_do_nothing(index_elements=["hash"]), rows)
    ids: dict[str, int] = {}
    for start in range(0, len(hashes), 500):
        ids.update(session.execute(select(Clause.hash, Clause.id).where(Clause.hash.in_(hashes[start:start + 500]))).all())
    return ids


def _insert(session: Session, statement, rows: Iterable[dict], *, returns_ids: bool = False) -> list[int]:
    """Execute a multi-row INSERT for `rows` (the ids it returns, if it returns them): one
    statement per table and capture, in slices of ROWS_PER_INSERT rows so that the rows of
    a page with 200,000 clauses are never all in memory at once."""
    ids: list[int] = []
    rows = iter(rows)
    while chunk := list(islice(rows, ROWS_PER_INSERT)):
        result = session.execute(statement, chunk)
        if returns_ids:
            ids += result.scalars()
    return ids


def _carried_pairs(old: list[StoredClause], new, changes):
    """(old index, new index) of unchanged clauses whose structure is unchanged too: these
    keep their occurrence row; anything else gets a fresh one."""
    for change in changes:
        if change.kind != Kind.UNCHANGED:
            continue
        o, n = old[change.old_index], new[change.new_index]
        if (o.kind, o.level, o.section) == (n.kind, n.level, tuple(n.section)):
            yield change.old_index, change.new_index


def _open_occurrences(session, version, blocks, clause_ids, fresh, carried: dict[int, int]) -> None:
    """Insert occurrence rows for the `fresh` new-side positions (one statement), with sort
    keys that fit between the carried clauses around them (renumbering everything if no room
    is left)."""
    keys = _allocate_keys(len(blocks), carried)
    if keys is None:
        # No gap left between two carried clauses: end every carried occurrence too and
        # start the whole version afresh. Rare (20+ insertions at one spot), never wrong.
        session.execute(
            update(VersionClause)
            .where(VersionClause.document_id == version.document_id, VersionClause.last_seq.is_(None))
            .values(last_seq=version.seq - 1)
            .execution_options(synchronize_session=False)
        )
        fresh, keys = range(len(blocks)), [(i + 1) * KEY_GAP for i in range(len(blocks))]
    _insert(session, insert(VersionClause), (
        {"document_id": version.document_id, "clause_id": clause_ids[i], "sort_key": keys[i],
         "kind": blocks[i].kind, "level": blocks[i].level, "section": list(blocks[i].section),
         "first_seq": version.seq, "last_seq": None} for i in fresh))


def _allocate_keys(n: int, carried: dict[int, int]) -> list[int] | None:
    keys: list[int] = [0] * n
    i = 0
    previous = 0
    while i < n:
        if i in carried:
            keys[i] = previous = carried[i]
            i += 1
            continue
        run_end = i
        while run_end < n and run_end not in carried:
            run_end += 1
        count = run_end - i
        upper = carried[run_end] if run_end < n else previous + (count + 1) * KEY_GAP
        step = (upper - previous) // (count + 1)
        if step < 1:
            return None
        for k in range(count):
            keys[i + k] = previous + step * (k + 1)
        previous = keys[run_end - 1]
        i = run_end
    return keys


def _record_change(session, old_version, new_version, old, changes, new_clause_ids,
                   technical: bool = False) -> Change:
    counts = summarize(changes)
    change = Change(
        document_id=new_version.document_id,
        from_version_id=old_version.id,
        to_version_id=new_version.id,
        added=counts["added"],
        removed=counts["removed"],
        modified=counts["modified"],
        moved=counts["moved"],
        unchanged=counts["unchanged"],
        split=counts["split"],
        merged=counts["merged"],
        rewritten=counts["rewritten"],
        material_count=counts["material"],
        cosmetic_count=counts["cosmetic"],
        material=counts["material"] > 0,
        technical=technical,
    )
    session.add(change)
    session.flush()
    _insert(session, insert(ClauseChange), ({
        "change_id": change.id,
        "ordinal": ordinal,
        "kind": c.kind,
        "old_clause_id": old[c.old_index].clause_id if c.old_index is not None else None,
        "new_clause_id": new_clause_ids[c.new_index] if c.new_index is not None else None,
        "old_position": c.old_index,
        "new_position": c.new_index,
        "old_section": None if c.old_section is None else list(c.old_section),
        "new_section": None if c.new_section is None else list(c.new_section),
        "similarity": c.similarity,
        "word_ops": [[op.op, op.text] for op in c.ops] if c.ops else None,
        "moved": c.moved,
        "old_clause_ids": [old[i].clause_id for i in c.old_indexes] if c.kind in MANY_OLD else None,
        "new_clause_ids": [new_clause_ids[j] for j in c.new_indexes] if c.kind in MANY_NEW else None,
        "flags": list(c.flags),
        "categories": list(c.categories),
        "cosmetic": c.cosmetic,
    } for ordinal, c in enumerate((c for c in changes if c.kind != Kind.UNCHANGED), 1)))
    return change


def forget_versions(session: Session, document_id: int) -> None:
    """Delete a document's derived rows (versions, occurrences, changes), keeping captures
    and the raw store, so the history can be derived again from scratch."""
    change_ids = select(Change.id).where(Change.document_id == document_id)
    session.execute(delete(ClauseChange).where(ClauseChange.change_id.in_(change_ids)))
    session.execute(delete(Change).where(Change.document_id == document_id))
    session.execute(delete(VersionClause).where(VersionClause.document_id == document_id))
    session.execute(update(Capture).where(Capture.document_id == document_id).values(version_id=None))
    session.execute(delete(Version).where(Version.document_id == document_id))
