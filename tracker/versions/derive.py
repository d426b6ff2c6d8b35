"""Versions from the raw store: fetched captures normalised, in time order, into versions
and changes (no network).

Two paths. The usual one is incremental: captures not yet placed are appended to the
history, committed every few captures so a killed run resumes where it stopped. The other
rebuilds a document's whole history: when a capture older than the history arrives (a
retried failure, a widened window), and for `tracker renormalize` after a normalizer
upgrade or an override edit.

Digests select changes by `change.created_at` and skip `technical` ones, so a rebuild must
not look like news: every change that corresponds to one recorded before (the same capture
starts its to-version, or the capture that started it before is one of the to-version's now:
a capture of the same text from another source arrived late, e.g. the archive's capture of a
page a live check found first) gets back that change's id, `created_at` and `technical` flag. What
is left is news when the rebuild was caused by a newly fetched capture, and technical (never
mailed) when it only comes from re-normalising the same bytes. A rebuild runs in one
transaction: killed half way, it leaves the old history as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, inspect, or_, select, update
from sqlalchemy.orm import Session, aliased

from tracker import diff
from tracker.normalize import Block, LinkList, Page, Target, remember_navigation, sequence_hash
from tracker.store import record as store
from tracker.store.clauses import latest_version, version_clauses
from tracker.store.documents import document_target
from tracker.store.models import Capture, CaptureState, Change, ClauseChange, Version
from tracker.store.overrides import document_overrides
from tracker.store.rawstore import RawStore
from tracker.versions.flips import flip_note, runs_apart, share
from tracker.versions.otherpage import not_a_policy, other_page, rejudged
from tracker.versions.parallel import Item, Plan, Prefetch, page_of

log = logging.getLogger(__name__)

BATCH = 50  # captures per transaction on the incremental path
NEARBY = timedelta(days=31)  # an import this close to a capture of equal text is the same version
JUNK_AHEAD = 3  # junk captures looked past for the capture that tells a flip
FLIP_CAPTURES = 2  # captures a flip may last (the run missing or shown in each)
BESIDE_SHARE = 0.1  # of a page's words, the most a flip in the capture that makes an edit holds


@dataclass
class RebuildStats:
    versions_before: int = 0
    versions_after: int = 0
    changes_kept: int = 0  # correspond to a change recorded before: id and date kept
    changes_new: int = 0  # only the rebuild found them
    changes_gone: int = 0  # recorded before, no longer a change
    invalid: int = 0


@dataclass
class DeriveStats:
    """What deriving met: versions added, captures found not to be a policy page."""

    versions: int = 0
    invalid: int = 0


def place_capture(session: Session, capture: Capture, blocks: tuple[Block, ...], *,
                  technical: bool = False, old: list | None = None) -> Version:
    """Attach a valid, normalised capture to its document's history (captures must arrive in
    timestamp order): the latest version again, or a new one with its diff from the latest.

    A capture extends the latest version when its clause sequence is equal; when it reads the
    same words flowed into other clauses (a re-flow: `diff.same_words`), the version keeps its
    clauses and this capture is one more of it; and when it comes from another source (an
    imported text beside an archive capture) within `NEARBY` of it and differs only
    cosmetically: the same text from two sources is one version with both.
    """
    latest = latest_version(session, capture.document_id)
    clause_hash = sequence_hash(blocks)
    if latest is not None and latest.clause_hash == clause_hash:
        return store.extend_version(latest, capture)
    if old is None:  # `old`: the latest version's clauses, when the caller has them
        old = version_clauses(session, latest) if latest is not None else []
    if latest is not None and diff.same_words((c.text for c in old), (b.text for b in blocks)):
        return store.extend_version(latest, capture)
    edits = tuple(diff.diff_clauses(old, blocks)) if latest is not None else ()
    if latest is not None and _same_text_other_source(session, latest, capture, edits):
        return store.extend_version(latest, capture)
    new = store.NewVersion(
        blocks=blocks,
        clause_hash=clause_hash,
        categories=tuple(diff.clause_categories(b.text) for b in blocks),
        effective_date=diff.find_effective_date(b.text for b in blocks),
        edits=edits,
    )
    return store.record_version(session, capture, new, previous=latest, old=old, technical=technical)


def _same_text_other_source(session: Session, latest: Version, capture: Capture, edits) -> bool:
    if abs(capture.captured_at - latest.last_seen) > NEARBY:
        return False
    last = session.get(Capture, latest.last_capture_id)
    return last is not None and last.source != capture.source and diff.summarize(edits)["material"] == 0


def derive_versions(sessions, raw: RawStore, document_id: int, pages: Prefetch | None = None) -> DeriveStats:
    """Place the document's fetched captures not yet placed (`pages`: normalised ahead, as
    `derive_plan` planned them)."""
    with sessions() as session:
        before = _version_count(session, document_id)
        again = _needs_rebuild(session, document_id)
    if again:
        log.info("document %s: capture older than its history; deriving it again", document_id)
        result = rebuild(sessions, raw, document_id, technical=False, pages=pages)
        return DeriveStats(result.versions_after - before, result.invalid)
    stats = DeriveStats()
    while True:
        with sessions.begin() as session:
            placed, invalid = _place(session, raw, document_id, limit=BATCH, pages=pages)
        stats.invalid += invalid
        if not placed and not invalid:
            break
    with sessions() as session:
        stats.versions = _version_count(session, document_id) - before
    return stats


def derive_plan(session: Session, raw: RawStore, document_id: int) -> Plan:
    """What `derive_versions` will normalise, for `Prefetch.plan`."""
    if _needs_rebuild(session, document_id):
        return rebuild_plan(session, raw, document_id)
    captures = session.scalars(_unplaced_query(document_id))
    return _plan(session, raw, document_id, captures, tuple(_navigation(session, document_id)), BATCH)


def rebuild_plan(session: Session, raw: RawStore, document_id: int) -> Plan:
    """What `rebuild` will normalise: every fetched capture, starting with no navigation."""
    captures = session.scalars(select(Capture).where(
        Capture.document_id == document_id, Capture.state == CaptureState.FETCHED,
    ).order_by(Capture.timestamp, Capture.id))
    return _plan(session, raw, document_id, captures, (), None)


def _plan(session: Session, raw: RawStore, document_id: int, captures, navigation, batch) -> Plan:
    rules, target = document_overrides(session, document_id), document_target(session, document_id)
    items = tuple(Item(c.id, c.raw_digest, _content_type(raw, c), rules.at(c.captured_at), target.at(c.url),
                       raw.size(c.raw_digest)) for c in captures)
    return Plan(document_id, items, navigation, batch)


def _needs_rebuild(session: Session, document_id: int) -> bool:
    """A capture older than the placed history arrived: the history is derived again."""
    oldest_unplaced = session.scalar(_unplaced_query(document_id).with_only_columns(
        func.min(Capture.timestamp)).order_by(None))
    newest_placed = session.scalar(select(func.max(Capture.timestamp)).where(
        Capture.document_id == document_id, Capture.version_id.is_not(None)))
    return bool(oldest_unplaced and newest_placed and oldest_unplaced < newest_placed)


def rebuild(sessions, raw: RawStore, document_id: int, *, technical: bool,
            pages: Prefetch | None = None) -> RebuildStats:
    """Derive the document's whole history again, keeping the identity of changes recorded
    before; `technical`: what the rebuild newly finds is not news (a re-normalisation)."""
    with sessions.begin() as session:
        return rebuild_in(session, raw, document_id, technical=technical, pages=pages)


def rebuild_in(session: Session, raw: RawStore, document_id: int, *, technical: bool,
               pages: Prefetch | None = None) -> RebuildStats:
    """`rebuild` in the caller's transaction (an import taking a capture out of a history
    rebuilds it in the transaction that moves the capture)."""
    stats = RebuildStats()
    recorded = _recorded_changes(session, document_id)
    stats.versions_before = _version_count(session, document_id)
    store.forget_versions(session, document_id)
    session.execute(
        update(Capture)
        .where(Capture.document_id == document_id, Capture.state == CaptureState.FETCHED)
        .values(invalid_reason=None, scope=None)
    )
    session.flush()
    _, stats.invalid = _place(session, raw, document_id, technical=technical, pages=pages)
    _restore(session, document_id, recorded, stats)
    stats.versions_after = _version_count(session, document_id)
    return stats


def _place(session: Session, raw: RawStore, document_id: int, *, limit: int | None = None,
           technical: bool = False, pages: Prefetch | None = None) -> tuple[int, int]:
    """Normalise and record unplaced captures in time order: (placed, invalid). Each capture
    is normalised with the navigation the document's earlier captures showed (menus told by
    their repetition across captures: tracker.normalize._navigation)."""
    source = _Pages(session, raw, document_id, pages)
    navigation = _navigation(session, document_id)
    query = _unplaced_query(document_id)
    captures = list(session.scalars(query.limit(limit) if limit else query))
    placed = invalid = 0
    one_version = True  # until a second version shows that the first stays
    for capture in captures:
        document, reason = source.page(capture, navigation)
        capture.scope = document.scope() if document is not None else None
        chosen = source.chosen(capture)  # a person chose the policy's element
        target = source.target.at(capture.url)
        if document is not None and not reason and not chosen:
            reason = _other_page(session, document_id, document, target)
        if reason or document is None:  # (a page without a reason to refuse it is never None)
            capture.invalid_reason = reason
            invalid += 1
            continue
        latest = latest_version(session, document_id)
        old = None
        if latest is not None and latest.clause_hash != sequence_hash(document.blocks):
            old = version_clauses(session, latest)
        flip = _flip(session, capture, document, old, source, navigation) if old and latest else None
        if flip and latest is not None:
            capture.scope = {**(capture.scope or {"dropped": []}), "note": flip}
            store.extend_version(latest, capture)
        else:
            rejudged = _rejudge_first_version(session, document_id, document, navigation, target) if (
                not chosen and one_version) else 0
            if rejudged:
                invalid, old = invalid + rejudged, None  # the first version is gone
            beside = _flip_beside_edit(session, capture, document, old, source, navigation) if old else None
            blocks = document.blocks
            if beside is not None:
                capture.scope = {**(capture.scope or {"dropped": []}), "note": beside[0]}
                blocks = beside[1].blocks
            version = place_capture(session, capture, blocks, technical=technical or capture.technical, old=old)
            one_version = version.seq == 1
        remember_navigation(navigation, document.navigation)
        placed += 1
    return placed, invalid


class _Pages:
    """The pages of a document's captures as `_place` meets them: the last one kept
    (successive captures usually hold the same bytes; one page at a time keeps memory bounded
    by the page, whatever the batch), and the next one when it was looked at ahead."""

    def __init__(self, session: Session, raw: RawStore, document_id: int, pages: Prefetch | None) -> None:
        self.raw, self.pages = raw, pages
        self.rules, self.target = document_overrides(session, document_id), document_target(session, document_id)
        self.last: tuple[tuple, tuple[Page | None, str | None]] | None = None

    def chosen(self, capture: Capture) -> bool:
        return any(rule.select for rule in self.rules.at(capture.captured_at))

    def page(self, capture: Capture, navigation: list[LinkList]) -> tuple[Page | None, str | None]:
        overrides = self.rules.at(capture.captured_at)
        content_type = _content_type(self.raw, capture)
        target = self.target.at(capture.url)
        key = (capture.raw_digest, content_type, overrides, target, tuple(navigation))
        if self.last is None or self.last[0] != key:
            self.last = None  # let the previous page go before normalising the next
            self.last = (key, _normalize_capture(self.raw, capture, content_type, overrides, target, key[4],
                                                 self.pages))
        return self.last[1]


def _flip(session: Session, capture: Capture, page: Page, old: list, source: _Pages,
          navigation: list[LinkList]) -> str | None:
    """Why this capture is a capture of the latest version (whose clauses are `old`) though
    it differs from it (a flip: `tracker.versions.flips`), or None. Looks at the next capture
    that is a page (past up to `JUNK_AHEAD` error pages and bot walls, which tell nothing),
    which must agree with the latest version about each run this capture lacks or shows; a
    next page lacking or showing the same runs (and nothing else) is looked past while the
    flip lasts at most `FLIP_CAPTURES`."""
    latest = [c.text for c in old]
    runs = runs_apart(latest, [b.text for b in page.blocks])
    if runs is None:
        return None
    captures = 1
    for following in _pages_after(session, capture, page, source, navigation, FLIP_CAPTURES):
        texts = [b.text for b in following.blocks]
        if all(run.kept_in(texts) for run in runs):
            return flip_note(runs, captures)
        if captures == FLIP_CAPTURES or runs_apart(latest, texts) != runs:
            return None
        captures += 1
    return None


def _flip_beside_edit(session: Session, capture: Capture, page: Page, old: list, source: _Pages,
                      navigation: list[LinkList]) -> tuple[str, Page] | None:
    """A flip in the capture that makes a real edit: the capture differs from the next page
    by a few runs it alone lacks or shows (`runs_apart`), about which the latest version
    (`old`) agrees with that next page word for word, and which hold at most `BESIDE_SHARE`
    of that page's words (a banner, a tool row, a notice: a large part missing from the
    capture that publishes an edit may be a part of that edit, put back later, and no real
    change may be lost). The new version is the next page's text, which holds the edit
    without the flip: returns the note and that page, or None."""
    for following in _pages_after(session, capture, page, source, navigation, 1):
        texts = [b.text for b in following.blocks]
        runs = runs_apart(texts, [b.text for b in page.blocks])
        if runs is None or share(runs, texts) > BESIDE_SHARE:
            return None
        if all(run.kept_in([c.text for c in old], edited=False) for run in runs):
            return flip_note(
                runs, 1, "(the version before and the next capture agree); a version of the next capture's text: "
                "the edit without the flip"), following
    return None


def _pages_after(session: Session, capture: Capture, page: Page, source: _Pages, navigation: list[LinkList],
                 pages: int) -> Iterator[Page]:
    """Up to `pages` next captures of the document that are pages, past up to `JUNK_AHEAD`
    error pages and bot walls, each normalised with the navigation shown before it."""
    after = session.scalars(_unplaced_query(capture.document_id).where(
        or_(Capture.timestamp > capture.timestamp, and_(Capture.timestamp == capture.timestamp, Capture.id > capture.id))
    ).limit(JUNK_AHEAD + pages)).all()
    ahead = list(navigation)
    remember_navigation(ahead, page.navigation)
    for later in after:
        following, reason = source.page(later, ahead)
        if reason or following is None:
            continue
        yield following
        pages -= 1
        if not pages:
            return
        remember_navigation(ahead, following.navigation)


def _rejudge_first_version(session: Session, document_id: int, page: Page, navigation: list, target: Target) -> int:
    """A history whose only version is another page than the policy this capture shows (a
    summary or landing page served before the policy was) does not start with it: that
    version's captures become invalid and this capture starts the history. Returns how many
    captures were re-judged."""
    first = latest_version(session, document_id)
    if first is None or first.seq != 1 or first.clause_hash == sequence_hash(page.blocks):
        return 0
    reason = rejudged(version_clauses(session, first), page.blocks, target)
    if reason is None:
        return 0
    session.flush()
    ids = list(session.scalars(select(Capture.id).where(Capture.version_id == first.id)))
    store.forget_versions(session, document_id)
    session.execute(update(Capture).where(Capture.id.in_(ids)).values(invalid_reason=reason)
                    .execution_options(synchronize_session=False))
    session.expire_all()
    navigation.clear()  # what that page showed is not the policy's navigation
    log.info("document %s: first version was another page; %d capture(s) re-judged", document_id, len(ids))
    return len(ids)


def _navigation(session: Session, document_id: int) -> list[LinkList]:
    """The link lists the document's placed captures judged navigation or kept as the
    policy's, oldest first, as their scope records them (a rebuild starts with none and
    learns them again in order)."""
    scopes = session.scalars(
        select(Capture.scope)
        .where(Capture.document_id == document_id, Capture.version_id.is_not(None), Capture.scope.is_not(None))
        .order_by(Capture.timestamp, Capture.id)
    )
    known: list[LinkList] = []
    for scope in scopes:
        remember_navigation(known, (LinkList.from_dict(d["navigation"]) for d in scope.get("dropped", ())
                                    if d.get("navigation")))
        remember_navigation(known, (LinkList.from_dict(k) for k in scope.get("kept_link_lists", ())))
    return known


def _unplaced_query(document_id: int):
    return (
        select(Capture)
        .where(
            Capture.document_id == document_id,
            Capture.state == CaptureState.FETCHED,
            Capture.version_id.is_(None),
            Capture.invalid_reason.is_(None),
        )
        .order_by(Capture.timestamp, Capture.id)
    )


def _content_type(raw: RawStore, capture: Capture) -> str | None:
    """An import's type is its importer's call (Markdown or HTML); a capture's is what the
    archive answered, kept with the bytes."""
    if capture.source != "wayback":
        return capture.mimetype
    assert capture.raw_digest is not None  # a fetched capture's bytes are in the raw store
    return raw.headers(capture.raw_digest).get("Content-Type")


def _normalize_capture(raw: RawStore, capture: Capture, content_type: str | None, overrides, target: Target,
                       navigation: tuple[LinkList, ...] = (),
                       pages: Prefetch | None = None) -> tuple[Page | None, str | None]:
    """The page as `page_of` makes it: a worker's when it was made from exactly these
    inputs, else normalised here."""
    if pages is not None:
        key = (capture.raw_digest, content_type, overrides, target, navigation)
        found = pages.take(capture.document_id, capture.id, key)
        if found is not None:
            return found
    assert capture.raw_digest is not None  # a fetched capture's bytes are in the raw store
    return page_of(raw.get(capture.raw_digest), content_type, overrides, navigation, target)


def _other_page(session: Session, document_id: int, page: Page, target: Target) -> str | None:
    latest = latest_version(session, document_id)
    if latest is None:
        return not_a_policy(page.title, page.blocks, target)
    return other_page(page.blocks, latest.word_count, lambda: version_clauses(session, latest), target=target)


@dataclass(frozen=True)
class _Recorded:
    id: int
    created_at: datetime
    technical: bool


def _recorded_changes(session: Session, document_id: int) -> dict[int, _Recorded]:
    """The document's changes by the first capture of their to-version."""
    to_version = aliased(Version)
    rows = session.execute(
        select(to_version.first_capture_id, Change.id, Change.created_at, Change.technical)
        .join(to_version, to_version.id == Change.to_version_id)
        .where(Change.document_id == document_id)
    )
    return {capture_id: _Recorded(change_id, created, technical)
            for capture_id, change_id, created, technical in rows}


