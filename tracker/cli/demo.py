"""`tracker demo`: the whole pipeline on the bundled sample, with no network at all.

The project's own archive server replays the sample on a free loopback port; the tracker
backfills it into a fresh SQLite database exactly as it would the real archive, imports the
customer's five seed documents beside those captures (`tracker import files`: three name
their provider and Wayback capture, VoIPX and One Stop VoIP only their own date), then
writes the digest a subscriber would be mailed (not sent: `digest/` in the work directory).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from email import message_from_bytes, policy
from pathlib import Path

from tracker.archive import ArchiveServer, corpus_pages
from tracker.backfill import backfill
from tracker.cli import render
from tracker.config import Config
from tracker.importers import ImportStats, derive_imported, file_records, store_records
from tracker.notify.mailer import preview
from tracker.notify.subscribers import subscribe
from tracker.outputs import OutputFolder
from tracker.read.history import diff_versions, timeline
from tracker.store.db import open_database
from tracker.store.documents import add_document, find_documents
from tracker.store.models import Version
from tracker.store.rawstore import RawStore
from tracker.wayback import WaybackClient

SAMPLE_CORPUS = Path(__file__).parents[1] / "sample" / "corpus"
SAMPLE_SEEDS = Path(__file__).parents[1] / "sample" / "seeds"
# The two seed texts without a provenance line, and the provider each is filed under.
BARE_SEEDS = {"002_58713a10f531be29.txt": "VoIPX", "004_b91ae17a476c1567.txt": "One Stop VoIP"}
DEMO_SUBSCRIBER = "reader@example.org"


def run_demo(workdir: Path | None, echo: Callable[[str], None]) -> None:
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="tracker-demo-") as tmp:
            _run(OutputFolder(tmp), echo)
            echo("\n(the demo database was temporary: `tracker demo --workdir DIR` keeps it, "
                 "and then prints how to browse it with `tracker serve`)")
    else:
        work = OutputFolder(workdir, make_parents=True)
        _run(work, echo)
        url = f"sqlite:///{work.file('tracker.db')}"
        echo(f"\nTry: TRACKER_DATABASE_URL={url} tracker changes")
        echo(f"Browse it: TRACKER_DATABASE_URL={url} tracker serve, then open http://127.0.0.1:8000/")


def _run(work: OutputFolder, echo) -> None:
    """The demo in `work`: its database, raw store and digest stay inside that folder."""
    database_url = f"sqlite:///{work.file('tracker.db')}"
    raw = RawStore(work.folder("snapshots").path)
    sessions = open_database(database_url)
    with ArchiveServer(SAMPLE_CORPUS) as server:
        echo(f"archive: the bundled sample served at {server.url} (Wayback protocol, loopback)")
        echo(f"database: {database_url}\n")
        with sessions.begin() as session:
            for page in corpus_pages(SAMPLE_CORPUS):
                for url in page.urls:
                    add_document(session, url, page.provider, page.document)
            # Subscribed before the backfill, so everything it records is news to them.
            subscribe(session, DEMO_SUBSCRIBER)
        with sessions() as session:
            documents = find_documents(session)
        with WaybackClient(server.url, cdx_interval=0, capture_interval=0) as client:
            for stats in backfill(sessions, client, raw, documents):
                echo(stats.line())
            echo(f"archive requests: {client.request_count}\n")
    _import_seeds(sessions, raw, echo)
    with sessions() as session:
        for document in find_documents(session):
            echo(render.timeline_text(document, timeline(session, document)))
        voip = find_documents(session, "voip.com")[0]
        versions = session.query(Version).filter_by(document_id=voip.id).order_by(Version.seq).all()
        if len(versions) >= 2:
            old, new = versions[0], versions[-1]
            echo(f"\nvoip.com / {voip.name}: what changed from {old.first_seen:%Y-%m-%d} to {new.first_seen:%Y-%m-%d}")
            echo(render.changes_text(diff_versions(session, old, new)))
        onebox = find_documents(session, "onebox.com")[0]
        old, new = (session.query(Version).filter_by(document_id=onebox.id, seq=seq).one() for seq in (2, 3))
        echo(f"\nonebox.com / {onebox.name}: the 2013 capture against the imported 2014 text "
             f"(tracker diff onebox.com --from 2013 --to 2014), as it begins:")
        echo("\n".join(render.changes_text(diff_versions(session, old, new)).splitlines()[:8]))
    # Links in the digest point at the real Wayback Machine, where the sample was captured.
    written = preview(sessions, Config(database_url=database_url), work.folder("digest").path)
    echo(f"\nthe digest {DEMO_SUBSCRIBER} would be mailed (written, not sent), as it begins:")
    for eml in (path for path in written if path.suffix == ".eml"):
        message = message_from_bytes(eml.read_bytes(), policy=policy.default)
        echo(f"    Subject: {message['Subject']}")
        for line in message.get_body(("plain",)).get_content().splitlines()[:6]:
            echo(f"    {line}")
    for path in written:
        echo(f"  {path}")


def _import_seeds(sessions, raw: RawStore, echo) -> None:
    """The seed documents, as `tracker import files` would take them."""
    stats = ImportStats()
    touched: set[int] = set()
    named = sorted(path for path in SAMPLE_SEEDS.glob("*.txt") if path.name not in BARE_SEEDS)
    touched |= store_records(sessions, raw, file_records([str(p) for p in named]), stats)
    for name, provider in BARE_SEEDS.items():
        touched |= store_records(sessions, raw, file_records([str(SAMPLE_SEEDS / name)], provider=provider), stats)
    derive_imported(sessions, raw, touched, stats)
    echo(f"seed documents imported: {stats.line()}\n")
