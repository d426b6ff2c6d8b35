"""The full redline one step away: with `web_base_url` a digest links each step and each
summary line to the web view's step page, which shows the same summary above the clause;
without it, the digest gives the exact `tracker diff` command, whose output numbers the
clauses as the summary does. The Atom feeds link steps at `web_base_url` too."""

import shlex

import feedparser
import lxml.html
import pytest
import requests
from digest_steps import POLICY, backfilled, changed, mailed
from readonly_role import read_only_url

from tracker.web import WebServer, create_app

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

PARTY_ADDED = changed(2, "We share your e-mail address with our affiliates and advertisers to run the service.")


def test_without_web_base_url_the_digest_gives_the_tracker_diff_command_of_the_step(
        database_url, tmp_path, archive, inbox, tracker_cli):
    mail = mailed(backfilled(database_url, tmp_path, archive, inbox, POLICY, PARTY_ADDED), inbox)

    [command] = {line.split("Full comparison: ", 1)[1] for line in mail.text.splitlines() if "Full comparison: " in line}
    assert command in mail.page_text
    assert mail.line("New third parties named") == "New third parties named: advertisers #1"
    output = tracker_cli(*shlex.split(command)[1:]).output
    assert "example.org / Privacy Policy: version 1 (2020-01-01) -> version 2 (2021-01-01)" in output
    numbered = output.split("#1 ~ modified", 1)[1]
    assert "flags: party_added" in numbered.splitlines()[0] and "{+and advertisers+}" in numbered


def test_with_web_base_url_steps_and_summary_lines_link_to_the_step_page(database_url, tmp_path, archive, inbox):
    world = backfilled(database_url, tmp_path, archive, inbox, POLICY, PARTY_ADDED)
    with WebServer(create_app(read_only_url(database_url))) as server:
        mail = mailed(world, inbox, web_base_url=server.url + "/")
        tree = lxml.html.fromstring(mail.page)
        step = f"{server.url}/documents/1/diff?from=v1&to=v2"
        assert [a.get("href") for a in tree.iter("a") if a.text == "full comparison"] == [step]
        assert f"Full comparison: {step}\n" in mail.text and "tracker diff" not in mail.text
        [(label, href)] = mail.html_refs("New third parties named")
        assert (label, href) == ("#1", step + "#c1")

        page = lxml.html.fromstring(requests.get(href, timeout=30).text)
        [line] = page.get_element_by_id("meaning").iter("li")
        assert line.text_content().strip() == "New third parties named: advertisers #1"
        assert "advertisers" in page.get_element_by_id("c1").text_content()


def test_feeds_link_steps_at_the_web_base_url(database_url, tmp_path, archive, inbox):
    backfilled(database_url, tmp_path, archive, inbox, POLICY, PARTY_ADDED)
    for base, expected in (("", None), ("https://policies.example.org/", "https://policies.example.org")):
        with WebServer(create_app(read_only_url(database_url), web_base_url=base)) as server:
            feed = feedparser.parse(requests.get(server.url + "/feeds/changes.atom", timeout=30).text)
        [entry] = feed.entries
        assert entry.link == f"{expected or server.url}/documents/1/diff?from=v1&to=v2"
