"""Every capture of a document and what the tracker decided about it: its state, the version
it shows, why it is invalid, what the scope step left out of the policy (`tracker captures`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.store.models import Capture, Document, Version


@dataclass(frozen=True)
class CaptureRow:
    timestamp: str
    url: str
    state: str
    version: int | None  # seq of the version it shows; None when not placed or invalid
    invalid_reason: str | None
    scope: dict | None  # {"dropped": [{heading, reason, blocks, words}], "note": ...}
    error: str | None

    def to_dict(self) -> dict:
        return asdict(self)


def capture_rows(session: Session, document: Document) -> list[CaptureRow]:
    rows = session.execute(
        select(Capture, Version.seq).outerjoin(Version, Version.id == Capture.version_id)
        .where(Capture.document_id == document.id).order_by(Capture.timestamp, Capture.id)
    ).all()
    return [CaptureRow(c.timestamp, c.url, str(c.state), seq, c.invalid_reason, c.scope, c.error)
            for c, seq in rows]
