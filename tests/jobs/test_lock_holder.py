"""A command refused because another process holds the database says which process it is
(main said "a tracker daemon is already running" when it was a backfill)."""

from tracker.jobs import InstanceLock


def test_a_second_backfill_is_told_a_backfill_runs(tracker_cli, database_url):
    tracker_cli("add", "https://example.com/privacy", "--provider", "example.com")
    with InstanceLock(database_url, grace=0, holder="tracker backfill"):
        result = tracker_cli("backfill", "--quiet", ok=False)
    assert "tracker backfill is already running" in result.output
    assert "daemon" not in result.output and "wait for it to finish" in result.output
