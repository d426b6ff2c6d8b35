"""Keeping imported records as captures, idempotently and resumably, then deriving versions.

A record is skipped without reading its bytes when a capture of the same source and
locator (`source_ref`) is held, so a rerun costs one lookup per record. A record that
cannot be kept (a name with a control character, a blob missing, no date) is skipped with
one line naming it, before anything of it is written; the others go on. A held file given
again under other metadata (another provider, document, date or page URL) is not taken
for held: it is skipped with a line saying where it is held and how to move it, or, asked
to (`move`), moved: its capture leaves the old history, which is rebuilt at once, and the
old document goes when nothing else is left of it. Records are
committed in batches, bytes first (the raw store is written before the row that names
it): a run killed at any point loses at most its last batch's rows, which a rerun imports
again, and the derivation of every document left with unplaced captures runs again at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, time
from itertools import islice

from sqlalchemy import select

from tracker.backfill import Progress
from tracker.importers.exceptions import ImportFailed
from tracker.store.documents import ensure_document, forget_if_unused
from tracker.store.exceptions import InvalidName
from tracker.store.models import Capture, CaptureState, Document, utcnow
from tracker.store.rawstore import RawStore
from tracker.urls import InvalidURL, check_url
from tracker.versions import derive_versions, rebuild_in
from tracker.wayback import surt

BATCH = 200  # records per transaction
URL_SIZE = 2000  # capture.url and document_url.url hold this many characters


@dataclass(frozen=True)
class ImportRecord:
    """One version of a document's text as a dataset holds it."""

    provider: str
    document: str
    url: str | None  # the policy page's address, when the source names it
    captured_at: datetime  # when the text was captured (or the date it states)
    body: bytes
    content_type: str  # text/markdown, text/html (with charset)
    source: str  # file | citp | ota
    source_ref: str  # locator, unique per source: a path, dataset@commit:path
    source_url: str | None = None  # a link to the record's origin
    technical: bool = False  # the source calls it a re-extraction of unchanged text


@dataclass
class ImportStats:
    read: int = 0  # records offered
    added: int = 0  # new captures
    held: int = 0  # already imported (same source and locator)
    technical: int = 0  # of the added, records the source calls technical
    moved: int = 0  # of the added, held records filed elsewhere before
    skipped: list[str] = field(default_factory=list)  # one line per record not imported
    documents: int = 0  # documents derived
    versions: int = 0  # versions added by the derivation
    invalid: int = 0  # records that are not a policy (near-empty, error page)

    def line(self) -> str:
        moved = f", {self.moved} moved" if self.moved else ""
        return (f"read {self.read}, imported {self.added} ({self.technical} technical{moved}), "
                f"already held {self.held}, "
                f"skipped {len(self.skipped)}; {self.documents} documents derived, new versions {self.versions}, "
                f"invalid {self.invalid}")


@dataclass(frozen=True)
class Place:
    """Where a record is filed: what a person may correct on a rerun."""

    provider: str
    document: str
    captured_at: datetime
    url: str | None  # the page's URL, when the record gives one

    def same(self, other: Place) -> bool:
        return (self.provider.strip().lower(), self.document.strip(), self.captured_at, self.url) == (
            other.provider.strip().lower(), other.document.strip(), other.captured_at, other.url)

    def __str__(self) -> str:
        when = self.captured_at
        date = f"{when:%Y-%m-%d}" if when.time() == time() else when.isoformat(sep=" ")
        return (f"provider {self.provider!r}, document {self.document!r}, dated {date}"
                + (f", page {self.url}" if self.url else ""))


@dataclass(frozen=True)
class PendingRecord:
    """A record known by its locator; `load` reads it (a str: the line skipping it).
    `amend`, for records people file themselves (files): the record as this run gives it
    when it is held already, what the run leaves unsaid taken from where it is held."""

    source: str
    source_ref: str
    load: Callable[..., ImportRecord | str]  # called with no argument (its defaults bind a loop's values)
    amend: Callable[..., ImportRecord | str] | None = None  # called with the Place it is held at


def store_records(sessions, raw: RawStore, records: Iterable[PendingRecord], stats: ImportStats,
                  progress: Progress | None = None, total: int = 0, *, move: bool = False) -> set[int]:
    """Keep each record not held yet as a fetched capture (`move`: a held one given another
    place is moved there); return the ids of the documents that gained captures."""
    touched: set[int] = set()
    if progress:
        progress.start("reading", total)
    try:
        with sessions() as session:
            _store(session, raw, records, stats, progress, touched, move)
    finally:
        if progress:
            progress.finish()
    return touched


