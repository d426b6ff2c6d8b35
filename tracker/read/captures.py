"""Every capture of a document and what the tracker decided about it: its state, the version
it shows, why it is invalid or failed (and how often), what the scope step left out of the
policy (`tracker captures`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.store.models import Capture, CaptureState, Document, Version


@dataclass(frozen=True)
class CaptureRow:
    timestamp: str
    url: str
    state: str
    version: int | None  # seq of the version it shows; None when not placed or invalid
    invalid_reason: str | None
    scope: dict | None  # {"dropped": [{heading, reason, blocks, words, navigation?}], "note": ...}
    error: str | None
    attempts: int
    reason: str  # why it is not (or not yet) a version, in words; "" when it is one
    given_up: bool  # failed max_attempts times: left alone until `backfill --retry-failed`

    def to_dict(self) -> dict:
        return asdict(self)


def capture_rows(session: Session, document: Document, max_attempts: int = 3) -> list[CaptureRow]:
    rows = session.execute(
        select(Capture, Version.seq).outerjoin(Version, Version.id == Capture.version_id)
        .where(Capture.document_id == document.id).order_by(Capture.timestamp, Capture.id)
    ).all()
    result = []
    for c, seq in rows:
        given_up = c.state == CaptureState.FAILED and c.attempts >= max_attempts
        result.append(CaptureRow(c.timestamp, c.url, str(c.state), seq, c.invalid_reason, c.scope, c.error,
                                 c.attempts, _reason(c, given_up), given_up))
    return result


def _reason(capture: Capture, given_up: bool) -> str:
    if capture.state == CaptureState.PENDING:
        return "not downloaded yet"
    if capture.state == CaptureState.FAILED:
        return (capture.error or "failed") + (" (given up: tracker backfill --retry-failed)" if given_up else "")
    if capture.invalid_reason:
        return f"not the policy: {capture.invalid_reason}"
    if capture.state == CaptureState.FETCHED and capture.version_id is None:
        return "not normalised yet"
    return capture.error or ""
