"""What the live-check tests share: a policy page in a few versions, a live site publishing
them, and `LiveWorld` (a database, the raw store, the live site and the loopback archive, and
a fetcher with pacing and robots.txt memory of its own)."""

from datetime import datetime

from mail_world import PARAGRAPHS, V2, hostile_page
from sqlalchemy import func, select

from tracker.backfill import backfill
from tracker.live import LiveFetcher, RobotsCache, check_live
from tracker.store.documents import add_document, find_documents
from tracker.store.models import Capture, Change, Version
from tracker.store.rawstore import RawStore
from tracker.wayback import Pacer, WaybackClient

V1_PAGE, V2_PAGE = hostile_page(PARAGRAPHS), hostile_page(V2)
BOT_WALL = (b"<html><head><title>Just a moment...</title></head><body><h1>Just a moment...</h1>"
            b"<p>Enable JavaScript and cookies to continue</p></body></html>")
AGENT = "policy-tracker/0.1 (+https://example.org/bot; research)"


def at(text: str) -> datetime:
    """A UTC time from 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


def stamp(text: str) -> str:
    return at(text).strftime("%Y%m%d%H%M%S")


class LiveWorld:
    def __init__(self, sessions, tmp_path, site, archive=None) -> None:
        self.sessions, self.site, self.archive = sessions, site, archive
        self.raw = RawStore(tmp_path / "snapshots")
        self.fetcher = LiveFetcher(user_agent=AGENT, interval=0, timeout=10, pacer=Pacer(), robots=RobotsCache())

    def track(self, path: str = "/privacy", source: str = "live") -> int:
        with self.sessions.begin() as session:
            return add_document(session, self.site.page_url(path), "hostile.example", source=source).id

    def check(self, document_id: int, when: str, **options):
        return check_live(self.sessions, self.fetcher, self.raw, document_id, now=at(when), **options)

    def backfill(self) -> None:
        with self.sessions() as session:
            documents = [d for d in find_documents(session) if d.source != "live"]
        with WaybackClient(self.archive.url, cdx_interval=0, capture_interval=0, pacer=Pacer()) as client:
            backfill(self.sessions, client, self.raw, documents)

    def count(self, model, *where) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count(model.id)).where(*where))

    def versions(self) -> int:
        return self.count(Version)

    def captures(self, source: str | None = None) -> int:
        return self.count(Capture, *([Capture.source == source] if source else []))

    def changes(self) -> list[tuple[int, datetime]]:
        with self.sessions() as session:
            return [tuple(row) for row in session.execute(select(Change.id, Change.created_at).order_by(Change.id))]

    def page_requests(self, path: str = "/privacy") -> list[int | None]:
        return [r.status for r in self.site.requests if r.path == path]
