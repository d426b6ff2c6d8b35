"""Another page served at the policy's URL is junk, not a version; a shorter rewrite of the
policy that keeps its title is a version. Real captures in tests/data/pages (README there).
"""

import html
import json

import pytest
from corpora import DATA
from mail_world import World
from sqlalchemy import select

from tracker.normalize import parse_selectors
from tracker.store.documents import find_documents
from tracker.store.models import Capture, Version
from tracker.store.overrides import add_override

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

PAGES = DATA / "pages"
URL = "https://support.example/privacy/"


def backfilled(database_url, tmp_path, archive, inbox, captures: dict[str, bytes]):
    for timestamp, body in captures.items():
        archive.add_capture(URL, timestamp, body)
    world = World(database_url, tmp_path, archive, inbox.port)
    world.track((URL, "support.example"))
    world.backfill()
    with world.sessions() as session:
        rows = session.execute(select(Capture.timestamp, Capture.invalid_reason, Version.seq)
                               .outerjoin(Version, Version.id == Capture.version_id)
                               .order_by(Capture.timestamp)).all()
    return [tuple(r) for r in rows]


def test_summary_page_with_spam_at_the_policys_url_is_another_page(database_url, tmp_path, archive, inbox):
    policy = (PAGES / "happn-20230303183230.html").read_bytes()
    summary = (PAGES / "happn-20231002003240.html").read_bytes()
    rows = backfilled(database_url, tmp_path, archive, inbox, {
        "20230303183230": policy, "20231002003240": summary, "20231101000000": policy})
    assert rows[0] == ("20230303183230", None, 1)
    assert rows[1][0] == "20231002003240" and rows[1][2] is None
    assert rows[1][1].startswith("another page at the policy's URL (")
    assert rows[2] == ("20231101000000", None, 1)  # the policy again: still version 1


def page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"<html><body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>".encode()


LONG = [f"Clause {n}: we describe here how we handle the personal information of our users in case {n}, "
        f"which processors receive it, for which purposes and for how long it is kept." for n in range(40)]
SHORT = ["We collect only your e-mail address to send you the newsletter you asked for.",
         "We never share it with anyone, and you can unsubscribe from every message at any time.",
         "We delete your address within a week of your unsubscribing, and we keep no other data.",
         "Write to privacy@example.com with any question about this policy or your data."]


def test_short_rewrite_that_keeps_the_policy_title_is_a_version(database_url, tmp_path, archive, inbox):
    rows = backfilled(database_url, tmp_path, archive, inbox, {
        "20200101000000": page("Example Privacy Policy", LONG),
        "20210101000000": page("Example Privacy Policy", SHORT),
    })
    assert rows == [("20200101000000", None, 1), ("20210101000000", None, 2)]


def test_untitled_short_page_sharing_clauses_with_the_policy_is_a_version(database_url, tmp_path, archive, inbox):
    rows = backfilled(database_url, tmp_path, archive, inbox, {
        "20200101000000": page("Example Privacy Policy", LONG),
        "20210101000000": page("Our data practices", LONG[:10]),
    })
    assert rows == [("20200101000000", None, 1), ("20210101000000", None, 2)]


def test_captures_command_shows_the_other_page(database_url, tmp_path, archive, inbox, tracker_cli):
    backfilled(database_url, tmp_path, archive, inbox, {
        "20200101000000": page("Example Privacy Policy", LONG),
        "20210101000000": page("Shop", [f"Buy our shoes today, model {n}: free shipping on every order over "
                                        "fifty euros, and returns are free for thirty days." for n in range(5)]),
    })
    tracker_cli.env["TRACKER_DATABASE_URL"] = database_url
    data = json.loads(tracker_cli("captures", "support.example", "--json").output)
    reasons = [c["invalid_reason"] for c in data[0]["captures"]]
    assert reasons[0] is None and reasons[1].startswith("another page at the policy's URL")
    text = tracker_cli("captures", "support.example").output
    assert "invalid: another page at the policy's URL" in text


SHOP = page("Shop", [f"Buy our shoes today, model {n}: free shipping on every order over fifty euros, and "
                     "returns are free for thirty days." for n in range(12)])


