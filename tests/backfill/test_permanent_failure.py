"""A capture that fails the same way every run (a body over max_body_bytes, as a gzip bomb
is) is tried max_attempts times and then left alone, with its reason; `tracker backfill
--retry-failed` tries it again on purpose. A run stopped by the archive does not count."""

import json

from tracker.archive import ArchiveServer

URL = "https://example.com/privacy"
TIMESTAMP = "20200101000000"


def capture_requests(server) -> int:
    return sum(1 for r in server.requests if r.path.startswith(f"/web/{TIMESTAMP}id_/"))


def test_an_oversized_capture_is_given_up_after_max_attempts_and_retried_on_purpose(tracker_cli, sample_corpus):
    with ArchiveServer(sample_corpus) as server:
        server.add_capture(URL, TIMESTAMP, b"<html><body><p>" + b"policy text " * 2000 + b"</p></body></html>")
        tracker_cli.env.update({"TRACKER_WAYBACK_URL": server.url, "TRACKER_MAX_BODY_BYTES": "5000",
                                "TRACKER_MAX_ATTEMPTS": "2"})
        tracker_cli("add", URL, "--provider", "example.com")
        for _ in range(4):
            tracker_cli("backfill", "--quiet")
        assert capture_requests(server) == 2
        captures = json.loads(tracker_cli("captures", "example.com", "--json").output)[0]["captures"]
        assert [(c["state"], c["attempts"], c["given_up"]) for c in captures] == [("failed", 2, True)]
        assert "5000" in captures[0]["error"] and "--retry-failed" in captures[0]["reason"]

        tracker_cli.env["TRACKER_MAX_BODY_BYTES"] = "1000000"
        result = tracker_cli("backfill", "--quiet", "--retry-failed")
        assert "1 failed capture(s) will be tried again" in result.output
        assert capture_requests(server) == 3
        captures = json.loads(tracker_cli("captures", "example.com", "--json").output)[0]["captures"]
        assert captures[0]["state"] == "fetched"
