"""The Wayback client against the project's archive server on loopback."""

import base64
import gzip
import hashlib
import json
import time

import pytest

from tracker.archive_server import ArchiveServer
from tracker.wayback import (
    ArchiveUnreachable,
    BodyTooLarge,
    CaptureError,
    InvalidURL,
    NotArchived,
    Pacer,
    RateLimited,
    WaybackClient,
    check_url,
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


def test_429_pauses_then_succeeds_and_never_retries_at_once(archive):
    archive.faults.add(status=429, times=2, path_prefix="/cdx")
    pacer = Pacer()
    with fast_client(archive, pacer=pacer, rate_limit_pause=0.2) as client:
        start = time.monotonic()
        records = list(client.search(VOIP))
        elapsed = time.monotonic() - start
    assert len(records) == 2
    assert elapsed >= 0.2 + 0.4 - 0.05  # growing pause: 0.2 then 0.4


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
    start = time.monotonic()
    for _ in range(3):
        pacer.wait("cdx", 0.1)
    assert time.monotonic() - start >= 0.2 - 0.01