def test_first_capture_that_is_not_a_privacy_policy_does_not_start_the_history(
        database_url, tmp_path, archive, inbox, tracker_cli):
    rows = backfilled(database_url, tmp_path, archive, inbox, {
        "20200101000000": SHOP, "20210101000000": page("Example Privacy Policy", LONG)})
    assert rows[0][0] == "20200101000000" and rows[0][2] is None
    assert rows[0][1] == "not a privacy policy (0 privacy terms in 253 words, no privacy-policy title)"
    assert rows[1] == ("20210101000000", None, 1)
    tracker_cli.env["TRACKER_DATABASE_URL"] = database_url
    assert "invalid: not a privacy policy (0 privacy terms" in tracker_cli("captures", "support.example").output


def test_first_capture_of_a_policy_with_an_odd_title_starts_the_history(database_url, tmp_path, archive, inbox):
    japanese = (DATA / "scope" / "japanese-policy.html").read_bytes()
    untitled = japanese.replace("<title>プライバシーポリシー</title>".encode(), b"").replace(
        "<h1>プライバシーポリシー</h1>".encode(), "<h1>お客様情報の取扱いについて</h1>".encode())
    assert untitled != japanese
    rows = backfilled(database_url, tmp_path, archive, inbox, {
        "20200101000000": page("Our data practices", LONG), "20210101000000": untitled})
    assert rows == [("20200101000000", None, 1), ("20210101000000", None, 2)]


def test_first_capture_in_a_language_the_vocabulary_lacks_is_not_judged(database_url, tmp_path, archive, inbox):
    """A Polish policy holds none of the vocabulary's words: unsure, so it starts the history."""
    rows = backfilled(database_url, tmp_path, archive, inbox, {
        "20200101000000": (DATA / "scope" / "polish-policy.html").read_bytes()})
    assert rows == [("20200101000000", None, 1)]


def test_summary_page_first_is_rejudged_when_the_policy_comes(database_url, tmp_path, archive, inbox, tracker_cli):
    """Real captures: the summary page served first speaks of privacy, so it starts the history;
    the policy captured after it shows that it was another page."""
    summary = (PAGES / "happn-20231002003240.html").read_bytes()
    policy = (PAGES / "happn-20230303183230.html").read_bytes()
    rows = backfilled(database_url, tmp_path, archive, inbox, {
        "20230101000000": summary, "20230303183230": policy})
    assert [r[2] for r in rows] == [None, 1]
    assert rows[0][1].startswith("another page at the policy's URL (") and "in the later policy" in rows[0][1]
    tracker_cli.env["TRACKER_DATABASE_URL"] = database_url
    assert "versions 1 -> 1, changes kept 0, new technical 0, gone 0, invalid captures 1" in tracker_cli(
        "renormalize").output


def test_a_select_override_wins_over_the_first_capture_check(database_url, tmp_path, archive, inbox):
    """A person who chose the policy's element decides: the page is kept whatever it reads like."""
    archive.add_capture(URL, "20200101000000", SHOP)
    world = World(database_url, tmp_path, archive, inbox.port)
    world.track((URL, "support.example"))
    with world.sessions.begin() as session:
        add_override(session, find_documents(session)[0], parse_selectors("main"), ())
    world.backfill()
    with world.sessions() as session:
        assert session.execute(select(Capture.invalid_reason, Capture.version_id)).one()[0] is None


def test_early_short_policy_stays_the_first_version_when_a_long_policy_replaces_it(
        database_url, tmp_path, archive, inbox):
    """Untitled, a third of the later policy's size and sharing none of its clauses: an early
    short policy, not a page to re-judge (a first version must be a tenth of the size)."""
    early = [f"Point {n}: we keep the personal information you send us only as long as we need it for "
             "your order." for n in range(16)]
    rows = backfilled(database_url, tmp_path, archive, inbox, {
        "20030101000000": page("Our commitment", early), "20180525000000": page("Example Privacy Policy", LONG)})
    assert rows == [("20030101000000", None, 1), ("20180525000000", None, 2)]