def _store(session, raw: RawStore, records: Iterable[PendingRecord], stats: ImportStats,
           progress: Progress | None, touched: set[int], move: bool) -> None:
    pending = 0
    for record in records:
        stats.read += 1
        if progress:
            progress.advance()
        held = _held(session, record.source, record.source_ref)
        if held is not None and record.amend is None:
            stats.held += 1
            continue
        try:
            if held is not None:
                document_id = _again(session, raw, record, held, stats, move)
            else:
                loaded = record.load()
                if isinstance(loaded, str):
                    stats.skipped.append(loaded)
                    continue
                document_id = _keep(session, raw, loaded, stats)
        except (InvalidName, ImportFailed) as exc:  # raised before anything of the record is written
            stats.skipped.append(f"{record.source_ref}: {exc}")
            continue
        if document_id is not None:
            touched.add(document_id)
        pending += 1
        if pending >= BATCH:
            session.commit()
            pending = 0
    session.commit()


def queue_records(sessions, raw: RawStore, records: Iterable[PendingRecord], stats: ImportStats,
                  enqueue: Callable[[list[dict]], None], progress: Progress | None = None,
                  total: int = 0, batch_size: int = BATCH) -> tuple[int, int]:
    """Distributed mode (`tracker import ... --queue`): each record not held yet goes into the
    raw store, and every `batch_size` of them to `enqueue` as plain data (`record_data`), for a
    worker to keep (`keep_batch`); a held one is told as `store_records` tells it. Returns
    how many records were enqueued, in how many batches; no row is written here."""
    batch: list[dict] = []
    queued = batches = 0
    if progress:
        progress.start("reading", total)
    try:
        with sessions() as session:
            for record, held in _with_held(session, records, batch_size):
                stats.read += 1
                if progress:
                    progress.advance()
                if held is not None:
                    if record.amend is None:
                        stats.held += 1
                    else:
                        _again(session, raw, record, held, stats, move=False)  # writes nothing
                    continue
                loaded = record.load()
                if isinstance(loaded, str):
                    stats.skipped.append(loaded)
                    continue
                batch.append(record_data(loaded, raw.put(loaded.body, {"Content-Type": loaded.content_type})))
                if len(batch) >= batch_size:
                    enqueue(batch)
                    queued, batches, batch = queued + len(batch), batches + 1, []
        if batch:
            enqueue(batch)
            queued, batches = queued + len(batch), batches + 1
    finally:
        if progress:
            progress.finish()
    return queued, batches


def _with_held(session, records: Iterable[PendingRecord], chunk: int) -> Iterator[tuple[PendingRecord, int | None]]:
    """Each record with the capture an earlier import kept of it (`_held`), looked up
    `chunk` records at a time: one query, not one a record."""
    pending = iter(records)
    while part := list(islice(pending, chunk)):
        held = _held_many(session, [(record.source, record.source_ref) for record in part])
        for record in part:
            yield record, held.get((record.source, record.source_ref))


