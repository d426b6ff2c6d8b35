"""One dispatcher round with live checks, on SQLite and PostgreSQL: each document is checked
where its source says, and an archive that is down fails the checks that need it (the live
page of a `both` document is still checked) and leaves the other archive documents due,
while documents checked live only go on."""

import socket

import pytest
from live_world import V1_PAGE
from sqlalchemy import select

from tracker.archive import LiveSite
from tracker.config import Config
from tracker.jobs import dispatch
from tracker.store.documents import add_document
from tracker.store.models import Capture, Document, LivePage

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once it is closed


def test_an_archive_that_is_down_holds_back_only_the_checks_that_need_it(sessions, database_url, tmp_path):
    with LiveSite() as site:
        for path in ("/both", "/live"):
            site.publish(path, V1_PAGE, at="20250101000000")
        with sessions.begin() as session:
            both = add_document(session, site.page_url("/both"), "a-both", source="both").id
            archive_only = add_document(session, "https://archived.example/privacy", "b-wayback").id
            live_only = add_document(session, site.page_url("/live"), "c-live", source="live").id
        config = Config(database_url=database_url, wayback_url=f"http://127.0.0.1:{closed_port()}",
                        snapshots_dir=tmp_path / "snapshots", timeout=10)
        results = dispatch(sessions, config)
    assert [(r.document, r.outcome, r.archive_down) for r in results] == [
        ("a-both / Privacy Policy", "failed", True), ("c-live / Privacy Policy", "ok", False)]
    with sessions() as session:
        pages = {p.document_id: p.outcome for p in session.scalars(select(LivePage))}
        due = {d.id: d.next_check_at for d in session.scalars(select(Document))}
        live_captures = session.scalars(select(Capture.document_id).where(Capture.source == "live")).all()
    assert pages == {both: "200: new capture", live_only: "200: new capture"}  # the live page still checked
    assert sorted(live_captures) == [both, live_only]
    assert due[archive_only] is None  # still due: left for the next tick
    assert due[both] is not None and due[live_only] is not None