def _restore(session: Session, document_id: int, recorded: dict[int, _Recorded], stats: RebuildStats) -> None:
    """Write the re-derived changes again: those that correspond to a recorded change under
    its id, date and flag, the others as they are. A row's id cannot change under its clause
    changes, and fresh ids may be old ones of other changes (SQLite reuses them), so every
    change of the document is taken out and written back."""
    to_version = aliased(Version)
    rows = session.execute(
        select(Change, to_version.first_capture_id)
        .join(to_version, to_version.id == Change.to_version_id)
        .where(Change.document_id == document_id)
        .order_by(Change.id)
    ).all()
    # The versions now holding a capture that started a recorded change, for a version that
    # starts earlier than it did (another source saw its text first).
    held: dict[int, list[int]] = {}
    for capture_id, version_id in session.execute(
            select(Capture.id, Capture.version_id).where(Capture.document_id == document_id,
                                                         Capture.version_id.is_not(None))):
        if capture_id in recorded and version_id is not None:
            held.setdefault(version_id, []).append(capture_id)
    rewritten = []
    for change, capture_id in rows:
        values = _columns(change, Change)
        clause_changes = session.scalars(select(ClauseChange).where(ClauseChange.change_id == change.id)).all()
        parts = [_columns(c, ClauseChange) for c in clause_changes]
        before = recorded.pop(capture_id, None)
        candidates = [c for c in held.get(change.to_version_id, ()) if c in recorded]
        if before is None and candidates:
            before = recorded.pop(min(candidates, key=lambda c: recorded[c].id))
        if before is None:
            stats.changes_new += 1
            values.pop("id")
        else:
            stats.changes_kept += 1
            values.update(id=before.id, created_at=before.created_at, technical=before.technical)
        rewritten.append((values, parts))
        session.expunge(change)
        for clause_change in clause_changes:
            session.expunge(clause_change)
    stats.changes_gone = len(recorded)
    ids = [change.id for change, _ in rows]
    session.execute(delete(ClauseChange).where(ClauseChange.change_id.in_(ids))
                    .execution_options(synchronize_session=False))
    session.execute(delete(Change).where(Change.id.in_(ids)).execution_options(synchronize_session=False))
    for values, parts in sorted(rewritten, key=lambda r: "id" not in r[0]):  # explicit ids first
        change = Change(**values)
        session.add(change)
        session.flush()
        session.add_all(ClauseChange(**{**part, "id": None, "change_id": change.id}) for part in parts)
    session.flush()


def _columns(row, model) -> dict:
    return {attr.key: getattr(row, attr.key) for attr in inspect(model).column_attrs}


def _version_count(session: Session, document_id: int) -> int:
    return session.execute(select(func.count(Version.id)).where(Version.document_id == document_id)).scalar_one()
