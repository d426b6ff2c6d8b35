"""The Wayback client against the project's archive server on loopback."""

import base64
import gzip
import hashlib
import json
import threading

import pytest

from tracker.archive import ArchiveServer
from tracker.wayback import (
    ArchiveNotice,
    ArchiveUnreachable,
    BlockedSite,
    BodyTooLarge,
    BrokenBody,
    CaptureError,
    InvalidURL,
    NotArchived,
    Pacer,
    RateLimited,
    WaybackClient,
    check_url,
    parse_cdx,
    shared_pacer,
)

VOIP = "http://www.voip.com/privacy_policy.aspx"
LEX = "https://help.thisislex.app/article/51-privacy-policy"


@pytest.fixture
def archive(sample_corpus, test_corpus):
    with ArchiveServer(sample_corpus, test_corpus) as server:
        yield server


def fast_client(server, **kwargs):
    options = dict(cdx_interval=0, capture_interval=0, backoff=0.01, rate_limit_pause=0.05, pacer=Pacer())
    options.update(kwargs)
    return WaybackClient(server.url, **options)


def cdx_rows(corpus, page_id):
    return json.loads((corpus / "archive" / page_id / "cdx.json").read_text())[1:]


def test_search_lists_every_capture_in_time_order(archive, sample_corpus):
    with fast_client(archive) as client:
        records = list(client.search(VOIP))
    assert [r.timestamp for r in records] == ["20061016220256", "20130523180728"]
    assert records[0].digest == "QW2PIHMVYHBTHZZJZ7AF2GJTFQK34R55"
    assert records[0].urlkey == "com,voip)/privacy_policy.aspx"


