"""Public evidence of versions: the archive's own capture, made by Save Page Now, of the
live capture that started a version (save_request, written by tracker.live.saves). A live
fetch alone is the tracker's word; the archive's capture is one anyone can check. History,
the web view, exports and digests read it here."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.store.models import Capture, SaveRequest, SaveState

# Which request speaks for a version that has several (live captures that each started it
# before a rebuild merged them): a saved one, else one still trying, else a failed one.
_RANK = {SaveState.SAVED: 0, SaveState.PENDING: 1, SaveState.FAILED: 2}


@dataclass(frozen=True)
class Evidence:
    """`state` saved (the archive's capture: `timestamp`, `url`), pending (Save Page Now is
    being asked; `error`: why the last attempt did not succeed) or failed (`error`)."""

    state: str
    timestamp: str | None = None
    url: str | None = None
    error: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        if self.state == SaveState.SAVED:
            return f"saved by the archive on {_date(self.timestamp)}: {self.url}"
        if self.state == SaveState.PENDING:
            return "Save Page Now requested" + (f" (retrying after: {self.error})" if self.error else "")
        return f"Save Page Now failed: {self.error}"


def version_evidence(session: Session, document_id: int, version_id: int | None = None) -> dict[int, Evidence]:
    """The evidence of each version of the document that has some (of one version, given
    `version_id`), by version id."""
    query = (
        select(Capture.version_id, SaveRequest)
        .join(Capture, Capture.id == SaveRequest.capture_id)
        .where(SaveRequest.document_id == document_id, Capture.version_id.is_not(None))
        .order_by(SaveRequest.requested_at, SaveRequest.id)
    )
    if version_id is not None:
        query = query.where(Capture.version_id == version_id)
    rows = session.execute(query).all()
    best: dict[int, SaveRequest] = {}
    for version, request in rows:
        assert version is not None  # the query keeps captures that show a version
        held = best.get(version)
        if held is None or _RANK[SaveState(request.state)] < _RANK[SaveState(held.state)]:
            best[version] = request
    return {version: Evidence(r.state, r.timestamp, r.archive_url, r.error) for version, r in best.items()}


def _date(timestamp: str | None) -> str:
    t = timestamp or ""
    return f"{t[:4]}-{t[4:6]}-{t[6:8]}" if len(t) >= 8 else "?"
