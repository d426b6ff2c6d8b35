"""Returns to an earlier version: the same URL serving two regional texts alternately is
recorded as returns, shown in history and the views, and mailed at most once; and
`tracker captures` shows what the tracker decided about each capture.
"""

import html
import json

import pytest
import requests
from corpora import DATA
from mail_world import World
from readonly_role import read_only_url
from sqlalchemy import select, text

from tracker.read.history import timeline
from tracker.store import find_documents
from tracker.store.models import Version
from tracker.web import WebServer, create_app

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

URL = "https://variants.example/privacy"
COMMON = [
    "We collect the information you give us when you create an account, such as your name and e-mail address.",
    "We use this information to provide the service, to secure your account and to answer your requests.",
    "You can ask us for a copy of your personal information, or ask us to correct or delete it, at any time.",
]
EU = ["Effective 1 March 2021.", *COMMON, "We transfer personal data outside the European Economic Area only "
      "under standard contractual clauses approved by the European Commission."]
US = ["Effective 1 June 2021.", *COMMON, "California residents may opt out of the sale or sharing of their "
      "personal information by writing to our privacy team."]
# The URL serves the two regional texts alternately.
FLIPS = {"20210401000000": EU, "20210701000000": US, "20211001000000": EU, "20220101000000": US,
         "20220401000000": EU}


def variant_page(paragraphs) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"<html><body><main><h1>Variants Privacy Policy</h1>{body}</main></body></html>".encode()


def test_flip_flop_is_recorded_as_returns_shown_and_mailed_once(database_url, tmp_path, archive, inbox,
                                                                tracker_cli):
    for timestamp, paragraphs in FLIPS.items():
        archive.add_capture(URL, timestamp, variant_page(paragraphs))
    world = World(database_url, tmp_path, archive, inbox.port)
    world.track((URL, "variants.example"))
    world.subscribe("reader@example.org")
    world.backfill()

    with world.sessions() as session:
        versions = session.scalars(select(Version).order_by(Version.seq)).all()
        seq_of = {v.id: v.seq for v in versions}
        assert [(v.seq, seq_of.get(v.returns_to_id)) for v in versions] == [
            (1, None), (2, None), (3, 1), (4, 2), (5, 3)]
        (document,) = find_documents(session, "variants.example")
        assert [row.returns_to for row in timeline(session, document)] == [None, None, 1, 2, 3]
        rows = session.execute(text(
            "SELECT seq, returns_to_seq FROM policy_timeline WHERE provider = 'variants.example' ORDER BY seq"
        )).all()
        assert [tuple(r) for r in rows] == [(1, None), (2, None), (3, 1), (4, 2), (5, 3)]

    world.send()
    [message] = inbox.messages("reader@example.org")
    body = message.get_body(("plain",)).get_content()
    # EU -> US is news, and so is the first return US -> EU; every later flip repeats a step.
    assert "version 1 -> 2 ==" in body
    assert "version 2 -> 3 (the text of version 1 again) ==" in body
    assert "version 3 -> 4" not in body and "version 4 -> 5" not in body
    assert "(the text of version 1 again)" in message.get_body(("html",)).get_content()

    tracker_cli.env["TRACKER_DATABASE_URL"] = database_url
    history = tracker_cli("history", "variants.example").output
    assert "v3 " in history and "returns to v1" in history and "returns to v3" in history
    data = json.loads(tracker_cli("history", "variants.example", "--json").output)
    assert [v["returns_to"] for v in data[0]["versions"]] == [None, None, 1, 2, 3]
    with WebServer(create_app(read_only_url(database_url))) as server:
        page = requests.get(f"{server.url}/documents/{document.id}", timeout=30).text
    assert "(the text of v1 again)" in page and "(the text of v3 again)" in page


def test_captures_lists_state_version_invalid_reason_and_scope(database_url, tmp_path, archive, inbox,
                                                               tracker_cli):
    url = "https://legal.example/privacy"
    combined = DATA / "scope" / "combined-legal-page.html"
    archive.add_capture(url, "20210101000000", combined.read_bytes())
    archive.add_capture(url, "20210201000000", b"<html><body><h1>404 Not Found</h1></body></html>")
    world = World(database_url, tmp_path, archive, inbox.port)
    world.track((url, "legal.example"))
    world.backfill()
    tracker_cli.env["TRACKER_DATABASE_URL"] = database_url

    out = tracker_cli("captures", "legal.example").output
    assert "legal.example / Privacy Policy: 2 capture(s)" in out
    first, second = [line for line in out.splitlines() if line.startswith("  2021")]
    assert "fetched" in first and "v1" in first
    assert "left out 'Terms of Service' (another legal document" in first
    assert "left out 'Exhibit A - Subprocessors' (annex of another legal document" in first
    assert "invalid: error page" in second
    data = json.loads(tracker_cli("captures", "legal.example", "--json").output)
    [doc] = data
    assert [c["version"] for c in doc["captures"]] == [1, None]
    assert doc["captures"][0]["scope"]["dropped"][1]["heading"] == "Data Processing Agreement"
    assert doc["captures"][1]["scope"] is None

    missing = tracker_cli("captures", "nobody.example", ok=False)
    assert missing.output.strip().splitlines() == ["Error: unknown provider: 'nobody.example' (see `tracker list`)"]


def test_renormalize_fills_returns_and_scope_of_a_stored_history(database_url, tmp_path, archive, inbox,
                                                                 tracker_cli):
    # A history recorded before this normalizer: no returns, no scope (as after migration 0006).
    combined = (DATA / "scope" / "combined-legal-page.html").read_bytes()
    for timestamp, paragraphs in FLIPS.items():
        archive.add_capture(URL, timestamp, variant_page(paragraphs))
    archive.add_capture("https://legal.example/privacy", "20210101000000", combined)
    world = World(database_url, tmp_path, archive, inbox.port)
    world.track((URL, "variants.example"), ("https://legal.example/privacy", "legal.example"))
    world.backfill()
    with world.sessions.begin() as session:
        session.execute(text("UPDATE version SET returns_to_id = NULL"))
        session.execute(text("UPDATE capture SET scope = NULL"))
    requests = len(archive.requests)

    tracker_cli.env["TRACKER_DATABASE_URL"] = database_url
    tracker_cli.env["TRACKER_SNAPSHOTS_DIR"] = str(tmp_path / "snapshots")
    tracker_cli("renormalize")

    assert len(archive.requests) == requests  # from the raw store only
    with world.sessions() as session:
        returns = session.execute(text(
            "SELECT seq, returns_to_seq FROM policy_timeline WHERE provider = 'variants.example' ORDER BY seq"
        )).all()
        assert [tuple(r) for r in returns] == [(1, None), (2, None), (3, 1), (4, 2), (5, 3)]
        scope = json.loads(session.scalar(text("SELECT scope FROM capture WHERE url = 'https://legal.example/privacy'")))
        assert [d["heading"] for d in scope["dropped"]] == [
            "Terms of Service", "Data Processing Agreement", "Exhibit A - Subprocessors"]
