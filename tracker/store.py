"""The versioned store: turns normalised captures, in time order, into versions and changes.

A capture whose clause sequence equals the latest version's only moves that version's
`last_seen`. Otherwise a new version is recorded: clause texts are stored once, unchanged
clauses keep their occurrence row (see models.VersionClause), and the clause-level diff
against the previous version is stored as a `change` with its `clause_change` rows.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from tracker import diff
from tracker.categories import clause_categories
from tracker.effective_date import find_effective_date
from tracker.models import (
    Capture,
    Change,
    Clause,
    ClauseChange,
    Version,
    VersionClause,
)
from tracker.normalize import NORMALIZER_VERSION, Block

KEY_GAP = 2**20  # room for 20 successive insertions at one spot before a renumbering
NEARBY = timedelta(days=31)  # an import this close to a capture of equal text is the same version


@dataclass(frozen=True)
class StoredClause:
    """A clause occurrence as read back from the database, shaped like a normaliser Block."""

    occurrence_id: int
    clause_id: int
    sort_key: int
    kind: str
    level: int
    text: str
    section: tuple[str, ...]


def sequence_hash(blocks: list[Block] | tuple[Block, ...]) -> str:
    """Identity of a version: the sequence of clause texts (markup and block kinds excluded,
    so that a paragraph restyled as a heading is not a policy change)."""
    digest = hashlib.sha256()
    for block in blocks:
        digest.update(block.text.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def word_count(text: str) -> int:
    return len(text.split())


def latest_version(session: Session, document_id: int) -> Version | None:
    return session.scalars(
        select(Version).where(Version.document_id == document_id).order_by(Version.seq.desc()).limit(1)
    ).first()


def version_clauses(session: Session, version: Version) -> list[StoredClause]:
    """The clauses of `version` in order."""
    rows = session.execute(
        select(VersionClause, Clause.text)
        .join(Clause, Clause.id == VersionClause.clause_id)
        .where(
            VersionClause.document_id == version.document_id,
            VersionClause.first_seq <= version.seq,
            (VersionClause.last_seq.is_(None)) | (VersionClause.last_seq >= version.seq),
        )
        .order_by(VersionClause.sort_key)
    ).all()
    return [
        StoredClause(vc.id, vc.clause_id, vc.sort_key, vc.kind, vc.level, text,
                     tuple(json.loads(vc.section)))
        for vc, text in rows
    ]


def record_capture(session: Session, capture: Capture, blocks: tuple[Block, ...], *,
                   technical: bool = False) -> Version:
    """Attach a valid, normalised capture to the document's history; return its version.

    Captures must arrive in timestamp order (see `derive.derive_versions`). A capture joins
    the latest version when its clause sequence is equal, or when it comes from another
    source (an import beside an archive capture) within `NEARBY` of it and differs only
    cosmetically: the same text from two sources is one version with both sources.
    """
    latest = latest_version(session, capture.document_id)
    seq_hash = sequence_hash(blocks)
    if latest is not None and latest.clause_hash == seq_hash:
        return _join(latest, capture)
    old = changes = None
    if latest is not None:
        old = version_clauses(session, latest)
        changes = diff.diff_clauses(old, blocks)
        if _same_text_other_source(session, latest, capture, changes):
            return _join(latest, capture)
    version = Version(
        document_id=capture.document_id,
        seq=(latest.seq + 1) if latest else 1,
        first_seen=capture.captured_at,
        last_seen=capture.captured_at,
        first_capture_id=capture.id,
        last_capture_id=capture.id,
        capture_count=1,
        clause_hash=seq_hash,
        clause_count=len(blocks),
        word_count=sum(word_count(b.text) for b in blocks),
        normalizer_version=NORMALIZER_VERSION,
        effective_date=find_effective_date(b.text for b in blocks),
    )
    session.add(version)
    session.flush()
    capture.version_id = version.id
    clause_ids = _clause_ids(session, [b.text for b in blocks])
    if latest is None:
        _open_occurrences(session, version, blocks, clause_ids, range(len(blocks)), {})
        return version
    pairs = list(_carried_pairs(old, blocks, changes))
    carried = {n: old[o].sort_key for o, n in pairs}
    carried_ids = {old[o].occurrence_id for o, _ in pairs}
    fresh = [i for i in range(len(blocks)) if i not in carried]
    ended = [c.occurrence_id for c in old if c.occurrence_id not in carried_ids]
    if ended:
        session.execute(
            update(VersionClause).where(VersionClause.id.in_(ended)).values(last_seq=latest.seq)
        )
    _open_occurrences(session, version, blocks, clause_ids, fresh, carried)
    _record_change(session, latest, version, old, blocks, changes, clause_ids, technical)
    return version


def _join(version: Version, capture: Capture) -> Version:
    version.last_seen = max(version.last_seen, capture.captured_at)
    version.last_capture_id = capture.id
    version.capture_count += 1
    capture.version_id = version.id
    return version


def _same_text_other_source(session: Session, latest: Version, capture: Capture, changes) -> bool:
    if abs(capture.captured_at - latest.last_seen) > NEARBY:
        return False
    last = session.get(Capture, latest.last_capture_id)
    return last is not None and last.source != capture.source and diff.summarize(changes)["material"] == 0


def _clause_ids(session: Session, texts: list[str]) -> list[int]:
    """Ids of the clause rows for `texts`, inserting the texts not stored yet (with their
    categories; a clause stored before categories existed gets them here)."""
    hashes = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
    known: dict[str, int] = {}
    uncategorised: set[str] = set()
    unique = sorted(set(hashes))
    for start in range(0, len(unique), 500):
        chunk = unique[start:start + 500]
        for h, clause_id, categories in session.execute(
            select(Clause.hash, Clause.id, Clause.categories).where(Clause.hash.in_(chunk))
        ):
            known[h] = clause_id
            if categories == "[]":
                uncategorised.add(h)
    for text, h in zip(texts, hashes):
        if h in uncategorised:
            uncategorised.discard(h)
            session.execute(update(Clause).where(Clause.id == known[h]).values(categories=_categories_json(text)))
        if h not in known:
            clause = Clause(hash=h, text=text, word_count=word_count(text), categories=_categories_json(text))
            session.add(clause)
            session.flush()
            known[h] = clause.id
    return [known[h] for h in hashes]


def _categories_json(text: str) -> str:
    return json.dumps(list(clause_categories(text)))


def _carried_pairs(old: list[StoredClause], new, changes):
    """(old index, new index) of unchanged clauses whose structure is unchanged too: these
    keep their occurrence row; anything else gets a fresh one."""
    for change in changes:
        if change.kind != "unchanged":
            continue
        o, n = old[change.old_index], new[change.new_index]
        if (o.kind, o.level, o.section) == (n.kind, n.level, tuple(n.section)):
            yield change.old_index, change.new_index


def _open_occurrences(session, version, blocks, clause_ids, fresh, carried: dict[int, int]) -> None:
    """Insert occurrence rows for the `fresh` new-side positions, with sort keys that fit
    between the carried clauses around them (renumbering everything if no room is left)."""
    keys = _allocate_keys(len(blocks), carried)
    if keys is None:
        # No gap left between two carried clauses: end every carried occurrence too and
        # start the whole version afresh. Rare (20+ insertions at one spot), never wrong.
        session.execute(
            update(VersionClause)
            .where(VersionClause.document_id == version.document_id, VersionClause.last_seq.is_(None))
            .values(last_seq=version.seq - 1)
        )
        fresh, keys = range(len(blocks)), [(i + 1) * KEY_GAP for i in range(len(blocks))]
    for i in fresh:
        block = blocks[i]
        session.add(VersionClause(
            document_id=version.document_id,
            clause_id=clause_ids[i],
            sort_key=keys[i],
            kind=block.kind,
            level=block.level,
            section=json.dumps(list(block.section), ensure_ascii=False),
            first_seq=version.seq,
            last_seq=None,
        ))


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


def _record_change(session, old_version, new_version, old, new, changes, new_clause_ids,
                   technical: bool = False) -> Change:
    counts = diff.summarize(changes)
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
        material_count=counts["material"],
        cosmetic_count=counts["cosmetic"],
        material=counts["material"] > 0,
        technical=technical,
    )
    session.add(change)
    session.flush()
    ordinal = 0
    for c in changes:
        if c.kind == "unchanged":
            continue
        ordinal += 1
        session.add(ClauseChange(
            change_id=change.id,
            ordinal=ordinal,
            kind=c.kind,
            old_clause_id=old[c.old_index].clause_id if c.old_index is not None else None,
            new_clause_id=new_clause_ids[c.new_index] if c.new_index is not None else None,
            old_position=c.old_index,
            new_position=c.new_index,
            old_section=_section_json(c.old_section),
            new_section=_section_json(c.new_section),
            similarity=c.similarity,
            word_ops=json.dumps([[op.op, op.text] for op in c.ops], ensure_ascii=False) if c.ops else None,
            moved=c.moved,
            old_clause_ids=json.dumps([old[i].clause_id for i in c.old_indexes]) if c.kind == "merged" else None,
            new_clause_ids=json.dumps([new_clause_ids[j] for j in c.new_indexes]) if c.kind == "split" else None,
            flags=json.dumps(list(c.flags)),
            categories=json.dumps(list(c.categories)),
            cosmetic=c.cosmetic,
        ))
    return change


def _section_json(section) -> str | None:
    return None if section is None else json.dumps(list(section), ensure_ascii=False)


def forget_versions(session: Session, document_id: int) -> None:
    """Delete a document's derived rows (versions, occurrences, changes), keeping captures
    and the raw store, so the history can be derived again from scratch."""
    change_ids = select(Change.id).where(Change.document_id == document_id)
    session.execute(delete(ClauseChange).where(ClauseChange.change_id.in_(change_ids)))
    session.execute(delete(Change).where(Change.document_id == document_id))
    session.execute(delete(VersionClause).where(VersionClause.document_id == document_id))
    session.execute(update(Capture).where(Capture.document_id == document_id).values(version_id=None))
    session.execute(delete(Version).where(Version.document_id == document_id))


def timestamp_to_datetime(timestamp: str) -> datetime:
    return datetime.strptime(timestamp.ljust(14, "0"), "%Y%m%d%H%M%S")