def test_search_pages_through_resume_keys(archive, test_corpus):
    expected = [r[1] for r in cdx_rows(test_corpus, "dating--lex--privacy-policy")]
    with fast_client(archive, page_size=5) as client:
        records = list(client.search(LEX))
        cdx_requests = [r for r in archive.requests if r.path.startswith("/cdx")]
    assert [r.timestamp for r in records] == sorted(set(expected))
    assert len(cdx_requests) == -(-len(records) // 5)  # ceil: one request per page


def test_search_from_timestamp_is_incremental(archive):
    with fast_client(archive) as client:
        records = list(client.search(VOIP, from_ts="2010"))
    assert [r.timestamp for r in records] == ["20130523180728"]


def test_unknown_url_lists_nothing(archive):
    with fast_client(archive) as client:
        assert list(client.search("http://never-archived.example.org/privacy")) == []


def test_get_capture_returns_exact_bytes_with_memento_datetime(archive, sample_corpus):
    body = (sample_corpus / "archive/seed--voip.com--privacy-policy/20061016220256.html").read_bytes()
    with fast_client(archive) as client:
        memento = client.get_capture("20061016220256", VOIP)
    assert memento.body == body
    assert base64.b32encode(hashlib.sha1(memento.body).digest()).decode() == "QW2PIHMVYHBTHZZJZ7AF2GJTFQK34R55"
    assert memento.timestamp == "20061016220256"
    assert memento.content_type.startswith("text/html")


def test_missing_timestamp_records_the_capture_actually_served(archive):
    with fast_client(archive) as client:
        memento = client.get_capture("20120101000000", VOIP)
    assert memento.timestamp == "20130523180728"


def test_never_archived_is_a_named_error(archive):
    with fast_client(archive) as client, pytest.raises(NotArchived):
        client.get_capture("20200101000000", "http://never-archived.example.org/privacy")


def test_one_keep_alive_connection_for_many_requests(archive):
    with fast_client(archive) as client:
        list(client.search(VOIP))
        client.get_capture("20061016220256", VOIP)
        client.get_capture("20130523180728", VOIP)
    ports = {r.client_port for r in archive.requests}
    assert len(ports) == 1


def held(call, *args) -> bool:
    """Whether `call(*args)` is still waiting a moment after it started (it then waits on in
    a daemon thread). Only used where the wait, if any, is far longer than the moment."""
    thread = threading.Thread(target=call, args=args, daemon=True)
    thread.start()
    thread.join(0.3)
    return thread.is_alive()


def goes_at_once(call, *args) -> bool:
    """Whether `call(*args)` returns rather than waiting out a pause or interval (of an hour
    here): a guard against hanging, with seconds to spare on a busy machine."""
    thread = threading.Thread(target=call, args=args, daemon=True)
    thread.start()
    thread.join(10)
    return not thread.is_alive()


def test_429_pauses_then_succeeds_and_never_retries_at_once(archive, caplog):
    archive.faults.add(status=429, times=2, path_prefix="/cdx")
    pacer = Pacer()
    with fast_client(archive, pacer=pacer, rate_limit_pause=0.75) as client:
        records = list(client.search(VOIP))
    assert len(records) == 2
    assert [r.status for r in archive.requests] == [429, 429, 200]
    assert pacer.pauses == 2  # each 429 paused every request before the next one went out
    # A growing pause: 0.75 s, then 1.5 s (logged to the second).
    assert [m for m in caplog.messages if m.startswith("archive answered 429")] == [
        "archive answered 429: pausing every request for 1s",
        "archive answered 429: pausing every request for 2s",
    ]
    # Each wait that followed said why and until when (issue 13: no silent stalls).
    waits = [m for m in caplog.messages if m.startswith("archive requests paused until")]
    assert len(waits) == 2 and all("UTC" in m and "answered 429" in m for m in waits)


def test_persistent_429_raises_rate_limited(archive):
    archive.faults.add(status=429, times=10, path_prefix="/cdx")
    with fast_client(archive, retries=2, rate_limit_pause=0.01) as client, pytest.raises(RateLimited):
        list(client.search(VOIP))


def test_5xx_is_retried(archive):
    archive.faults.add(status=503, times=2, path_prefix="/web")
    with fast_client(archive) as client:
        assert client.get_capture("20061016220256", VOIP).status_code == 200


def test_truncated_body_is_an_error_not_a_short_capture(archive):
    archive.faults.add(kind="truncate", times=5, path_prefix="/web")
    with fast_client(archive, retries=0) as client, pytest.raises(CaptureError):
        client.get_capture("20061016220256", VOIP)


def test_body_cap_stops_large_and_decompression_bombs(tmp_path):
    page = tmp_path / "archive" / "bomb"
    page.mkdir(parents=True)
    body = b"<html><body>" + b"a" * 3_000_000 + b"</body></html>"
    digest = base64.b32encode(hashlib.sha1(body).digest()).decode()
    (page / "20200101000000.html").write_bytes(body)
    (page / "cdx.json").write_text(json.dumps([
        ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"],
        ["org,example)/bomb", "20200101000000", "http://example.org/bomb", "text/html", "200", digest, str(len(body))],
    ]))
    with ArchiveServer(tmp_path) as server, fast_client(server, max_body_bytes=1_000_000) as client:
        # The server gzips (3 MB of 'a' compress to a few KB): the cap applies to what
        # it inflates to, so a gzip bomb cannot fill memory.
        assert len(gzip.compress(body)) < 1_000_000
        with pytest.raises(BodyTooLarge):
            client.get_capture("20200101000000", "http://example.org/bomb")


def test_unreachable_archive_is_a_named_error():
    client = WaybackClient("http://127.0.0.1:9", retries=1, backoff=0.01, timeout=2, pacer=Pacer())
    with client, pytest.raises(ArchiveUnreachable):
        list(client.search(VOIP))


@pytest.mark.parametrize("bad", ["", "not a url", "ftp://example.org/x", "http://", "javascript:alert(1)",
                                 "http://exa mple.org/", "http://localhostx/"])
def test_check_url_rejects_what_is_not_a_url(bad):
    with pytest.raises(InvalidURL):
        check_url(bad)


def test_pacer_spaces_requests_of_one_kind():
    pacer = Pacer()
    pacer.wait("cdx", 0)  # a CDX request goes out
    assert held(pacer.wait, "cdx", 3600)  # the next one waits out its interval (an hour here)
    assert goes_at_once(pacer.wait, "capture", 0)  # a request of another kind is not held back


# -- odd answers --------------------------------------------------------------------------

LEGAL = "http://www.voip.com/legal/privacy"


def page(text: str) -> bytes:
    return f"<html><body><h1>Privacy</h1><p>{text}</p></body></html>".encode()


@pytest.mark.parametrize("form", ["absolute", "web-path", "scheme-relative", "live-url"])
def test_captured_redirect_is_followed_inside_the_archive(archive, form):
    host = archive.url.split("//", 1)[1]
    location = {
        "absolute": f"{archive.url}/web/20100101000000id_/{LEGAL}",
        "web-path": f"/web/20100101000000id_/{LEGAL}",
        "scheme-relative": f"//{host}/web/20100101000000id_/{LEGAL}",
        "live-url": LEGAL,  # a Location the archive did not rewrite: that URL, same moment
    }[form]
    archive.add_capture(VOIP, "20100101000000", status=301, location=location)
    archive.add_capture(LEGAL, "20100101000500", page("moved here"))
    with fast_client(archive) as client:
        memento = client.get_capture("20100101000000", VOIP)
    # The capture actually served: the target's own timestamp and URL, after a 302 to nearest.
    assert memento.body == page("moved here")
    assert (memento.timestamp, memento.original) == ("20100101000500", LEGAL)
    assert [r.status for r in archive.requests] == [301, 302, 200]


def test_redirect_loops_and_long_chains_are_named_errors(archive):
    archive.add_capture(VOIP, "20100101000000", status=302, location=f"/web/20100101000000id_/{LEGAL}")
    archive.add_capture(LEGAL, "20100101000000", status=302, location=f"/web/20100101000000id_/{VOIP}")
    with fast_client(archive) as client, pytest.raises(CaptureError, match="redirect loop"):
        client.get_capture("20100101000000", VOIP)
    chain = [f"http://example.org/p{i}" for i in range(8)]
    for here, there in zip(chain, chain[1:]):
        archive.add_capture(here, "20100101000000", status=301, location=f"/web/20100101000000id_/{there}")
    with fast_client(archive, max_redirects=5) as client, pytest.raises(CaptureError, match="more than 5"):
        client.get_capture("20100101000000", chain[0])


def test_archived_error_answers_are_mementos_not_live_errors(archive):
    archive.add_capture(VOIP, "20100101000000", b"Too Many Requests", status=429)
    archive.add_capture(VOIP, "20110101000000", b"Service Unavailable", status=503)
    pacer = Pacer()
    with fast_client(archive, pacer=pacer) as client:
        assert client.get_capture("20100101000000", VOIP).status_code == 429
        assert client.get_capture("20110101000000", VOIP).status_code == 503
    assert pacer.pauses == 0 and len(archive.requests) == 2  # no pause, no retry


def test_archive_notice_page_is_not_a_capture(archive):
    archive.add_capture(VOIP, "20100101000000", page("real"), notice=True)
    with fast_client(archive) as client, pytest.raises(ArchiveNotice, match="exclusion notice"):
        client.get_capture("20100101000000", VOIP)


def test_blocked_site_on_cdx_is_a_named_error(archive):
    archive.exclude(VOIP)
    with fast_client(archive) as client:
        with pytest.raises(BlockedSite, match="Blocked Site Error"):
            list(client.search(VOIP))
        with pytest.raises(ArchiveNotice):
            client.get_capture("20061016220256", VOIP)
    assert len(archive.requests) == 2  # a 403 is an answer, not something to retry


def test_revisit_rows_unk_mimetypes_and_dash_lengths_are_listed(archive):
    archive.add_capture(VOIP, "20100101000000", page("a"), statuscode="-", mimetype="warc/revisit",
                        length="-")
    archive.add_capture(VOIP, "20110101000000", page("b"), mimetype="unk")
    with fast_client(archive) as client:
        rows = {r.timestamp: r for r in client.search(VOIP)}
    assert (rows["20100101000000"].statuscode, rows["20100101000000"].length) == ("-", "-")
    assert rows["20110101000000"].mimetype == "unk"


def test_duplicated_and_malformed_cdx_rows_are_skipped(archive, test_corpus):
    expected = [r[1] for r in cdx_rows(test_corpus, "dating--lex--privacy-policy")]
    archive.faults.add(kind="malformed", times=3, path_prefix="/cdx")
    with fast_client(archive, page_size=10) as client:
        assert [r.timestamp for r in client.search(LEX)] == expected
    assert [r.fault for r in archive.requests] == ["malformed"] * 3


def test_text_cdx_pages_parse_like_json():
    text = ("com,x)/ 20200101000000 http://x.com/ text/html 200 AAAA 10\n"
            "com,x)/ 20200101000000 http://x.com/ text/html 200 AAAA 10\n"
            "com,x)/ 2020 http://x.com/ text/html 200 AAAA 10\n"
            "\ncom%2Cx%29%2F+20200101000001\n")
    records, key = parse_cdx(text, "http://x.com/")
    assert [r.timestamp for r in records] == ["20200101000000"] * 2 and key == "com%2Cx%29%2F+20200101000001"
    assert parse_cdx("", "http://x.com/") == ([], None)  # a last page may be an empty 200


# -- faults -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["truncate", "badgzip"])
def test_broken_bodies_are_detected_and_fetched_again(archive, sample_corpus, kind):
    body = (sample_corpus / "archive/seed--voip.com--privacy-policy/20061016220256.html").read_bytes()
    archive.faults.add(kind=kind, times=2, path_prefix="/web")
    with fast_client(archive, retries=3) as client:
        assert client.get_capture("20061016220256", VOIP).body == body
    assert [r.fault for r in archive.requests] == [kind, kind, None]
    archive.faults.add(kind=kind, times=5, path_prefix="/web")
    with fast_client(archive, retries=2) as client, pytest.raises(BrokenBody):
        client.get_capture("20061016220256", VOIP)


def test_5xx_and_timeouts_are_retried_up_to_a_cap(archive):
    archive.faults.add(kind="slow", delay=1.0, path_prefix="/cdx")
    with fast_client(archive, timeout=0.2) as client:
        assert len(list(client.search(VOIP))) == 2  # the timed-out request was sent again
    archive.faults.add(status=503, times=10, path_prefix="/web")
    with fast_client(archive, retries=2, backoff=0.01, max_backoff=0.02) as client:
        with pytest.raises(CaptureError, match="HTTP 503"):
            client.get_capture("20061016220256", VOIP)
        assert client.request_count == 3  # the first try and two retries, then it gives up


def test_refused_connection_is_a_likely_ip_block(caplog, tmp_path):
    pause_file = tmp_path / ".archive-pause"
    pacer = Pacer(pause_file)
    client = WaybackClient("http://127.0.0.1:9", block_pause=30, pacer=pacer)
    with client, pytest.raises(ArchiveUnreachable, match="likely an IP block"):
        list(client.search(VOIP))
    assert client.request_count == 1  # no hammering a firewall
    assert "refused the connection: likely an IP block; pausing every request for 30s" in caplog.text
    # Every client of the process, and every process sharing the pause file, is paused.
    assert pacer.pauses == 1
    assert held(pacer.wait, "capture", 0)
    other_process = Pacer(pause_file)
    assert held(other_process.wait, "cdx", 0)


def test_shared_pacer_is_one_per_pause_file(tmp_path):
    assert shared_pacer(tmp_path / "a") is shared_pacer(tmp_path / "a")
    assert shared_pacer(tmp_path / "a") is not shared_pacer(tmp_path / "b")
