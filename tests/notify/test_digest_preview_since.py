"""`tracker digest --preview DIR --since DATE`: a new subscriber can see the digest they
would have got for history already recorded (main had no way: their digests start at the
subscription). Nothing is recorded or sent."""

from tracker.archive import ArchiveServer, corpus_pages


def test_preview_since_shows_recorded_history_to_a_new_subscriber(tracker_cli, sample_corpus, tmp_path):
    page = next(p for p in corpus_pages(sample_corpus) if p.provider == "voip.com")
    tracker_cli("add", page.urls[0], "--provider", "voip.com")
    with ArchiveServer(sample_corpus) as server:
        tracker_cli.env["TRACKER_WAYBACK_URL"] = server.url
        tracker_cli("backfill", "--quiet")
    tracker_cli("subscribe", "reader@example.com")

    assert "no digest due" in tracker_cli("digest", "--preview", str(tmp_path / "due")).output

    result = tracker_cli("digest", "--preview", str(tmp_path / "history"), "--since", "2000")
    assert "1 digest(s) written" in result.output
    pages = list((tmp_path / "history").glob("reader@example.com-*.html"))
    assert len(pages) == 1 and "voip.com" in pages[0].read_text(encoding="utf-8")
    assert "no digest due" in tracker_cli("digest", "--preview", str(tmp_path / "again")).output

    result = tracker_cli("digest", "--send", "--since", "2000", ok=False)
    assert "--since goes with --preview" in result.output or "exactly one" in result.output
