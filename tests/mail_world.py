"""What the digest, mailer and scheduler tests share: `Inbox` (a real SMTP server on
loopback, aiosmtpd), `World` (archive + database + config), a hostile page whose clauses
carry markup, and the `archive` and `inbox` fixtures (registered in conftest.py)."""

import html
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from tracker.backfill import backfill
from tracker.config import Config
from tracker.notify.mailer import run_outbox
from tracker.notify.subscribers import subscribe
from tracker.store.db import open_database
from tracker.store.documents import add_document, find_documents
from tracker.store.rawstore import RawStore
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
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def start(self) -> "Inbox":
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

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

    def backfill(self, jobs: int = 1) -> None:
        with self.sessions() as session:
            documents = find_documents(session)
        with WaybackClient.from_config(self.config) as client:
            backfill(self.sessions, client, RawStore(self.config.snapshots_dir), documents, jobs=jobs)

    def subscribe(self, email: str, **options) -> None:
        with self.sessions.begin() as session:
            subscribe(session, email, **options)

    def send(self):
        return run_outbox(self.sessions, self.config)


ALL_PAGES = ((VOIP, "voip.com"), (ONEBOX[0], "onebox.com"), (ONEBOX[1], "onebox.com"), (HOSTILE, "hostile.example"))


@pytest.fixture
def archive(sample_corpus):
    from tracker.archive import ArchiveServer

    with ArchiveServer(sample_corpus) as server:
        add_hostile_captures(server)
        yield server
