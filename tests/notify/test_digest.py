"""Digests end to end: the sample corpus and a hostile page backfilled through the loopback
archive, mailed through a real SMTP server on loopback (aiosmtpd).
"""

import html
from datetime import timedelta

import pytest
from mail_world import ALL_PAGES, HOSTILE, IMG, SCRIPT, VOIP, World
from sqlalchemy import func, select, update

from tracker.diff import KINDS
from tracker.notify import digest
from tracker.notify.mailer import record_due
from tracker.store.models import Change, ClauseChange, Digest, Subscriber, utcnow

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)


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
    # Every step's summary first, then the clause changes; the cosmetic v2 -> v3 change is not
    # in a material digest.
    for part in (text, page):
        assert part.index("hostile.example") < part.index("voip.com") < part.index("hostile.example / Privacy Policy")
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
    # The summaries count only the clause changes asked for: each is about security.
    assert all(dict(change.summary.topics)["data_security"] == change.summary.material
               for change in content.changes)
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


def test_message_is_stable_and_counts_every_clause_change(tmp_path, archive):
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
    with world.sessions() as session:
        recorded = session.scalar(select(func.count()).select_from(ClauseChange))
    assert content.clause_count == recorded  # each counted once, listed or not
    assert {kind for change in content.changes for kind, _ in change.summary.kinds} <= set(KINDS)
