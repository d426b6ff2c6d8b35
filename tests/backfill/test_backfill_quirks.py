"""Backfill against the archive server's odd answers and faults, on SQLite and PostgreSQL:
every capture listed ends in a state that says what became of it, nothing is dropped,
no archive page becomes a version."""

import pytest
import requests
from sqlalchemy import select

from tracker.archive import ArchiveServer
from tracker.backfill import backfill
from tracker.read.history import timeline
from tracker.store.documents import add_document, find_documents
from tracker.store.models import Capture
from tracker.store.rawstore import RawStore
from tracker.wayback import Pacer, WaybackClient

pytestmark = pytest.mark.migrated  # the schema is not these tests' subject (conftest's database_url)

VOIP = "http://www.voip.com/privacy_policy.aspx"
LEGAL = "https://voip.com/legal/privacy"


def page(*paragraphs: str) -> bytes:
    """A small policy page, long enough for the normaliser to take it for one."""
    common = ("We describe here how we collect, use and share your personal information when "
              "you use our services. ") * 3
    body = "".join(f"<p>{p} {common}</p><p>{common}</p>" for p in paragraphs)
    return f"<html><body><main><h1>Privacy Policy</h1>{body}</main></body></html>".encode()


@pytest.fixture
def archive(sample_corpus):
    with ArchiveServer(sample_corpus) as server:
        yield server


def track(sessions, provider, *urls):
    with sessions.begin() as session:
        for url in urls:
            add_document(session, url, provider)


def run(sessions, archive, raw, provider=None, **options):
    with sessions() as session:
        documents = find_documents(session, provider)
    client_options = dict(cdx_interval=0, capture_interval=0, backoff=0.01, pacer=Pacer())
    client_options.update(options)
    sample = client_options.pop("sample", "")
    with WaybackClient(archive.url, **client_options) as client:
        return backfill(sessions, client, raw, documents, sample=sample)


def captures(sessions):
    with sessions() as session:
        return {c.timestamp: c for c in session.scalars(select(Capture).order_by(Capture.timestamp))}


def test_every_odd_capture_ends_in_a_state_that_says_why(sessions, archive, tmp_path):
    pdf = b"%PDF-1.4 our privacy policy, as a PDF"
    archive.add_capture(VOIP, "20080101000000", pdf, mimetype="application/pdf")
    archive.add_capture(VOIP, "20090101000000", b"gone", status=404)
    archive.add_capture(VOIP, "20100101000000", page("Moved."), status=301, location=LEGAL)
    archive.add_capture(LEGAL, "20100101000009", page("The policy at its new address."))
    archive.add_capture(VOIP, "20110101000000", page("x"), notice=True)
    # A revisit row: the same payload as the 2006 capture, so nothing to download.
    archive.add_capture(VOIP, "20120101000000", (archive_body := _voip_2006(archive)),
                        statuscode="-", mimetype="warc/revisit", length="-")
    archive.add_capture(VOIP, "20120601000000", page("Anything"), mimetype="unk")
    track(sessions, "voip.com", VOIP)
    raw = RawStore(tmp_path / "snapshots")
    [stats] = run(sessions, archive, raw)
    rows = captures(sessions)

    assert rows["20080101000000"].state == "unsupported"  # stored, never dropped
    assert raw.get(rows["20080101000000"].raw_digest) == pdf
    assert rows["20090101000000"].state == "skipped"  # the archived answer was a 404
    moved = rows["20100101000000"]  # a captured redirect, followed to the capture served
    assert (moved.state, moved.served_timestamp) == ("fetched", "20100101000009")
    assert raw.get(moved.raw_digest) == page("The policy at its new address.")
    notice = rows["20110101000000"]
    assert (notice.state, notice.attempts) == ("failed", 1) and "exclusion notice" in notice.error
    assert notice.version_id is None
    revisit = rows["20120101000000"]
    assert revisit.state == "fetched" and raw.get(revisit.raw_digest) == archive_body
    assert rows["20120601000000"].state == "fetched"  # `unk` served as text/html
    assert (stats.listed, stats.failed) == (len(rows), 1)
    downloads = [r for r in archive.requests if r.path.startswith("/web/2012")]
    assert len(downloads) == 1  # the revisit's digest was already held

    # A later run retries the failed capture (and only it), keeping count of attempts.
    before = len(archive.requests)
    [again] = run(sessions, archive, raw)
    assert captures(sessions)["20110101000000"].attempts == 2 and again.failed == 1
    assert [r.path.split("/")[2] for r in archive.requests[before:] if r.path.startswith("/web")] == [
        "20110101000000id_"]


def _voip_2006(archive) -> bytes:
    return requests.get(f"{archive.url}/web/20061016220256id_/{VOIP}", timeout=5).content


