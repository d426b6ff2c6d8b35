"""Captures that are not new versions of the policy though their clauses differ: a re-flow
(the same words split into other paragraphs) and a flip (a section one capture lacks, or
alone shows, that the next capture has as before). Through the archive server on loopback,
on SQLite and PostgreSQL."""

import pytest
from capture_history import URL, history, placed
from sqlalchemy import select

from tracker.store.models import Version

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

INTRO = "We collect the name and e-mail address you give us when you create an account."
USE = "We use them to run the service and to answer your requests, and for nothing else."
SHARE = "We share them only with the processors that host the service for us, under contract."
COOKIES = ["Cookies", "We set one cookie that keeps you signed in, and no other.",
           "You can delete it at any time in your browser's settings."]
CALIFORNIA = ["Notice to California residents", "We do not sell or share personal information."]


def policy(*blocks: str, joined: bool = False) -> bytes:
    """A policy page; `joined`: its three first sentences in one paragraph split by <br>."""
    body = "".join(f"<h2>{b}</h2>" if len(b) < 40 else f"<p>{b}</p>" for b in blocks)
    if joined:
        body = body.replace(f"<p>{INTRO}</p><p>{USE}</p><p>{SHARE}</p>", f"<p>{INTRO}<br>{USE} {SHARE}</p>")
    padding = "".join(f"<p>Section {n} explains one more way we handle the personal data of our members.</p>"
                      for n in range(6))
    return f"<html><body><main><h1>Privacy Policy</h1>{body}{padding}</main></body></html>".encode()


FULL = (INTRO, USE, SHARE, *COOKIES)


def test_a_reflow_of_the_same_words_is_a_capture_of_the_same_version(database_url, tmp_path, archive, inbox):
    world = history(database_url, tmp_path, archive, inbox, {
        "20240101000000": policy(*FULL),
        "20240201000000": policy(*FULL, joined=True),  # <br> and a join instead of paragraphs
        "20240301000000": policy(*FULL, "We keep your data for thirty days after you leave."),
    })
    assert {ts: seq for ts, (seq, _) in placed(world).items()} == {
        "20240101000000": 1, "20240201000000": 1, "20240301000000": 2}


def test_a_table_whose_cells_are_stacked_as_paragraphs_is_a_capture_of_the_same_version(database_url, tmp_path,
                                                                                      archive, inbox):
    rows = [("Account data", "While the account is open"), ("Payment records", "Seven years, as tax law requires")]
    table = "<table>" + "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows) + "</table>"
    stacked = "".join(f"<div class='row'><p>{a}</p><p>{b}</p></div>" for a, b in rows)  # a responsive layout
    world = history(database_url, tmp_path, archive, inbox, {
        "20240101000000": policy(INTRO).replace(b"</main>", table.encode() + b"</main>"),
        "20240201000000": policy(INTRO).replace(b"</main>", stacked.encode() + b"</main>"),
        "20240301000000": policy(INTRO).replace(b"</main>", stacked.replace("Seven", "Ten").encode() + b"</main>"),
    })
    assert {ts: seq for ts, (seq, _) in placed(world).items()} == {
        "20240101000000": 1, "20240201000000": 1, "20240301000000": 2}


def test_a_section_missing_from_one_capture_only_is_a_flip(database_url, tmp_path, archive, inbox, tracker_cli):
    world = history(database_url, tmp_path, archive, inbox, {
        "20240101000000": policy(*FULL),
        "20240201000000": policy(INTRO, USE, SHARE),  # the collapsed cookie section is not rendered
        "20240301000000": policy(*FULL),
        "20240401000000": policy(*FULL, *CALIFORNIA),  # a California notice is shown once
        "20240501000000": policy(*FULL),
        "20240601000000": policy(*FULL, "We keep your data for thirty days after you leave."),
    })
    rows = placed(world)
    assert {ts: seq for ts, (seq, _) in rows.items()} == {
        "20240101000000": 1, "20240201000000": 1, "20240301000000": 1, "20240401000000": 1,
        "20240501000000": 1, "20240601000000": 2}
    assert rows["20240201000000"][1]["note"] == (
        "a flip: 'Cookies' and 2 more clauses missing in this capture only (the captures before and after "
        "agree); a capture of the version before")
    assert "'Notice to California residents' and 1 more clause shown" in rows["20240401000000"][1]["note"]
    tracker_cli.env["TRACKER_DATABASE_URL"] = database_url
    output = tracker_cli("captures", "flips.example").output
    assert "a flip: 'Cookies' and 2 more clauses missing" in output


def test_a_section_gone_for_good_is_a_version(database_url, tmp_path, archive, inbox):
    world = history(database_url, tmp_path, archive, inbox, {
        "20240101000000": policy(*FULL),
        "20240201000000": policy(INTRO, USE, SHARE),
        "20240301000000": policy(INTRO, USE, SHARE) + b"<!-- other bytes, the same text -->",
    })
    assert {ts: seq for ts, (seq, _) in placed(world).items()} == {
        "20240101000000": 1, "20240201000000": 2, "20240301000000": 2}


def test_without_a_later_capture_the_missing_section_is_a_version_until_it_returns(database_url, tmp_path,
                                                                                   archive, inbox):
    world = history(database_url, tmp_path, archive, inbox, {
        "20240101000000": policy(*FULL),
        "20240201000000": policy(INTRO, USE, SHARE),  # the newest capture: nothing tells a flip yet
    })
    assert {ts: seq for ts, (seq, _) in placed(world).items()} == {"20240101000000": 1, "20240201000000": 2}
    archive.add_capture(URL, "20240301000000", policy(*FULL))
    world.backfill()
    with world.sessions() as session:
        versions = session.scalars(select(Version).order_by(Version.seq)).all()
        assert [(v.seq, v.returns_to_id == versions[0].id) for v in versions] == [(1, False), (2, False), (3, True)]