def _held_many(session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """`_held` of many records: (source, locator) -> the capture kept of it."""
    found: dict[tuple[str, str], int] = {}
    for source in {source for source, _ in keys}:
        refs = list({ref for s, ref in keys if s == source})
        for ref, capture_id in session.execute(select(Capture.source_ref, Capture.id).where(
                Capture.source == source, Capture.source_ref.in_(refs)).order_by(Capture.id.desc())):
            found[(source, ref)] = capture_id  # the first kept, as _held's LIMIT 1 finds one
    return found


def _held(session, source: str, source_ref: str) -> int | None:
    """The capture an earlier import kept of this record (its source and locator), if any."""
    return session.scalar(select(Capture.id).where(Capture.source == source, Capture.source_ref == source_ref)
                          .limit(1))


def record_data(record: ImportRecord, digest: str) -> dict:
    """A record as a job carries it: its bytes stay in the raw store, named by `digest`."""
    data = {name: value for name, value in asdict(record).items() if name != "body"}
    return {**data, "captured_at": record.captured_at.isoformat(), "digest": digest}


def keep_batch(sessions, raw: RawStore, batch: list[dict], stats: ImportStats) -> dict[int, int]:
    """A worker's half of a queued import: keep each record of `batch` not held yet, in one
    transaction (a retried job finds its records held); the documents that gained captures,
    with how many each gained."""
    touched: dict[int, int] = {}
    with sessions.begin() as session:
        held = set(_held_many(session, [(data["source"], data["source_ref"]) for data in batch]))
        for data in batch:
            stats.read += 1
            key = (data["source"], data["source_ref"])
            if key in held:  # kept before, or earlier in this batch
                stats.held += 1
                continue
            fields = {name: value for name, value in data.items() if name != "digest"}
            record = ImportRecord(**{**fields, "captured_at": datetime.fromisoformat(data["captured_at"]),
                                     "body": raw.get(data["digest"])})
            try:
                document_id = _keep(session, raw, record, stats)
            except (InvalidName, ImportFailed) as exc:  # raised before anything of the record is written
                stats.skipped.append(f"{record.source_ref}: {exc}")
                continue
            if document_id is not None:
                touched[document_id] = touched.get(document_id, 0) + 1
                held.add(key)
    return touched


def _again(session, raw: RawStore, record: PendingRecord, held_id: int, stats: ImportStats,
           move: bool) -> int | None:
    """A held record given again: held, unless this run files it elsewhere; then skipped
    with where it is held and how to move it, or (`move`) moved. The moved capture's
    document, or None."""
    held = session.scalars(select(Capture).where(Capture.id == held_id)).one()
    document = session.scalars(select(Document).where(Document.id == held.document_id)).one()
    was = Place(document.provider.name, document.name, held.captured_at, held.url if held.urlkey else None)
    loaded = record.amend(was) if record.amend else None
    if loaded is None or isinstance(loaded, str) or _place(loaded).same(was):
        stats.held += 1
        return None
    if not move:
        stats.skipped.append(f"{record.source_ref}: held as {was}; rerun with --move to file it as "
                             f"{_place(loaded)} instead")
        return None
    moved_to = _keep(session, raw, loaded, stats, replacing=held)
    if moved_to is None:  # another record is there already: the held one stays
        return None
    rebuild_in(session, raw, document.id, technical=True)  # a correction: nothing it finds is news
    forget_if_unused(session, document.id)
    stats.moved += 1
    return moved_to


def _place(record: ImportRecord) -> Place:
    return Place(record.provider, record.document, record.captured_at, _page_url(record.url))


def _keep(session, raw: RawStore, record: ImportRecord, stats: ImportStats,
          replacing: Capture | None = None) -> int | None:
    """Keep `record` as a capture (`replacing` the held one it corrects): its document, or
    None when another record has its time and URL."""
    page_url = _page_url(record.url)
    url = next((u for u in (page_url, _web_link(record.source_url), record.source_ref) if u and len(u) <= URL_SIZE),
               None)
    if url is None:
        raise ImportFailed(f"its locator is longer than {URL_SIZE} characters")
    document = ensure_document(session, record.provider, record.document, page_url)
    timestamp = record.captured_at.strftime("%Y%m%d%H%M%S")
    if session.scalar(select(Capture.id).where(
            Capture.document_id == document.id, Capture.timestamp == timestamp,
            Capture.url == url, Capture.source == record.source)):
        stats.skipped.append(f"{record.source_ref}: another record of {record.source} has the same time "
                             f"({timestamp}) and URL")
        return None
    if replacing is not None:
        session.delete(replacing)
        session.flush()
    digest = raw.put(record.body, {"Content-Type": record.content_type})
    session.add(Capture(
        document_id=document.id, url=url, timestamp=timestamp, captured_at=record.captured_at,
        urlkey=surt(page_url) if page_url else "", mimetype=record.content_type, statuscode="200",
        cdx_digest=digest, length=str(len(record.body)), state=CaptureState.FETCHED, raw_digest=digest,
        fetched_at=utcnow(), source=record.source, source_ref=record.source_ref,
        source_url=_web_link(record.source_url), technical=record.technical,
    ))
    session.flush()
    stats.added += 1
    stats.technical += record.technical
    return document.id


def _page_url(url: str | None) -> str | None:
    """A dataset's page URL when it is one the archive could hold (a record is not skipped
    for a malformed one: its text is still the policy's)."""
    try:
        checked = check_url(url) if url else None
    except InvalidURL:
        return None
    return checked if checked and len(checked) <= URL_SIZE else None


def _web_link(url: str | None) -> str | None:
    """Only http(s) links are kept: digests and views render them as links."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def derive_imported(sessions, raw: RawStore, document_ids: set[int], stats: ImportStats,
                    progress: Progress | None = None) -> None:
    """Derive the touched documents, and any a killed run left with unplaced imports."""
    with sessions() as session:
        left = set(session.scalars(select(Capture.document_id).distinct().where(
            Capture.source != "wayback", Capture.state == CaptureState.FETCHED,
            Capture.version_id.is_(None), Capture.invalid_reason.is_(None))))
    todo = sorted(document_ids | left)
    if progress:
        progress.start("deriving", len(todo))
    try:
        for document_id in todo:
            derived = derive_versions(sessions, raw, document_id)
            stats.versions += derived.versions
            stats.invalid += derived.invalid
            stats.documents += 1
            if progress:
                progress.advance()
    finally:
        if progress:
            progress.finish()
