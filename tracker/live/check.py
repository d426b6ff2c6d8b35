"""A live check: fetch a document's page from its own site and keep what is new as a
capture (`source` = `live`), derived on the one timeline with the archive's captures and the
imports (tracker.versions: a live and an archive capture of the same text are one version);
a version it starts is handed to Save Page Now (saves.py) when that is on.

What the site answered is kept per document (`live_page`): the validators that make the next
request conditional, and the outcome `tracker status` shows. The same bytes again (a site
that ignores validators) are no new capture. A page that refuses the tracker (401, 403, 451,
a bot challenge or a login wall where the policy should be) is reported once, when it starts
refusing, and left alone for `BLOCKED_RETRY`; robots.txt's "no" is consulted at every check
(the fetcher reads robots.txt once a day) and the page itself is never asked; a 429 waits
for its Retry-After.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urldefrag

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.backfill import settle
from tracker.live._fetch import LiveAnswer, LiveFetcher, Validators
from tracker.live.exceptions import NoAddress
from tracker.live.saves import queue_save
from tracker.store.documents import current_url
from tracker.store.models import Capture, Document, LivePage, Version, utcnow
from tracker.store.rawstore import RawStore
from tracker.versions import derive_versions
from tracker.wayback import surt

log = logging.getLogger(__name__)

BLOCKED_RETRY = timedelta(days=7)  # a page that refuses the tracker is asked again this much later
RATE_LIMIT_WAIT = timedelta(hours=1)  # after a 429 that names no Retry-After
LONGEST_WAIT = timedelta(days=7)  # a Retry-After longer than this is read as this
_REFUSING_PAGES = ("bot challenge", "login wall")  # invalid captures that are the site keeping us out


@dataclass
class LiveResult:
    """What one live check did: `outcome` (as `tracker status` shows it), the HTTP status,
    whether it kept a new capture, the versions that added, the saves it queued, and
    `skipped` when the page was not asked (blocked, or rate-limited until later)."""

    outcome: str
    status: int | None = None
    new_capture: bool = False
    versions: int = 0
    saves: int = 0
    skipped: bool = False


def check_live(sessions: sessionmaker[Session], fetcher: LiveFetcher, raw: RawStore, document_id: int, *,
               now: datetime | None = None, save: bool = False) -> LiveResult:
    """Fetch the document's page once and record what it answered; `save`: hand a version
    this starts to Save Page Now. `now` (UTC) dates the capture (a bench's simulated time)."""
    now = (now or utcnow()).replace(microsecond=0)
    with sessions() as session:
        document = session.get_one(Document, document_id)
        if not document.urls:
            raise NoAddress(f"{document.provider.name} / {document.name} has no address to fetch "
                            f"(tracker add URL --provider ... --document ...)")
        url = urldefrag(current_url(document)).url
        label = f"{document.provider.name} / {document.name}"
        page = session.scalar(select(LivePage).where(LivePage.document_id == document_id))
        if page is not None and page.retry_at is not None and page.retry_at > now:
            return LiveResult(page.outcome, page.http_status, skipped=True)
        validators = _validators(session, page, url)
    answer = fetcher.fetch(url, validators)
    result = LiveResult(answer.reason, answer.status)
    with sessions.begin() as session:
        page = _page(session, document_id, url)
        previous, was_blocked = page.outcome, page.blocked_since is not None
        capture_id = _record(session, raw, page, answer, url, now, result)
        blocked = page.blocked_since is not None
    if capture_id is not None:
        result.versions = derive_versions(sessions, raw, document_id).versions
        with sessions.begin() as session:
            capture = session.get_one(Capture, capture_id)
            reason = capture.invalid_reason or ""
            if reason.startswith(_REFUSING_PAGES):
                page = _page(session, document_id, url)
                kind = reason.split(":")[0]
                result.outcome = page.outcome = f"HTTP {answer.status} with a {kind}: the site keeps the tracker out"
                _block(page, now, BLOCKED_RETRY)
                blocked = True
            elif save and _starts_a_version(session, capture):
                result.saves = queue_save(session, capture, now)
    _tell(label, result, previous, was_blocked, blocked)
    return result


def _validators(session: Session, page: LivePage | None, url: str) -> Validators:
    """The last answer's validators, when they are this URL's and a live capture holds what
    they stand for (a 304 must refer to bytes the tracker has)."""
    if page is None or page.url != url:
        return Validators()
    held = session.scalar(select(Capture.id).where(Capture.document_id == page.document_id,
                                                   Capture.source == "live").limit(1))
    return Validators(page.etag, page.last_modified) if held is not None else Validators()


def _page(session: Session, document_id: int, url: str) -> LivePage:
    page = session.scalar(select(LivePage).where(LivePage.document_id == document_id))
    if page is None:
        page = LivePage(document_id=document_id, url=url, checked_at=utcnow(), outcome="")
        session.add(page)
    return page


def _record(session: Session, raw: RawStore, page: LivePage, answer: LiveAnswer, url: str, now: datetime,
            result: LiveResult) -> int | None:
    """The answer on the document's live page; the new capture's id when it brought one."""
    capture_id = None
    if answer.kind in ("page", "not_modified"):
        page.blocked_since = page.retry_at = None
        if answer.kind == "page":
            capture_id = _keep(session, raw, page.document_id, url, answer, now)
            result.new_capture = capture_id is not None
            result.outcome = f"{answer.status}: {'new capture' if capture_id else 'the same bytes again'}"
        if answer.kind == "page" or answer.validators.etag or answer.validators.last_modified:
            page.etag, page.last_modified = answer.validators.etag, answer.validators.last_modified
    elif answer.kind == "disallowed":
        _block(page, now, None)
    elif answer.kind == "blocked":
        _block(page, now, BLOCKED_RETRY)
    elif answer.kind == "rate_limited":
        wait = timedelta(seconds=answer.retry_after) if answer.retry_after is not None else RATE_LIMIT_WAIT
        page.retry_at = now + min(wait, LONGEST_WAIT)
        result.outcome = f"{answer.reason}; next request after {page.retry_at:%Y-%m-%d %H:%M} UTC"
    page.url, page.checked_at, page.outcome, page.http_status = url, now, result.outcome, answer.status
    return capture_id


def _block(page: LivePage, now: datetime, retry: timedelta | None) -> None:
    page.blocked_since = page.blocked_since or now
    page.retry_at = now + retry if retry is not None else None


def _keep(session: Session, raw: RawStore, document_id: int, url: str, answer: LiveAnswer,
          now: datetime) -> int | None:
    """The page's bytes as a live capture, unless they are the last live capture's again. A
    capture is dated to the second: a second one within the same second takes the next."""
    content_type = (answer.content_type or "text/html")[:200]
    digest = raw.put(answer.body, {"Content-Type": content_type})
    last = session.scalar(select(Capture.raw_digest).where(Capture.document_id == document_id,
                                                            Capture.source == "live")
                          .order_by(Capture.timestamp.desc(), Capture.id.desc()).limit(1))
    if last == digest:
        return None
    taken = set(session.scalars(select(Capture.captured_at).where(
        Capture.document_id == document_id, Capture.url == url, Capture.source == "live", Capture.captured_at >= now)))
    while now in taken:
        now += timedelta(seconds=1)
    capture = Capture(document_id=document_id, url=url, timestamp=now.strftime("%Y%m%d%H%M%S"), captured_at=now,
                      urlkey=surt(url), mimetype=content_type, statuscode=str(answer.status), cdx_digest=digest,
                      length=str(len(answer.body)), raw_digest=digest, fetched_at=now, attempts=1,
                      source="live", source_ref=answer.url)
    settle(capture, content_type)
    session.add(capture)
    session.flush()
    return capture.id


def _starts_a_version(session: Session, capture: Capture) -> bool:
    if capture.version_id is None:
        return False
    return session.scalar(select(Version.first_capture_id).where(Version.id == capture.version_id)) == capture.id


def _tell(label: str, result: LiveResult, previous: str, was_blocked: bool, blocked: bool) -> None:
    """One log line; a warning only when something goes wrong anew (a page that keeps
    refusing the tracker is reported when it starts to, not at every tick)."""
    line = f"live check {label}: {result.outcome}" + (f", {result.versions} new version(s)" if result.versions else "")
    failed = not result.outcome.startswith(("2", "304"))
    if (blocked and not was_blocked) or (failed and not blocked and result.outcome != previous):
        log.warning(line)
    else:
        log.info(line)
