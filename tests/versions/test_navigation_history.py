"""Menus told across captures, through the real path: captures served by the loopback archive,
backfilled in time order (the incremental path reads what earlier captures judged from their
stored scope), shown by `tracker captures`, and rebuilt the same by `tracker renormalize`.
Hand-made pages in tests/data/scope (README there)."""

import json

import pytest
from corpora import DATA
from mail_world import World
from sqlalchemy import select

from tracker.store.models import Capture, Change, Clause, ClauseChange, Version

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

SCOPE = DATA / "scope"
URL = "https://app.example/privacy"


def rows(world):
    with world.sessions() as session:
        return [tuple(r) for r in session.execute(
            select(Capture.timestamp, Capture.invalid_reason, Version.seq)
            .outerjoin(Version, Version.id == Capture.version_id).order_by(Capture.timestamp))]


def clause_changes(world):
    with world.sessions() as session:
        return [tuple(r) for r in session.execute(
            select(ClauseChange.kind, Clause.text).join(Change, Change.id == ClauseChange.change_id)
            .outerjoin(Clause, Clause.id == ClauseChange.new_clause_id)
            .order_by(Change.id, ClauseChange.ordinal))]


def captures_json(tracker_cli, database_url):
    tracker_cli.env["TRACKER_DATABASE_URL"] = database_url
    return json.loads(tracker_cli("captures", "app.example", "--json").output)[0]["captures"]


def test_menu_below_injected_spam_makes_no_version_and_the_decision_shows(
        database_url, tmp_path, archive, inbox, tracker_cli):
    archive.add_capture(URL, "20240101000000", (SCOPE / "menu-at-top.html").read_bytes())
    world = World(database_url, tmp_path, archive, inbox.port)
    world.track((URL, "app.example"))
    world.backfill()
    archive.add_capture(URL, "20240201000000", (SCOPE / "menu-below-spam.html").read_bytes())
    world.backfill()  # the incremental path: the first capture's menu is read back from its scope
    assert rows(world) == [("20240101000000", None, 1), ("20240201000000", None, 1)]
    second = captures_json(tracker_cli, database_url)[1]["scope"]["dropped"]
    assert [d["reason"] for d in second] == [
        "injected spam", "navigation: the items of a menu seen in an earlier capture"]
    output = tracker_cli("captures", "app.example").output.splitlines()[2]
    assert output.startswith("  20240201000000  fetched     v1 ")
    assert "left out 'Chat - talk to your data | Search - find anything | Agents - work for you | ...' " \
           "(navigation: the items of a menu seen in an earlier capture, 17 words)" in output


def test_churned_product_menu_is_no_change_but_an_added_processor_is(
        database_url, tmp_path, archive, inbox, tracker_cli):
    archive.add_capture(URL, "20240101000000", (SCOPE / "menu-and-processors.html").read_bytes())
    archive.add_capture(URL, "20240301000000", (SCOPE / "menu-and-processors-later.html").read_bytes())
    world = World(database_url, tmp_path, archive, inbox.port)
    world.track((URL, "app.example"))
    world.backfill()
    assert rows(world) == [("20240101000000", None, 1), ("20240301000000", None, 2)]
    assert clause_changes(world) == [("added", "Analytics Co")]
    tracker_cli.env["TRACKER_DATABASE_URL"] = database_url
    output = tracker_cli("renormalize").output
    assert "versions 2 -> 2, changes kept 1, new technical 0, gone 0" in output
    assert clause_changes(world) == [("added", "Analytics Co")]
