"""Every capture of a provider's documents with what became of it and why: the answer to
"why is this capture not a version?" without SQL."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.store.documents import find_documents
from tracker.store.models import Capture, CaptureState, Version


@dataclass(frozen=True)
class CaptureRow:
    document: str
    timestamp: str
    url: str
    state: str
    reason: str  # why it is not (or not yet) a version; "" for a capture that made one
    attempts: int
    error: str | None
    invalid_reason: str | None
    version: int | None  # the version's seq this capture belongs to
    given_up: bool  # failed max_attempts times: left alone until `backfill --retry-failed`

    def to_dict(self) -> dict:
        return asdict(self)


def capture_rows(session: Session, provider: str, max_attempts: int = 3) -> list[CaptureRow]:
    rows = []
    for document in find_documents(session, provider):
        query = (select(Capture, Version.seq).outerjoin(Version, Capture.version_id == Version.id)
                 .where(Capture.document_id == document.id).order_by(Capture.timestamp, Capture.url))
        for capture, seq in session.execute(query):
            given_up = capture.state == CaptureState.FAILED and capture.attempts >= max_attempts
            rows.append(CaptureRow(
                document=document.name, timestamp=capture.timestamp, url=capture.url,
                state=str(capture.state), reason=_reason(capture, given_up), attempts=capture.attempts,
                error=capture.error, invalid_reason=capture.invalid_reason, version=seq, given_up=given_up))
    return rows


def _reason(capture: Capture, given_up: bool) -> str:
    if capture.state == CaptureState.PENDING:
        return "not downloaded yet"
    if capture.state == CaptureState.FAILED:
        return f"{capture.error or 'failed'}" + (" (given up: backfill --retry-failed)" if given_up else "")
    if capture.invalid_reason:
        return f"not the policy: {capture.invalid_reason}"
    if capture.state == CaptureState.FETCHED and capture.version_id is None:
        return "not normalised yet"
    return capture.error or ""