def test_a_capture_that_keeps_failing_stays_failed_then_recovers(sessions, archive, tmp_path):
    track(sessions, "voip.com", VOIP)
    raw = RawStore(tmp_path / "snapshots")
    archive.faults.add(status=503, times=100, path_prefix="/web/20130523180728")
    [stats] = run(sessions, archive, raw, retries=2)
    failed = captures(sessions)["20130523180728"]
    assert (failed.state, failed.attempts, stats.failed) == ("failed", 1, 1)
    assert "HTTP 503" in failed.error
    archive.faults.clear()
    run(sessions, archive, raw)
    recovered = captures(sessions)["20130523180728"]
    assert (recovered.state, recovered.attempts, recovered.error) == ("fetched", 2, None)
    with sessions() as session:
        [document] = find_documents(session)
        assert len(timeline(session, document)) == 2


def test_url_variants_and_a_moved_page_make_one_timeline(sessions, archive, tmp_path):
    old, new = "http://www.example.org/privacy.html", "https://example.org/legal/privacy"
    for timestamp, url, text in [("20100101000000", old, "First."), ("20110101000000", old, "Second."),
                                 ("20150101000000", new, "Third."), ("20160101000000", new, "Fourth.")]:
        archive.add_capture(url, timestamp, page(text))
    # http/https and www variants of each address, and the moved page: one document.
    track(sessions, "example.org", old, "https://example.org/privacy.html",
          "http://example.org/privacy.html", new, "http://www.example.org/legal/privacy")
    [stats] = run(sessions, archive, RawStore(tmp_path / "snapshots"))
    assert (stats.listed, stats.new) == (4, 4)
    assert sum(r.path.startswith("/cdx") for r in archive.requests) == 2  # one per urlkey
    with sessions() as session:
        [document] = find_documents(session)
        versions = timeline(session, document)
    assert [v.first_seen.year for v in versions] == [2010, 2011, 2015, 2016]
    # The next check lists each urlkey from its newest capture on, and adds nothing.
    [again] = run(sessions, archive, RawStore(tmp_path / "snapshots"))
    assert (again.listed, again.new, again.downloaded) == (2, 0, 0)


def test_blocked_url_is_reported_and_the_other_urls_go_on(sessions, archive, tmp_path):
    archive.add_capture(LEGAL, "20150101000000", page("New address."))
    archive.exclude(VOIP)
    track(sessions, "voip.com", VOIP, LEGAL)
    [stats] = run(sessions, archive, RawStore(tmp_path / "snapshots"))
    assert stats.blocked == [VOIP] and (stats.listed, stats.downloaded) == (1, 1)
    assert "blocked http://www.voip.com/privacy_policy.aspx" in stats.line()


@pytest.mark.parametrize("period, kept", [
    ("month", ["20200120000000", "20200210000000", "20200720000000"]),
    ("half-year", ["20200210000000", "20200720000000"]),
])
def test_sampling_keeps_the_last_capture_of_each_period(sessions, archive, tmp_path, period, kept):
    texts = {"20200101000000": "A", "20200105000000": "B", "20200115000000": "C",
             "20200120000000": "D", "20200201000000": "E", "20200210000000": "F",
             "20200710000000": "G", "20200720000000": "H"}
    url = "https://example.org/privacy"
    for timestamp, text in texts.items():
        archive.add_capture(url, timestamp, page(text))
    track(sessions, "example.org", url)
    [stats] = run(sessions, archive, RawStore(tmp_path / "snapshots"), sample=period)
    rows = captures(sessions)
    assert [t for t, c in rows.items() if c.state == "fetched"] == kept
    assert {c.error for c in rows.values() if c.state == "skipped"} == {f"not in the {period} sample"}
    assert stats.downloaded == len(kept) and stats.listed == len(texts)
    with sessions() as session:
        [document] = find_documents(session)
        assert len(timeline(session, document)) == len(kept)  # each sampled change seen


def test_a_download_whose_row_was_never_committed_is_recorded_as_downloaded(sessions, archive, tmp_path):
    """A run killed after storing a capture's bytes but before committing its row: the next
    run finds the bytes held, and records the capture as the uninterrupted run did (served
    timestamp, one attempt), not as bytes shared with another capture."""
    track(sessions, "voip.com", VOIP)
    reference_raw = RawStore(tmp_path / "reference")
    run(sessions, archive, reference_raw)
    done = captures(sessions)
    first = min(done)
    with sessions.begin() as session:
        for capture in session.scalars(select(Capture)):
            session.delete(capture)
    raw = RawStore(tmp_path / "interrupted")
    held = done[first].raw_digest
    raw.put(reference_raw.get(held), reference_raw.headers(held))  # stored; its row never was

    run(sessions, archive, raw)
    again = captures(sessions)
    assert again[first].raw_digest == held
    assert (again[first].served_timestamp, again[first].attempts) == (done[first].served_timestamp, 1)
    assert all((c.served_timestamp, c.attempts) == (done[t].served_timestamp, done[t].attempts)
               for t, c in again.items())
