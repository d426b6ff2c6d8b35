"""Live checks from the command line, on SQLite and PostgreSQL: `tracker add --source` (and
the configured default), `backfill` leaving a live-only document to the live checks, and
`tracker status` telling each document's last live answer (robots.txt's "no" included) and
its pending Save Page Now requests; `tracker history` shows a version's public evidence."""

import json

import pytest
from corpora import SAMPLE_CORPUS
from live_world import V1_PAGE

from tracker.archive import ArchiveServer, LiveSite
from tracker.config import load_config
from tracker.jobs import dispatch
from tracker.store.db import open_database

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)


@pytest.fixture
def world(tracker_cli):
    with LiveSite() as site, ArchiveServer(SAMPLE_CORPUS) as archive:
        site.publish("/privacy", V1_PAGE, at="20250101000000")
        site.publish("/terms", V1_PAGE, at="20250101000000")
        tracker_cli.env.update(TRACKER_WAYBACK_URL=archive.url)
        yield tracker_cli, site, archive


def check_all(run, **environ):
    """One dispatcher round of the daemon, as configured by the command line's environment."""
    config = load_config(environ={**run.env, **environ})
    sessions = open_database(config.database_url)
    try:
        return dispatch(sessions, config)
    finally:
        sessions.kw["bind"].dispose()


def test_add_sets_where_a_document_is_checked(world):
    run, site, _ = world
    assert run("add", site.page_url("/privacy"), "--provider", "live.example", "--source", "live").output.endswith(
        "(checked: live)\n")
    run.env["TRACKER_DEFAULT_SOURCE"] = "both"
    run("add", site.page_url("/terms"), "--provider", "live.example", "--document", "Terms")
    run("add", site.page_url("/privacy"), "--provider", "live.example")  # known: keeps its own
    listing = {d["document"]: d["source"] for d in json.loads(run("list", "--json").output)}
    assert listing == {"Privacy Policy": "live", "Terms": "both"}
    assert "checked live" in run("list").output
    bad = run("add", site.page_url("/privacy"), "--provider", "x", "--source", "archive", ok=False)
    assert bad.exit_code == 2 and "archive" in bad.output


def test_backfill_leaves_a_live_only_document_to_the_live_checks(world):
    run, site, archive = world
    run("add", site.page_url("/privacy"), "--provider", "live.example", "--source", "live")
    output = run("backfill", "--quiet").output
    assert "live.example / Privacy Policy: checked live only" in output and "archive requests: 0" in output
    assert archive.requests == [] and site.requests == []


def test_status_tells_the_last_live_answer_robots_txt_and_pending_saves(world):
    run, site, archive = world
    site.robots = "User-agent: policy-tracker\nDisallow: /terms\n"
    run("add", site.page_url("/privacy"), "--provider", "live.example", "--source", "both")
    run("add", site.page_url("/terms"), "--provider", "live.example", "--document", "Terms", "--source", "live")
    assert "live: not checked yet" in run("status").output
    check_all(run, TRACKER_SPN_ACCESS_KEY="access", TRACKER_SPN_SECRET="S3cret", TRACKER_SPN_INTERVAL="3600")
    text = run("status").output
    assert "live.example / Privacy Policy: last check" in text and "checked live and in the archive" in text
    assert "200: new capture; 1 Save Page Now request(s) pending" in text  # submitted; its poll waits an hour
    assert "robots.txt disallows policy-tracker: never fetched; refusing the tracker since" in text
    assert "asked again only when robots.txt allows" in text
    assert [r.path for r in site.requests].count("/terms") == 0
    documents = {d["document"]: d for d in json.loads(run("status", "--json").output)["documents"]}
    assert documents["Terms"]["live_outcome"] == "robots.txt disallows policy-tracker: never fetched"
    assert documents["Privacy Policy"]["saves_pending"] == 1 and documents["Privacy Policy"]["source"] == "both"
    history = run("history", "live.example").output
    assert "from live" in history and "public evidence: Save Page Now requested" in history
