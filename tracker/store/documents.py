"""The catalogue of tracked documents: providers, their policy pages, and the pages' URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from tracker.config import SOURCES
from tracker.normalize import Target
from tracker.store.exceptions import InvalidName, InvalidSource, UnknownProvider
from tracker.store.models import (
    Capture,
    Document,
    DocumentUrl,
    JobRun,
    LivePage,
    NormalizerOverride,
    Provider,
    SaveRequest,
    Version,
)
from tracker.urls import check_url


def add_document(session: Session, url: str, provider: str, name: str = "Privacy Policy",
                 source: str | None = None, *, default_source: str = "wayback") -> Document:
    """Track `url` as provider's document `name`; adding a known URL changes nothing.

    A second URL for the same provider and document name is recorded as another address
    of the same page (policies move), so its captures merge into one timeline. `source`
    (one of SOURCES) sets where its checks look; None leaves a known document's as it is
    and gives a new one `default_source`.
    """
    url = check_url(url)
    provider_name, name = check_name("provider", provider), check_name("document", name)
    for given in (source, default_source):
        if given is not None and given not in SOURCES:
            raise InvalidSource(f"unknown source {given!r}: expected one of {', '.join(SOURCES)}")
    provider_row = _get_or_create(session, Provider, name=provider_name)
    known = session.scalar(select(Document.id).filter_by(provider_id=provider_row.id, name=name))
    document = _get_or_create(session, Document, provider_id=provider_row.id, name=name)
    if source is not None or known is None:
        document.source = source or default_source
    _get_or_create(session, DocumentUrl, document_id=document.id, url=url)
    return document


def current_url(document: Document) -> str:
    """The address a document has now: the last one added (a policy that moved is fetched
    where it went; the archive is asked about every address it had)."""
    return document.urls[-1].url


def mark_checked(document: Document, now: datetime) -> datetime:
    """Record that `document` was checked at `now` (listed, downloaded, derived: by a backfill
    or by the daemon, a backfill is a check); its next check is one cadence later."""
    document.last_checked_at = now
    document.next_check_at = now + timedelta(hours=document.check_interval_hours)
    return document.next_check_at


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_name(kind: str, value: str | None) -> str:
    """A provider or document name stripped, or InvalidName: not empty, on one line (it
    heads digests and file names), at most 200 characters (the column's size)."""
    text = (value or "").strip()
    if not text:
        raise InvalidName(f"{kind} name is empty")
    if _CONTROL.search(text):
        raise InvalidName(f"{kind} name holds a control character: {value!r}")
    if len(text) > 200:
        raise InvalidName(f"{kind} name is longer than 200 characters")
    return text


def ensure_document(session: Session, provider: str, name: str = "Privacy Policy",
                    url: str | None = None) -> Document:
    """The provider's document `name` (the provider matched case-insensitively, as the CLI
    finds it), created when absent; `url` is added as one of its addresses when given. Both
    names are checked before anything is written."""
    provider, name = _provider_name(session, provider), check_name("document", name)
    if url:
        return add_document(session, url, provider, name)
    provider_row = _get_or_create(session, Provider, name=provider)
    return _get_or_create(session, Document, provider_id=provider_row.id, name=name)


def forget_if_unused(session: Session, document_id: int) -> None:
    """Delete the document when nothing is left of it (no capture, URL, version, page rule
    or job run: an import filed it under a name since corrected), and its provider when it
    has no other document."""
    for model in (Capture, DocumentUrl, Version, NormalizerOverride, JobRun, LivePage, SaveRequest):
        if session.scalar(select(model.id).where(model.document_id == document_id).limit(1)) is not None:
            return
    provider_id = session.scalar(select(Document.provider_id).where(Document.id == document_id))
    session.execute(delete(Document).where(Document.id == document_id))
    if session.scalar(select(Document.id).where(Document.provider_id == provider_id).limit(1)) is None:
        session.execute(delete(Provider).where(Provider.id == provider_id))


def _provider_name(session: Session, provider: str) -> str:
    """The stored spelling of `provider` when one differs only in case, else `provider`."""
    name = check_name("provider", provider)
    stored = session.scalar(select(Provider.name).where(func.lower(Provider.name) == name.lower()).limit(1))
    return stored or name


def _get_or_create(session: Session, model, **key):
    """The row of `model` with these column values, inserted if absent (unique keys match).
    Two transactions creating the same row at once (workers keeping import batches that name
    one new provider): the second's insert waits for the first's commit, fails inside its
    savepoint, and the row the first made is taken."""
    row = session.scalars(select(model).filter_by(**key)).first()
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = model(**key)
            session.add(row)
    except IntegrityError:
        row = session.scalars(select(model).filter_by(**key)).first()
        if row is None:
            raise
    return row


def find_documents(session: Session, provider: str | None = None) -> list[Document]:
    """Documents of `provider` (case-insensitive), or all documents when it is None.

    Provider and URLs are loaded with them, so the result is usable after the session ends.
    """
    query = (
        select(Document)
        .join(Provider)
        .options(selectinload(Document.provider), selectinload(Document.urls))
        .order_by(Provider.name, Document.name)
    )
    if provider is not None:
        query = query.where(func.lower(Provider.name) == provider.strip().lower())
    documents = list(session.scalars(query))
    if provider is not None and not documents:
        raise UnknownProvider(f"unknown provider: {provider!r} (see `tracker list`)")
    return documents


@dataclass(frozen=True)
class DocumentTarget:
    """What a document's captures are normalised for (`tracker.normalize.Target`): the
    document's name, and the element id that those of its URLs given with a fragment
    (`https://example.com/legal#privacy`) name. The archive is asked for the URL without it."""

    name: str
    fragments: tuple[tuple[str, str], ...] = ()  # (URL as `_plain` gives it, fragment)

    def at(self, url: str | None) -> Target:
        """The target of a capture archived at `url` (http or https, with or without www.)."""
        plain = _plain(url) if url else None
        return Target(self.name, next((f for u, f in self.fragments if u == plain), None))

    def any(self) -> Target:
        """The target of a page from none of its URLs (a file): the first fragment given."""
        return Target(self.name, self.fragments[0][1] if self.fragments else None)


def document_target(session: Session, document_id: int) -> DocumentTarget:
    document = session.get_one(Document, document_id)
    urls = session.scalars(select(DocumentUrl.url).where(DocumentUrl.document_id == document_id)
                           .order_by(DocumentUrl.id))
    fragments = {_plain(url): urlsplit(url).fragment for url in urls if urlsplit(url).fragment}
    return DocumentTarget(document.name, tuple(fragments.items()))


def _plain(url: str) -> str:
    """A URL as the archive files it: no scheme, no www., no fragment, no trailing slash."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}?{parts.query}"
