"""A rewritten clause change in the web view, on SQLite and PostgreSQL: the step page counts
it and shows its redline, the API's step carries the count and the record, and the document's
Atom feed quotes it."""

import feedparser
import requests
from readonly_role import read_only_url
from rewritten_policy import NEW, OLD, import_both

from tracker.web import WebServer, create_app


def test_the_step_page_api_and_feed_show_a_rewritten_change(tracker_cli, database_url, tmp_path):
    import_both(tracker_cli, tmp_path)
    with WebServer(create_app(read_only_url(database_url))) as server:
        [step] = requests.get(server.url + "/api/changes", timeout=30).json()["items"]
        assert (step["rewritten"], step["modified"], step["added"], step["removed"]) == (1, 0, 0, 0)
        [record] = requests.get(step["url"], timeout=30).json()["clause_changes"]
        assert (record["kind"], record["old_text"], record["new_text"]) == ("rewritten", "\n".join(OLD), "\n".join(NEW))

        page = requests.get(f"{server.url}/documents/{step['document_id']}/diff?from=v1&to=v2", timeout=30).text
        assert "0 modified, 0 moved, 0 split, 0 merged, 1 rewritten;" in page
        assert 'class="change kind-rewritten is-material"' in page
        assert "<del>one year</del>" in page and "<ins>two years</ins>" in page

        feed = feedparser.parse(requests.get(f"{server.url}/feeds/documents/{step['document_id']}.atom",
                                             timeout=30).text)
        [entry] = feed.entries
        assert "rewritten" in entry.summary and "two years" in entry.summary
