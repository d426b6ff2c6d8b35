"""The named document through the whole pipeline: a legal hub's captures make versions of the
tracked document only (the privacy policy unless the document is named otherwise), a URL's
fragment keeps the part it names, the archive is asked for the URL without it, and `tracker
captures` says when a capture lacks the fragment's id. On SQLite and PostgreSQL, through the
archive server on loopback."""

import pytest
from corpora import DATA
from mail_world import World
from sqlalchemy import select

from tracker.store.clauses import version_clauses
from tracker.store.documents import add_document
from tracker.store.models import Capture, Document, Version

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

HUB = (DATA / "scope" / "hub-anchored.html").read_bytes()
URL = "https://northwind.example/legal"


def hub(terms: str = "", privacy: str = "", privacy_id: str = "privacy") -> bytes:
    """The hand-made hub with a sentence added to its terms and to its policy."""
    page = HUB.replace(b"Either party may end this agreement", terms.encode() + b" Either party may end this agreement")
    page = page.replace(b"We keep account data", privacy.encode() + b" We keep account data")
    return page.replace(b'id="privacy"', f'id="{privacy_id}"'.encode())


def versions(world, name: str) -> list[list[str]]:
    with world.sessions() as session:
        rows = session.scalars(select(Version).join(Document, Document.id == Version.document_id)
                               .where(Document.name == name).order_by(Version.seq)).all()
        return [[c.text for c in version_clauses(session, v)] for v in rows]


def test_hub_history_changes_only_with_the_tracked_document(database_url, tmp_path, archive, inbox):
    archive.add_capture(URL, "20250101000000", hub())
    archive.add_capture(URL, "20250201000000", hub(terms="Disputes go to the courts of Oslo."))
    archive.add_capture(URL, "20250301000000", hub(terms="Disputes go to the courts of Bergen."))
    archive.add_capture(URL, "20250401000000", hub(terms="Disputes go to the courts of Bergen.",
                                                   privacy="We never sell personal data."))
    world = World(database_url, tmp_path, archive, inbox.port)
    with world.sessions.begin() as session:
        add_document(session, URL, "Northwind")
        add_document(session, URL, "Northwind", "Terms of Service")
    world.backfill()

    privacy = versions(world, "Privacy Policy")
    assert len(privacy) == 2  # the terms' edits are not the policy's
    assert not any(t.startswith("These terms form") for v in privacy for t in v)
    assert any("We never sell personal data." in t for t in privacy[1])
    terms = versions(world, "Terms of Service")
    assert len(terms) == 3  # the policy's edit is not the terms'
    assert any(t.startswith("These terms form") for t in terms[0])
    assert not any(t.startswith("Northwind Labs collects") for v in terms for t in v)


def test_fragment_keeps_its_part_and_captures_say_when_it_is_missing(database_url, tmp_path, archive, inbox,
                                                                     tracker_cli):
    archive.add_capture(URL, "20250101000000", hub())
    archive.add_capture(URL, "20250201000000", hub(privacy_id="privacy-policy"))  # the id was renamed
    world = World(database_url, tmp_path, archive, inbox.port)
    with world.sessions.begin() as session:
        add_document(session, URL + "#acceptable-use", "Northwind", "Acceptable Use Policy")
    world.backfill()

    with world.sessions() as session:
        captures = session.scalars(select(Capture).order_by(Capture.timestamp)).all()
        assert [c.url for c in captures] == [URL, URL]  # listed without the fragment
        assert all(c.version_id is not None for c in captures)
    (only,) = versions(world, "Acceptable Use Policy")  # the part is the same in both captures
    assert only[:2] == ["Acceptable Use Policy", "You may not use the service to send unsolicited bulk messages or "
                        "to distribute malicious software."]
    assert len(only) == 4

    with world.sessions.begin() as session:
        add_document(session, URL + "#privacy", "Northwind Hub")
    world.backfill()
    tracker_cli.env["TRACKER_DATABASE_URL"] = database_url
    result = tracker_cli("captures", "Northwind Hub")
    assert result.exit_code == 0, result.output
    missing = [line for line in result.output.splitlines() if "is not in this capture" in line]
    assert len(missing) == 1 and "20250201000000" in missing[0]
    assert "#privacy is not in this capture; the page was read as a whole" in missing[0]
