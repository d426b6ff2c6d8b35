"""What the tests of re-flows and flips share: a document's captures served by the archive
server on loopback and backfilled (`history`), and the version each capture was placed in
(`placed`)."""

from mail_world import World
from sqlalchemy import select

from tracker.store.models import Capture, Version

URL = "https://flips.example/privacy"


def history(database_url, tmp_path, archive, inbox, captures: dict[str, bytes]) -> World:
    for timestamp, body in captures.items():
        archive.add_capture(URL, timestamp, body)
    world = World(database_url, tmp_path, archive, inbox.port)
    world.track((URL, "flips.example"))
    world.backfill()
    return world


def placed(world) -> dict[str, tuple[int, dict | None]]:
    """Each capture's version number and scope."""
    with world.sessions() as session:
        seq = {v.id: v.seq for v in session.scalars(select(Version))}
        return {c.timestamp: (seq.get(c.version_id), c.scope)
                for c in session.scalars(select(Capture).order_by(Capture.timestamp))}


def versions_of(world) -> list[int | None]:
    """The version number of each capture, in time order."""
    return [seq for seq, _ in placed(world).values()]
