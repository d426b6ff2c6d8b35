"""Save Page Now for the versions live checks find: the archive's own capture of the page, a
public record of the text anyone can check, kept on the version (`save_request`; the live
capture's `source_url` becomes that capture's address).

A live check queues a request for each version it starts (`queue_save`); the daemon moves
the queue on once a tick (`advance_saves`): it polls the jobs it started and submits the
requests waiting, one request to the archive at a time and at least `interval` seconds apart
(an account may start 12 captures a minute; the default 10 s is half of that), and it never
waits for one: what is not due yet is left for a later tick, so a save never holds up a
check. A request that fails (the archive's reason, a 429, no answer, a job still pending
after `JOB_LIMIT`) is tried again after `BACKOFF`, twice as long each time, and after
`ATTEMPTS` submissions it is `failed` with its reason. A 429 or no answer ends the round, and
a pause the archive ordered (tracker.wayback's pacer) skips it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tracker.store.models import Capture, SaveRequest, SaveState, utcnow
from tracker.wayback import ArchiveUnreachable, Pacer, RateLimited, SaveFailed, SavePageNow

log = logging.getLogger(__name__)

ATTEMPTS = 8  # submissions before a request is given up: 5 min + 10 + … + 640 min of waits (~21 h)
BACKOFF = timedelta(minutes=5)
LONGEST_BACKOFF = timedelta(days=1)
JOB_LIMIT = timedelta(hours=1)  # a job still pending this long after its submission is tried again


@dataclass
class SaveStats:
    """One round: requests submitted, jobs polled, saves done, requests to retry later, given
    up, and due ones left for a later round (spacing, a 429, a pause)."""

    submitted: int = 0
    polled: int = 0
    saved: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0

    def line(self) -> str:
        return (f"Save Page Now: {self.submitted} submitted, {self.polled} polled, {self.saved} saved, "
                f"{self.retrying} to retry, {self.failed} given up, {self.waiting} waiting")


def queue_save(session: Session, capture: Capture, now: datetime) -> int:
    """Ask for a save of the page this live capture showed (once per capture); 1 when queued."""
    if session.scalar(select(SaveRequest.id).where(SaveRequest.capture_id == capture.id)) is not None:
        return 0
    session.add(SaveRequest(capture_id=capture.id, document_id=capture.document_id, url=capture.url,
                            state=SaveState.PENDING, attempts=0, requested_at=now, next_attempt_at=now))
    return 1


def advance_saves(sessions: sessionmaker[Session], client: SavePageNow, *, interval: float = 10.0,
                  now: datetime | None = None, pacer: Pacer | None = None) -> SaveStats:
    """One round over the due requests: polls first (jobs the archive is working on), then
    submissions, oldest first."""
    now = now or utcnow()
    stats = SaveStats()
    with sessions() as session:
        last = session.scalar(select(func.max(SaveRequest.last_request_at)))
        due = list(session.scalars(
            select(SaveRequest.id)
            .where(SaveRequest.state == SaveState.PENDING, SaveRequest.next_attempt_at <= now)
            .order_by(SaveRequest.job_id.is_(None), SaveRequest.next_attempt_at, SaveRequest.id)))
    if pacer is not None and pacer.current_pause() is not None:
        stats.waiting = len(due)
        return stats
    for done, request_id in enumerate(due):
        if last is not None and (now - last).total_seconds() < interval:
            stats.waiting = len(due) - done
            break
        with sessions.begin() as session:
            go_on = _step(session, client, session.get_one(SaveRequest, request_id), now, stats)
        last = now
        if not go_on:
            stats.waiting = len(due) - done - 1
            break
    return stats


def _step(session: Session, client: SavePageNow, request: SaveRequest, now: datetime, stats: SaveStats) -> bool:
    """One request to the archive for `request`; False when the round should end."""
    request.last_request_at = now
    job_id = request.job_id
    try:
        if job_id is None:
            request.attempts += 1
            request.job_id, request.submitted_at, request.next_attempt_at = client.submit(request.url), now, now
            stats.submitted += 1
            return True
        stats.polled += 1
        status = client.status(job_id)
    except (RateLimited, ArchiveUnreachable) as exc:
        _retry(request, str(exc), now, stats, keep_job=job_id is not None)
        return False
    except SaveFailed as exc:
        _retry(request, str(exc), now, stats, keep_job=job_id is not None)
        return True
    if status.state == "pending":
        assert request.submitted_at is not None  # set with the job id
        if now - request.submitted_at > JOB_LIMIT:
            _retry(request, f"the archive's job was still pending after {JOB_LIMIT}", now, stats, keep_job=False)
        else:
            request.next_attempt_at = now
        return True
    if status.state == "success" and status.timestamp:
        request.state, request.finished_at, request.error = SaveState.SAVED, now, None
        request.timestamp = status.timestamp
        request.archive_url = client.capture_url(status.timestamp, status.original_url or request.url)
        session.get_one(Capture, request.capture_id).source_url = request.archive_url
        stats.saved += 1
        log.info("Save Page Now saved %s: %s", request.url, request.archive_url)
        return True
    _retry(request, status.error or "the archive's job failed", now, stats, keep_job=False)
    return True


def _retry(request: SaveRequest, reason: str, now: datetime, stats: SaveStats, *, keep_job: bool) -> None:
    """Try again later, twice as long after each submission; a job whose status cannot be read
    is polled again later (dropped once past JOB_LIMIT), a failed one submitted again."""
    request.error = reason
    if keep_job and request.submitted_at is not None and now - request.submitted_at <= JOB_LIMIT:
        request.next_attempt_at = now + BACKOFF
        stats.retrying += 1
        log.warning("Save Page Now, status of %s: %s; asking again after %s", request.url, reason, BACKOFF)
        return
    request.job_id = None
    if request.attempts >= ATTEMPTS:
        request.state, request.finished_at = SaveState.FAILED, now
        stats.failed += 1
        log.warning("Save Page Now gave up on %s after %d attempts: %s", request.url, request.attempts, reason)
        return
    wait = min(BACKOFF * 2 ** max(request.attempts - 1, 0), LONGEST_BACKOFF)
    request.next_attempt_at = now + wait
    stats.retrying += 1
    log.warning("Save Page Now, %s: %s; trying again after %s", request.url, reason, wait)
