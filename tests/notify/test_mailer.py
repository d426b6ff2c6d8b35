"""The outbox against a real SMTP server on loopback: nothing sent twice, nothing lost."""

import os
from email import message_from_bytes, policy

import pytest
from click.testing import CliRunner
from mail_world import ALL_PAGES, HOSTILE, Inbox, World
from sqlalchemy import func, select

from tracker.cli import main
from tracker.config import Config
from tracker.notify.mailer import MailConfigError, connect, run_outbox
from tracker.store.models import Digest, JobRun


def digests(world) -> list[tuple[str, int, str | None]]:
    with world.sessions() as session:
        return [(d.state, d.attempts, d.error) for d in session.scalars(select(Digest).order_by(Digest.id))]


def test_a_second_run_sends_nothing(database_url, tmp_path, archive):
    inbox = Inbox().start()
    try:
        world = World(database_url, tmp_path, archive, inbox.port)
        world.track(*ALL_PAGES)
        world.subscribe("a@example.org")
        world.subscribe("b@example.org", providers=["voip.com"])
        world.backfill()
        first, second = world.send(), world.send()
    finally:
        inbox.stop()
    assert (first.created, first.sent) == (2, 2)
    assert (second.created, second.sent, second.failed) == (0, 0, 0)
    assert sorted(r[0] for r, _ in inbox.received) == ["a@example.org", "b@example.org"]
    assert digests(world) == [("sent", 1, None), ("sent", 1, None)]


def test_smtp_down_leaves_the_digest_pending_and_the_next_run_sends_it(database_url, tmp_path, archive):
    inbox = Inbox()  # not started: nothing listens on its port
    world = World(database_url, tmp_path, archive, inbox.port)
    world.track((HOSTILE, "hostile.example"))
    world.subscribe("reader@example.org")
    world.backfill()

    down = world.send()
    assert (down.created, down.sent, down.failed) == (1, 0, 1)
    [(state, attempts, error)] = digests(world)
    assert (state, attempts) == ("pending", 1) and f"127.0.0.1:{inbox.port}" in error
    with world.sessions() as session:
        stored = session.scalar(select(Digest.message))

    inbox.start()
    try:
        up, again = world.send(), world.send()
    finally:
        inbox.stop()
    assert (up.created, up.sent, up.failed) == (0, 1, 0)
    assert (again.created, again.sent) == (0, 0)
    assert digests(world) == [("sent", 2, None)]
    [(recipients, raw)] = inbox.received
    assert recipients == ["reader@example.org"]
    assert raw.replace(b"\r\n", b"\n") == stored.encode()  # the very message recorded before the failure
    assert message_from_bytes(raw, policy=policy.default)["Message-ID"].startswith("<digest.1.")


def test_cli_preview_writes_files_and_send_records_a_job_run(tmp_path, archive):
    inbox = Inbox().start()
    try:
        world = World(f"sqlite:///{tmp_path / 't.db'}", tmp_path, archive, inbox.port)
        world.track((HOSTILE, "hostile.example"))
        env = {"TRACKER_DATABASE_URL": world.config.database_url, "TRACKER_WAYBACK_URL": archive.url,
               "TRACKER_SMTP_HOST": "127.0.0.1", "TRACKER_SMTP_PORT": str(inbox.port),
               "TRACKER_CONFIG": os.devnull}
        runner = CliRunner()
        assert runner.invoke(main, ["subscribe", "reader@example.org", "--all-changes"], env=env).exit_code == 0
        world.backfill()

        preview = runner.invoke(main, ["digest", "--preview", str(tmp_path / "out")], env=env)
        assert preview.exit_code == 0, preview.output
        files = sorted(p.suffix for p in (tmp_path / "out").iterdir())
        assert files == [".eml", ".html"] and not inbox.received and digests(world) == []
        page = next((tmp_path / "out").glob("*.html")).read_text()
        assert "&lt;script&gt;" in page and "<script" not in page

        sent = runner.invoke(main, ["digest", "--send"], env=env)
        assert sent.exit_code == 0, sent.output
        assert "1 recorded, 1 sent, 0 failed" in sent.output
        both = runner.invoke(main, ["digest", "--send", "--preview", str(tmp_path)], env=env)
        assert both.exit_code == 2
    finally:
        inbox.stop()
    assert len(inbox.received) == 1
    with world.sessions() as session:
        assert session.scalar(select(func.count()).select_from(JobRun).where(JobRun.job == "digest")) == 1


def test_smtp_settings_are_checked_before_connecting():
    with pytest.raises(MailConfigError, match="smtp_security"):
        connect(Config(smtp_security="tls-please"))
    with pytest.raises(MailConfigError, match="smtp_user"):
        connect(Config(smtp_password="secret"))


def test_nothing_due_sends_nothing(tmp_path, archive):
    world = World(f"sqlite:///{tmp_path / 't.db'}", tmp_path, archive, 9)  # port 9: never dialled
    world.subscribe("reader@example.org")
    result = run_outbox(world.sessions, world.config)
    assert (result.created, result.sent, result.failed) == (0, 0, 0)
