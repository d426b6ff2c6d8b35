"""Digests end to end: the sample corpus and a hostile page backfilled through the loopback
archive, mailed through a real SMTP server on loopback (aiosmtpd).

This module also holds the helpers the mailer and scheduler tests share: `Inbox` (the SMTP
server) and `World` (archive + database + config).
"""

import html
import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from tracker import digest
from tracker.config import Config
from tracker.db import open_database
from tracker.documents import add_document, find_documents
from tracker.fetch import backfill
from tracker.mailer import record_due, run_outbox
from tracker.models import Change, Digest, Subscriber, utcnow
from tracker.rawstore import RawStore
from tracker.subscribers import subscribe
from tracker.wayback import WaybackClient

VOIP = "http://www.voip.com/privacy_policy.aspx"
ONEBOX = ("http://www.onebox.com/privacy.asp", "http://www.onebox.com/signup/privacy")  # it moved
HOSTILE = "https://hostile.example/privacy"
SCRIPT = "<script>alert('pwned')</script>"
IMG = '<img src=x onerror="alert(1)">'

PARAGRAPHS = [
    "We collect the information you provide when you create an account, such as your name and e-mail address.",
    "We use cookies to remember your preferences and to keep you signed in to your account between visits.",
    "We do not sell your personal information to third parties, and we never rent it to advertisers.",
    "We protect your data with encryption in transit and at rest, and we review staff access every quarter.",
    "We keep your information for as long as your account is open and delete it within thirty days of closure.",
    "You may ask for a copy of the information we hold about you, or ask us to correct or delete it.",
]
# v2: a modified clause carrying a script (the redline path), an added one carrying an
# <img onerror> (the plain-text path), under a heading that is itself markup-like text.
V2 = PARAGRAPHS[:2] + [
    f"We do sell your personal information to third parties {SCRIPT}, and we never rent it to advertisers.",
    PARAGRAPHS[3], PARAGRAPHS[4], PARAGRAPHS[5],
    f"Our partners may load {IMG} on every page you visit.",
]
# v3: punctuation only: a cosmetic change, for subscribers of all changes only.
V3 = V2[:3] + [PARAGRAPHS[3].replace("rest, and", "rest; and")] + V2[4:]
HOSTILE_CAPTURES = {"20200101000000": PARAGRAPHS, "20210101000000": V2, "20220101000000": V3}
HOSTILE_HEADING = "What we collect <b>"


def hostile_page(paragraphs) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f"<html><head><title>Privacy Policy</title></head><body><h1>Hostile Co Privacy Policy</h1>"
            f"<h2>{html.escape(HOSTILE_HEADING)}</h2>{body}</body></html>").encode()


