"""Subscribers: validated on the way in, idempotent, removable; through the real CLI too."""

import json
import os

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tracker.cli import main
from tracker.diff.categories import UnknownCategory
from tracker.notify.subscribers import InvalidEmail, UnknownSubscriber, list_subscribers, subscribe, unsubscribe
from tracker.store.db import open_database
from tracker.store.documents import UnknownProvider, add_document
from tracker.store.models import Digest, Subscriber, utcnow

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

VOIP = "http://www.voip.com/privacy_policy.aspx"


@pytest.fixture
def voip(sessions):
    """voip.com tracked, so that subscriptions can name it."""
    with sessions.begin() as session:
        add_document(session, VOIP, "voip.com")


@pytest.mark.parametrize("address", [
    "not-an-email", "reader@localhost", "reader@example.org\nBcc: all@example.org",
    "<reader@example.org>", "Reader <reader@example.org>", "reader@@example.org", "",
])
def test_bad_addresses_are_refused(tmp_path, address):
    sessions = open_database(f"sqlite:///{tmp_path / 't.db'}")
    with pytest.raises(InvalidEmail, match="not an e-mail address"):
        with sessions.begin() as session:
            subscribe(session, address)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Subscriber)) == 0


def test_subscribe_again_updates_and_unsubscribe_removes_digests(sessions, voip):
    with sessions.begin() as session:
        _, created = subscribe(session, "Reader@Example.org", providers=["VOIP.COM"],
                               categories=["data_security"])
        assert created
    with sessions.begin() as session:
        row, created = subscribe(session, "reader@example.org", all_changes=True, frequency="weekly")
        assert not created
        session.add(Digest(subscriber_id=row.id, period_start=utcnow(), period_end=utcnow(),
                           state="sent", message_id="<x@example.org>", attempts=1))
    with sessions() as session:
        [only] = list_subscribers(session)
    assert only.to_dict() == {"email": "Reader@Example.org", "frequency": "weekly", "all_changes": True,
                              "providers": [], "categories": []}
    with sessions.begin() as session:
        assert unsubscribe(session, "READER@example.org") == 1
    with sessions() as session:
        assert list_subscribers(session) == []
        with pytest.raises(UnknownSubscriber):
            unsubscribe(session, "reader@example.org")


def test_unknown_provider_or_category_is_an_error_not_a_silent_filter(sessions, voip):
    with pytest.raises(UnknownProvider):
        with sessions.begin() as session:
            subscribe(session, "reader@example.org", providers=["vopi.com"])
    with pytest.raises(UnknownCategory):
        with sessions.begin() as session:
            subscribe(session, "reader@example.org", categories=["data-security"])
    with sessions.begin() as session:
        row, _ = subscribe(session, "reader@example.org", providers=["voip.com"])
        assert json.loads(row.filters) == {"providers": ["voip.com"], "categories": []}


def test_cli_subscribe_list_unsubscribe(tmp_path):
    env = {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}", "TRACKER_CONFIG": os.devnull}
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), env=env)

    assert invoke("add", VOIP, "--provider", "voip.com").exit_code == 0
    added = invoke("subscribe", "reader@example.org", "--provider", "voip.com", "--category", "data_retention",
                   "--weekly")
    assert added.exit_code == 0 and "subscribed: reader@example.org (weekly)" in added.output
    listed = json.loads(invoke("subscribers", "--json").output)
    assert listed == [{"email": "reader@example.org", "frequency": "weekly", "all_changes": False,
                       "providers": ["voip.com"], "categories": ["data_retention"]}]
    bad = invoke("subscribe", "reader@example.org\nBcc: x@example.org")
    assert bad.exit_code == 1 and "not an e-mail address" in bad.output and "Traceback" not in bad.output
    assert invoke("unsubscribe", "reader@example.org").exit_code == 0
    gone = invoke("unsubscribe", "reader@example.org")
    assert gone.exit_code == 1 and "no subscriber" in gone.output
    assert "no subscribers" in invoke("subscribers").output