def add_hostile_captures(archive) -> None:
    for timestamp, paragraphs in HOSTILE_CAPTURES.items():
        archive.add_capture(HOSTILE, timestamp, hostile_page(paragraphs))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """A real SMTP server on loopback (aiosmtpd) keeping every message it accepts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[list[str], bytes]] = []  # (recipients, message bytes)
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def start(self) -> "Inbox":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def messages(self, to: str | None = None):
        return [message_from_bytes(raw, policy=policy.default)
                for rcpt, raw in self.received if to is None or to in rcpt]


@pytest.fixture
def inbox():
    server = Inbox().start()
    yield server
    server.stop()


class World:
    """A database, the loopback archive and a configuration pointing at both."""

    def __init__(self, database_url: str, tmp_path, archive, smtp_port: int) -> None:
        self.archive = archive
        self.config = Config(
            database_url=database_url, wayback_url=archive.url, snapshots_dir=tmp_path / "snapshots",
            cdx_interval=0, capture_interval=0, smtp_host="127.0.0.1", smtp_port=smtp_port,
            smtp_from="tracker@example.org", timeout=10,
        )
        self.sessions = open_database(database_url)

    def track(self, *pages: tuple[str, str]) -> None:
        with self.sessions.begin() as session:
            for url, provider in pages:
                add_document(session, url, provider)

    def backfill(self) -> None:
        with self.sessions() as session:
            documents = find_documents(session)
        with WaybackClient.from_config(self.config) as client:
            backfill(self.sessions, client, RawStore(self.config.snapshots_dir), documents)

    def subscribe(self, email: str, **options) -> None:
        with self.sessions.begin() as session:
            subscribe(session, email, **options)

    def send(self):
        return run_outbox(self.sessions, self.config)


ALL_PAGES = ((VOIP, "voip.com"), (ONEBOX[0], "onebox.com"), (ONEBOX[1], "onebox.com"), (HOSTILE, "hostile.example"))


@pytest.fixture
def archive(sample_corpus):
    from tracker.archive_server import ArchiveServer

    with ArchiveServer(sample_corpus) as server:
        add_hostile_captures(server)
        yield server


def link(archive, timestamp: str, url: str) -> str:
    return f"{archive.url}/web/{timestamp}/{url}"


def test_digest_arrives_with_both_parts_escaped_and_linked(database_url, tmp_path, archive, inbox):
    world = World(database_url, tmp_path, archive, inbox.port)
    world.track(*ALL_PAGES)
    world.subscribe("reader@example.org")
    world.backfill()

    result = world.send()

    assert (result.created, result.sent, result.failed) == (1, 1, 0)
    [message] = inbox.messages("reader@example.org")
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    text = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    # Untrusted policy text never becomes markup: no <script>, no <img>, no <b> from a heading.
    for raw in ("<script", "<img", "<b>", "onerror=\"alert"):
        assert raw not in page
    assert html.escape(SCRIPT) in page  # inside the redline's <ins>
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    assert "What we collect &lt;b&gt;" in page
    assert SCRIPT in text and IMG in text  # plain text carries the words as they are
    # Links to both captures around each change: the last of the old version, the first of the new.
    assert link(archive, "20200101000000", HOSTILE) in page
    assert link(archive, "20210101000000", HOSTILE) in page
    assert link(archive, "20061016220256", VOIP) in text
    assert link(archive, "20130523180728", VOIP) in page
    # Summary first, then the changes; the cosmetic v2 -> v3 change is not in a material digest.
    assert text.index("By kind:") < text.index("== hostile.example")
    assert "version 2 -> 3" not in text
    assert "unsubscribe reader@example.org" in text and "unsubscribe reader@example.org" in page
    with world.sessions() as session:
        row = session.scalars(select(Digest)).one()
        assert (row.state, row.attempts, row.message_id) == ("sent", 1, message["Message-ID"])


def test_filters_by_provider_category_and_materiality(tmp_path, archive, inbox):
    world = World(f"sqlite:///{tmp_path / 't.db'}", tmp_path, archive, inbox.port)
    world.track(*ALL_PAGES)
    world.subscribe("voip@example.org", providers=["VOIP.com"])
    world.subscribe("security@example.org", categories=["data_security"])
    world.subscribe("everything@example.org", all_changes=True)
    world.subscribe("material@example.org")
    world.backfill()
    with world.sessions() as session:
        cosmetic = session.scalars(select(Change).where(Change.material.is_(False))).all()
        assert len(cosmetic) == 1  # hostile.example v2 -> v3, punctuation only

    world.send()

    voip = inbox.messages("voip@example.org")[0].get_body(("plain",)).get_content()
    assert "== voip.com / Privacy Policy" in voip
    assert "onebox.com /" not in voip and "hostile.example /" not in voip
    everything = inbox.messages("everything@example.org")[0].get_body(("plain",)).get_content()
    material = inbox.messages("material@example.org")[0].get_body(("plain",)).get_content()
    assert "hostile.example / Privacy Policy: version 2 -> 3" in everything
    assert "version 2 -> 3" not in material
    assert "onebox.com / Privacy Policy" in material
    with world.sessions() as session:
        subscriber = session.scalars(select(Subscriber).where(Subscriber.email == "security@example.org")).one()
        content = digest.collect(session, subscriber, subscriber.created_at, utcnow(),
                                 wayback_url=archive.url, sender="t@example.org")
    shown = [c for change in content.changes for c in change.clauses]
    assert shown and all("data_security" in c.categories for c in shown)
    assert set(content.category_counts) >= {"data_security"}
    assert len(inbox.messages("security@example.org")) == 1


def test_next_digest_covers_only_what_was_recorded_since(tmp_path, archive, inbox):
    world = World(f"sqlite:///{tmp_path / 't.db'}", tmp_path, archive, inbox.port)
    world.track((HOSTILE, "hostile.example"))
    archive.visible_until = "20200601000000"
    world.backfill()  # version 1 only: nothing to tell
    world.subscribe("reader@example.org", all_changes=True)
    archive.visible_until = "20210601000000"
    world.backfill()
    first = world.send()
    archive.visible_until = None
    world.backfill()
    second = world.send()

    assert (first.sent, second.sent) == (1, 1)
    one, two = (m.get_body(("plain",)).get_content() for m in inbox.messages())
    assert "version 1 -> 2" in one and "version 2 -> 3" not in one
    assert "version 2 -> 3" in two and "version 1 -> 2" not in two


def test_weekly_subscribers_get_one_digest_a_week_and_technical_changes_none(tmp_path, archive, inbox):
    world = World(f"sqlite:///{tmp_path / 't.db'}", tmp_path, archive, inbox.port)
    world.track((HOSTILE, "hostile.example"))
    world.subscribe("weekly@example.org", frequency="weekly", all_changes=True)
    archive.visible_until = "20210601000000"
    world.backfill()
    start = utcnow()
    assert record_due(world.sessions, world.config, start) == 1
    archive.visible_until = None
    world.backfill()
    assert record_due(world.sessions, world.config, start + timedelta(days=2)) == 0  # not a week yet
    with world.sessions.begin() as session:  # a re-derivation after a normalizer upgrade
        session.execute(update(Change).values(technical=True))
    assert record_due(world.sessions, world.config, start + timedelta(days=7)) == 0
    with world.sessions.begin() as session:
        session.execute(update(Change).values(technical=False))
    assert record_due(world.sessions, world.config, start + timedelta(days=7)) == 1


def test_message_is_stable_and_lists_every_kind_and_category(tmp_path, archive):
    world = World(f"sqlite:///{tmp_path / 't.db'}", tmp_path, archive, 25)
    world.track(*ALL_PAGES)
    world.subscribe("reader@example.org", all_changes=True)
    world.backfill()
    end = utcnow()
    with world.sessions() as session:
        subscriber = session.scalars(select(Subscriber)).one()
        content = digest.collect(session, subscriber, subscriber.created_at, end,
                                 wayback_url=archive.url, sender="tracker@example.org")
    again = digest.build_message(content, "tracker@example.org")
    assert digest.build_message(content, "tracker@example.org")["Message-ID"] == again["Message-ID"]
    assert again["Message-ID"] == f"<digest.{subscriber.id}.{end:%Y%m%d%H%M%S.%f}@example.org>"
    assert sum(content.kind_counts.values()) == content.clause_count
    assert set(content.kind_counts) <= set(digest.KINDS)
