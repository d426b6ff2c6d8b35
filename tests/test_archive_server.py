"""The local Wayback replay server, exercised over real sockets with `requests`.

The client is tested against this server, so it must answer like web.archive.org:
CDX layout and paging, id_ captures with Memento-Datetime, redirects, and faults.
"""

import base64
import csv
import gzip
import hashlib
import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
import requests

from tracker.archive import ArchiveServer, CorpusError, Faults
from tracker.wayback import CDX_FIELDS, surt

DATA_CORPUS = Path(__file__).parent / "data" / "corpus"
SAMPLE_CORPUS = Path(__file__).parents[1] / "tracker" / "sample" / "corpus"
SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LOCAL_CORPORA = [SAMPLE_CORPUS, DATA_CORPUS]

LEX_PAGE = DATA_CORPUS / "archive" / "dating--lex--privacy-policy"
LEX = "https://help.thisislex.app/article/51-privacy-policy"
VOIP_PAGE = SAMPLE_CORPUS / "archive" / "seed--voip.com--privacy-policy"
VOIP = "http://www.voip.com/privacy_policy.aspx"


def cdx_rows(page: Path) -> list[list[str]]:
    """A page folder's CDX rows, header dropped."""
    return json.loads((page / "cdx.json").read_text())[1:]


def digest(body: bytes) -> str:
    return base64.b32encode(hashlib.sha1(body).digest()).decode()


def make_corpus(root: Path, page_id: str, captures: list[tuple[str, str, bytes]]) -> Path:
    """Write a corpus folder holding one page of (timestamp, original, body) captures."""
    page = root / "archive" / page_id
    page.mkdir(parents=True)
    rows = [list(CDX_FIELDS)]
    for timestamp, original, body in captures:
        (page / f"{timestamp}.html").write_bytes(body)
        rows.append([surt(original), timestamp, original, "text/html", "200",
                     digest(body), str(len(body))])
    (page / "cdx.json").write_text(json.dumps(rows))
    return root


@pytest.fixture
def archive():
    with ArchiveServer(SAMPLE_CORPUS, DATA_CORPUS) as server:
        yield server


@pytest.fixture
def session():
    with requests.Session() as s:
        yield s


def cdx(archive: ArchiveServer, session: requests.Session, **params) -> requests.Response:
    return session.get(archive.url + "/cdx/search/cdx", params=params, timeout=5)


def listed(archive: ArchiveServer, session: requests.Session, **params) -> list[str]:
    """The timestamps a CDX JSON query lists."""
    table = cdx(archive, session, output="json", fl="timestamp", **params).json()
    return [row[0] for row in table[1:]]


def capture(archive: ArchiveServer, session: requests.Session, timestamp: str, url: str, **kw):
    return session.get(f"{archive.url}/web/{timestamp}id_/{url}", timeout=5, **kw)


# -- CDX ----------------------------------------------------------------------------------


def test_cdx_json_is_laid_out_like_the_real_archive(archive, session):
    response = cdx(archive, session, url=VOIP, output="json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    # Header row without spaces, one row per line: the corpus file is real CDX output.
    assert response.text == (VOIP_PAGE / "cdx.json").read_text()


def test_cdx_text_output(archive, session):
    response = cdx(archive, session, url="voip.com/privacy_policy.aspx")
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "".join(" ".join(row) + "\n" for row in cdx_rows(VOIP_PAGE))


def test_cdx_fl_selects_and_orders_fields(archive, session):
    table = cdx(archive, session, url=VOIP, output="json", fl="digest,timestamp").json()
    assert table == [["digest", "timestamp"]] + [[row[5], row[1]] for row in cdx_rows(VOIP_PAGE)]
    assert cdx(archive, session, url=VOIP, fl="timestamp,size").status_code == 400


def test_cdx_from_to_are_inclusive_prefixes(archive, session):
    stamps = [row[1] for row in cdx_rows(LEX_PAGE)]

    def between(start, end="9"):
        return listed(archive, session, url=LEX, **{"from": start, "to": end})

    assert between("2023", "2023") == [t for t in stamps if t.startswith("2023")]
    assert between("20220920", "20220920") == [
        "20220920003251", "20220920060720", "20220920122724"]
    assert between(stamps[3], stamps[3]) == [stamps[3]]
    assert between("2025") == [t for t in stamps if t >= "2025"]
    assert cdx(archive, session, url=LEX, **{"from": "2023-01"}).status_code == 400


def test_cdx_filter_matches_whole_field_and_negates(archive, session):
    def count(*filters):
        table = cdx(archive, session, url=LEX, output="json", filter=list(filters)).json()
        return max(len(table) - 1, 0)

    in_2022 = sum(row[1].startswith("2022") for row in cdx_rows(LEX_PAGE))
    assert count("statuscode:200") == 27
    assert count("timestamp:2022.*") == in_2022
    assert count("!timestamp:2022.*") == 27 - in_2022
    assert count("timestamp:2022") == 0  # the regex must match the whole field
    first_digest = cdx_rows(LEX_PAGE)[0][5]
    assert count("timestamp:2022.*", f"!digest:{first_digest}") == in_2022 - 1
    assert cdx(archive, session, url=LEX, filter="timestamp:(").status_code == 400
    assert cdx(archive, session, url=LEX, filter="size:1").status_code == 400


def test_collapse_merges_only_adjacent_duplicates(tmp_path, session):
    bodies = [b"A", b"A", b"B", b"A", b"B", b"B", b"A"]
    captures = [(f"2020010{i + 1}000000", "https://example.com/privacy", body)
                for i, body in enumerate(bodies)]
    with ArchiveServer(make_corpus(tmp_path, "example", captures)) as archive:
        table = cdx(archive, session, url="example.com/privacy", output="json",
                    fl="timestamp,digest", collapse="digest").json()
        assert [row[1] for row in table[1:]] == [digest(b) for b in (b"A", b"B", b"A", b"B", b"A")]
        assert [row[0] for row in table[1:]] == [
            "20200101000000", "20200103000000", "20200104000000", "20200105000000", "20200107000000"]
        by_month = listed(archive, session, url="example.com/privacy", collapse="timestamp:6")
        assert by_month == ["20200101000000"]


def test_limit_and_resume_key_walk_every_row_once(archive, session):
    expected = [row[1] for row in cdx_rows(LEX_PAGE)]
    assert len(expected) == 27
    seen, pages, params = [], 0, {"url": LEX, "output": "json", "limit": 5, "showResumeKey": "true"}
    while True:
        table = cdx(archive, session, **params).json()
        pages += 1
        if table[-2:-1] == [[]]:
            rows, key = table[1:-2], table[-1][0]
        else:
            rows, key = table[1:], None
        assert len(rows) <= 5
        seen += [row[1] for row in rows]
        if not key:
            break
        params["resumeKey"] = key
    assert seen == expected
    assert pages == 6


def test_paging_never_splits_captures_of_the_same_second(tmp_path, session):
    stamps = ["20200101000000", "20200102000000", "20200102000000", "20200102000000", "20200103000000"]
    captures = [(t, "https://example.com/", f"body {i}".encode()) for i, t in enumerate(stamps)]
    with ArchiveServer(make_corpus(tmp_path, "example", captures)) as archive:
        params = {"url": "example.com", "output": "json", "fl": "timestamp,digest", "limit": 2,
                  "showResumeKey": "true"}
        first = cdx(archive, session, **params).json()
        assert [row[0] for row in first[1:-2]] == stamps[:4]  # the run of three stays together
        rest = cdx(archive, session, **params, resumeKey=first[-1][0]).json()
        assert [row[0] for row in rest[1:]] == stamps[4:]


def test_resume_key_looks_like_the_real_one_and_works_in_text(archive, session):
    body = cdx(archive, session, url=LEX, limit=10, showResumeKey="true", fl="timestamp").text
    lines = body.split("\n")
    assert lines[10] == "" and lines[12] == ""
    key = lines[11]
    # "urlkey timestamp" just past the last row listed, url-quoted, as the real archive does.
    assert lines[9] == "20221120123250"
    assert unquote_plus(key) == "app,thisislex,help)/article/51-privacy-policy 20221120123251"
    rest = cdx(archive, session, url=LEX, resumeKey=key, fl="timestamp").text.split()
    assert lines[:10] + rest == [row[1] for row in cdx_rows(LEX_PAGE)]
    # No key when nothing remains; bad keys and limits are refused.
    assert "\n\n" not in cdx(archive, session, url=LEX, limit=27, showResumeKey="true").text
    assert cdx(archive, session, url=LEX, resumeKey="nonsense").status_code == 400
    assert cdx(archive, session, url=LEX, limit=-5).status_code == 400


def test_match_types(archive, session):
    assert len(listed(archive, session, url="help.thisislex.app/article/*")) == 27
    assert len(listed(archive, session, url="https://www.voip.com/privacy", matchType="prefix")) == 2
    assert len(listed(archive, session, url="onebox.com", matchType="host")) == 2
    assert len(listed(archive, session, url="deepseek.com", matchType="domain")) == 9
    assert len(listed(archive, session, url="*.deepseek.com")) == 9
    assert cdx(archive, session, url=LEX, matchType="regex").status_code == 400


def test_empty_result_and_missing_url(archive, session):
    nothing = cdx(archive, session, url="https://never.example/", output="json")
    assert nothing.status_code == 200 and nothing.json() == []
    assert cdx(archive, session, url="https://never.example/").text == ""
    refused = session.get(archive.url + "/cdx/search/cdx?output=json")
    assert refused.status_code == 400 and "url" in refused.text


# -- captures -----------------------------------------------------------------------------


@pytest.mark.parametrize("page", sorted(p for c in LOCAL_CORPORA for p in (c / "archive").iterdir()),
                         ids=lambda p: p.name)
def test_capture_bytes_match_the_file_and_the_cdx_digest(archive, session, page):
    for _, timestamp, original, mimetype, _, row_digest, length in cdx_rows(page):
        response = capture(archive, session, timestamp, original, allow_redirects=False)
        assert response.status_code == 200
        assert response.content == (page / f"{timestamp}.html").read_bytes()
        assert digest(response.content) == row_digest and len(response.content) == int(length)
        assert response.headers["Content-Type"] == mimetype
        assert response.headers["Link"].startswith(f'<{original}>; rel="original"')


def test_memento_datetime_is_rfc1123_gmt(archive, session):
    response = capture(archive, session, "20061016220256", VOIP)
    assert response.headers["Memento-Datetime"] == "Mon, 16 Oct 2006 22:02:56 GMT"


def test_gzip_only_when_asked(archive, session):
    body = (VOIP_PAGE / "20061016220256.html").read_bytes()
    zipped = capture(archive, session, "20061016220256", VOIP,
                     headers={"Accept-Encoding": "gzip"}, stream=True)
    raw = zipped.raw.read(decode_content=False)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert int(zipped.headers["Content-Length"]) == len(raw) and gzip.decompress(raw) == body
    plain = capture(archive, session, "20061016220256", VOIP, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert int(plain.headers["Content-Length"]) == len(body) and plain.content == body


def _midpoint(a: str, b: str) -> str:
    parse = lambda t: datetime.strptime(t, "%Y%m%d%H%M%S").replace(tzinfo=UTC)  # noqa: E731
    return (parse(a) + (parse(b) - parse(a)) / 2).strftime("%Y%m%d%H%M%S")


@pytest.mark.parametrize("asked, nearest", [
    ("20220917000000", "20220916183253"),  # 5.5 h after one capture, 18.5 h before the next
    ("20220917120000", "20220917183229"),
    ("2022", "20220628092935"),  # a prefix pads to its earliest instant
    ("20990101", "20251210123120"),
])
def test_missing_timestamp_redirects_to_nearest(archive, session, asked, nearest):
    response = capture(archive, session, asked, LEX, allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{archive.url}/web/{nearest}id_/{LEX}"
    assert "Memento-Datetime" not in response.headers
    followed = capture(archive, session, asked, LEX)
    assert followed.status_code == 200 and followed.url.endswith(f"/web/{nearest}id_/{LEX}")


def test_tie_goes_to_the_earlier_capture(archive, session):
    middle = _midpoint("20061016220256", "20130523180728")
    response = capture(archive, session, middle, VOIP, allow_redirects=False)
    assert response.headers["Location"].endswith("/web/20061016220256id_/" + VOIP)


def test_unknown_url_is_404_and_view_mode_redirects_to_id(archive, session):
    missing = capture(archive, session, "20200101000000", "https://never.example/privacy")
    assert missing.status_code == 404 and "Memento-Datetime" not in missing.headers
    assert session.get(archive.url + "/nothing/here").status_code == 404
    view = session.get(f"{archive.url}/web/20061016220256/{VOIP}", allow_redirects=False)
    assert view.status_code == 302
    assert view.headers["Location"] == f"{archive.url}/web/20061016220256id_/{VOIP}"


def test_moved_page_and_urls_with_query_strings(tmp_path, session):
    old, new = "http://www.example.com/privacy.html", "https://example.com/legal/Privacy?lang=en&v=2"
    corpus = make_corpus(tmp_path, "example", [
        ("20100101000000", old, b"<p>old one</p>"), ("20120101000000", old, b"<p>old two</p>"),
        ("20150101000000", new, b"<p>new one</p>"), ("20200101000000", new, b"<p>new two</p>"),
    ])
    with ArchiveServer(corpus) as archive:
        assert listed(archive, session, url=old) == ["20100101000000", "20120101000000"]
        assert listed(archive, session, url="https://example.com/legal/privacy?v=2&lang=en") == [
            "20150101000000", "20200101000000"]
        assert listed(archive, session, url="example.com", matchType="host") == [  # urlkey order
            "20150101000000", "20200101000000", "20100101000000", "20120101000000"]
        # The query string of the archived URL arrives in the request's own query string.
        respelled = "https://www.example.com/legal/privacy?v=2&LANG=en"
        served = capture(archive, session, "20150101000000", respelled)
        assert served.status_code == 200 and served.content == b"<p>new one</p>"
        # The old URL's nearest capture stays on the old URL, even after the move.
        moved = capture(archive, session, "20200101000000", old, allow_redirects=False)
        assert moved.headers["Location"] == f"{archive.url}/web/20120101000000id_/{old}"
        (corpus / "archive" / "example" / "20100101000000.html").unlink()
        assert capture(archive, session, "20100101000000", old).status_code == 500


def test_sample_page_with_two_urlkeys(archive, session):
    rows = cdx_rows(SAMPLE_CORPUS / "archive" / "seed--avoxi.com--privacy-policy")
    assert len({row[0] for row in rows}) == 2
    for row in rows:
        listed = cdx(archive, session, url=row[2], output="json").json()
        assert listed[1:] == [row]


# -- SURT ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url, key", [
    ("https://www.Example.com/A/B?b=2&a=1#top", "com,example)/a/b?a=1&b=2"),
    ("http://example.com", "com,example)/"),
    ("example.com/x", "com,example)/x"),
    ("http://www.example.com:80/x", "com,example)/x"),
    ("https://example.com:8443/x", "com,example:8443)/x"),
    ("https://ww.coffeemeetsbagel.com/privacy-policy", "com,coffeemeetsbagel,ww)/privacy-policy"),
    ("https://chat.deepseek.com/DeepSeek%20Policy.html", "com,deepseek,chat)/deepseek%20policy.html"),
    ("http://user@127.0.0.1:8080/a?", "127.0.0.1:8080)/a"),
])
def test_surt_rules(url, key):
    assert surt(url) == key


@pytest.mark.parametrize("corpus", [SAMPLE_CORPUS, DATA_CORPUS, SHARED_CORPUS],
                         ids=["sample", "data", "shared"])
def test_surt_reproduces_every_corpus_urlkey(corpus):
    if not corpus.is_dir():
        pytest.skip(f"{corpus} not present (the shared corpus lives beside the repository)")
    rows = [row for page in (corpus / "archive").iterdir() if (page / "cdx.json").is_file()
            for row in cdx_rows(page)]
    assert rows
    assert [surt(row[2]) for row in rows] == [row[0] for row in rows]


def test_full_shared_corpus(session):
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"{SHARED_CORPUS} not present (the shared corpus lives beside the repository)")
    with ArchiveServer(SHARED_CORPUS) as archive:
        total = 0
        for page in sorted((SHARED_CORPUS / "archive").iterdir()):
            rows = cdx_rows(page)
            for original in {row[2] for row in rows}:
                listed = cdx(archive, session, url=original, output="json").json()[1:]
                assert listed == [row for row in rows if row[0] == surt(original)]
            first = rows[0]
            served = capture(archive, session, first[1], first[2], headers={"Accept-Encoding": "identity"})
            assert digest(served.content) == first[5]
            total += len(rows)
        with (SHARED_CORPUS / "pages.csv").open(newline="") as handle:
            assert total == sum(int(row["captures"]) for row in csv.DictReader(handle))


# -- faults, the request log, connections -------------------------------------------------


def test_status_faults_hit_only_their_path_and_are_recorded(archive, session):
    archive.faults.add(status=429, times=3, path_prefix="/cdx")
    assert capture(archive, session, "20061016220256", VOIP).status_code == 200
    answers = [cdx(archive, session, url=VOIP) for _ in range(4)]
    assert [r.status_code for r in answers] == [429, 429, 429, 200]
    assert "Retry-After" not in answers[0].headers  # the real archive sends none
    archive.faults.add(status=503, times=1, path_prefix="/web")
    assert capture(archive, session, "20061016220256", VOIP).status_code == 503
    assert capture(archive, session, "20061016220256", VOIP).status_code == 200
    log = [(r.path.split("/")[1], r.status, r.fault) for r in archive.requests]
    assert log == [("web", 200, None), ("cdx", 429, "status"), ("cdx", 429, "status"),
                   ("cdx", 429, "status"), ("cdx", 200, None), ("web", 503, "status"), ("web", 200, None)]
    assert sum(r.path == "/cdx/search/cdx" for r in archive.requests) == 4
    assert archive.requests[1].params["url"] == [VOIP]


def test_rules_are_consumed_in_order_and_cleared(archive, session):
    archive.faults.add(status=503, path_prefix="/web")
    archive.faults.add(status=429)
    assert cdx(archive, session, url=VOIP).status_code == 429  # the /web rule does not match
    assert capture(archive, session, "20061016220256", VOIP).status_code == 503
    archive.faults.add(status=429, times=5)
    archive.faults.clear()
    assert cdx(archive, session, url=VOIP).status_code == 200


def test_reset_fault_drops_the_connection(archive, session):
    archive.faults.add(kind="reset", times=1)
    with pytest.raises(requests.ConnectionError):
        cdx(archive, session, url=VOIP)
    assert cdx(archive, session, url=VOIP).status_code == 200
    assert (archive.requests[0].status, archive.requests[0].fault) == (None, "reset")


def test_truncate_fault_sends_half_the_announced_body(archive, session):
    archive.faults.add(kind="truncate", times=1, path_prefix="/web")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        capture(archive, session, "20061016220256", VOIP, headers={"Accept-Encoding": "identity"})
    assert capture(archive, session, "20061016220256", VOIP).status_code == 200
    assert archive.requests[0].fault == "truncate"


def test_slow_fault_delays_the_answer(archive, session):
    archive.faults.add(kind="slow", delay=0.2)
    started = time.monotonic()
    assert cdx(archive, session, url=VOIP).status_code == 200
    assert time.monotonic() - started >= 0.2
    assert archive.requests[0].fault == "slow"
    archive.faults.add(kind="slow", delay=0.3)
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.get(archive.url + "/cdx/search/cdx", params={"url": VOIP}, timeout=0.05)


def test_bad_fault_rules_are_refused():
    faults = Faults()
    for bad in [dict(kind="explode"), dict(kind="reset", status=500), dict(status=429, times=0),
                dict(kind="slow"), dict()]:
        with pytest.raises(ValueError):
            faults.add(**bad)


def test_one_session_keeps_one_connection(archive, session):
    cdx(archive, session, url=LEX, output="json")
    capture(archive, session, "2022", LEX)  # a 302 then a 200
    capture(archive, session, "20200101000000", "https://never.example/")
    cdx(archive, session)  # a 400
    ports = {r.client_port for r in archive.requests}
    assert len(archive.requests) == 5 and len(ports) == 1


def test_serve_forever_runs_in_the_foreground_until_stopped(session):
    archive = ArchiveServer(SAMPLE_CORPUS)
    foreground = threading.Thread(target=archive.serve_forever)
    foreground.start()
    for _ in range(500):  # the foreground call binds the socket, then blocks
        try:
            url = archive.url
            break
        except RuntimeError:
            time.sleep(0.01)
    assert session.get(url + "/cdx/search/cdx", params={"url": VOIP}).status_code == 200
    archive.stop()
    foreground.join(timeout=5)
    assert not foreground.is_alive()


def test_stop_does_not_wait_for_idle_keep_alive_connections(session):
    archive = ArchiveServer(SAMPLE_CORPUS).start()
    assert cdx(archive, session, url=VOIP).status_code == 200
    started = time.monotonic()
    archive.stop()
    assert time.monotonic() - started < 1
    with pytest.raises(requests.ConnectionError):
        cdx(archive, session, url=VOIP)


# -- corpus loading -----------------------------------------------------------------------


def test_corpus_errors_are_named(tmp_path):
    with pytest.raises(CorpusError):
        ArchiveServer(tmp_path)
    with pytest.raises(CorpusError):
        ArchiveServer()
    bad = tmp_path / "archive" / "broken"
    bad.mkdir(parents=True)
    (bad / "cdx.json").write_text('[["urlkey","timestamp"], ["com,x)/"]]')
    with pytest.raises(CorpusError, match="broken"):
        ArchiveServer(tmp_path)
    with pytest.raises(RuntimeError):
        _ = ArchiveServer(SAMPLE_CORPUS).url


def test_folders_without_cdx_json_are_ignored(tmp_path, session):
    corpus = make_corpus(tmp_path, "example", [("20200101000000", "https://example.com/", b"hi")])
    (tmp_path / "archive" / "no-index").mkdir()
    (tmp_path / "archive" / "no-index" / "20200101000000.html").write_bytes(b"stray")
    with ArchiveServer(corpus) as archive:
        assert cdx(archive, session, url="example.com", output="json").json()[1][1] == "20200101000000"


# -- the archive as it was at a moment ----------------------------------------------------


def test_visible_until_hides_later_captures_from_cdx_and_replay(session):
    stamps = [row[1] for row in cdx_rows(LEX_PAGE)]
    with ArchiveServer(DATA_CORPUS, visible_until=stamps[4]) as archive:
        assert listed(archive, session, url=LEX) == stamps[:5]
        # A hidden capture replays as if never archived: 302 to the nearest visible one.
        hidden = capture(archive, session, stamps[10], LEX, allow_redirects=False)
        assert hidden.status_code == 302
        assert hidden.headers["Location"] == f"{archive.url}/web/{stamps[4]}id_/{LEX}"
        archive.visible_until = stamps[10]  # the clock moves while the server runs
        assert listed(archive, session, url=LEX) == stamps[:11]
        assert capture(archive, session, stamps[10], LEX, allow_redirects=False).status_code == 200
        archive.visible_until = "19990101000000"  # before any capture: never archived
        assert cdx(archive, session, url=LEX, output="json").json() == []
        assert capture(archive, session, stamps[0], LEX).status_code == 404
        archive.visible_until = None
        assert listed(archive, session, url=LEX) == stamps
    with pytest.raises(ValueError):
        ArchiveServer(DATA_CORPUS, visible_until="2022")


# -- synthetic captures -------------------------------------------------------------------


def test_synthetic_captures_sit_beside_the_corpus(archive, session):
    pdf = b"%PDF-1.4 a policy as PDF"
    archive.add_capture(VOIP, "20100101000000", pdf, mimetype="application/pdf")
    archive.add_capture(VOIP, "20110101000000", status=301,
                        location=f"{archive.url}/web/20110101000000id_/http://www.voip.com/legal")
    archive.add_capture(VOIP, "20120101000000", b"<p>x</p>", notice=True)
    archive.add_capture(VOIP, "20120601000000", b"<p>revisited</p>", statuscode="-",
                        mimetype="warc/revisit", length="-")
    table = cdx(archive, session, url=VOIP, output="json").json()
    assert [row[1] for row in table[1:]] == [
        "20061016220256", "20100101000000", "20110101000000", "20120101000000",
        "20120601000000", "20130523180728"]
    assert table[2][3:5] == ["application/pdf", "200"] and table[2][5] == digest(pdf)
    assert table[3][4] == "301" and table[5][3:] == ["warc/revisit", "-", digest(b"<p>revisited</p>"), "-"]

    served = capture(archive, session, "20100101000000", VOIP)
    assert served.content == pdf and served.headers["Content-Type"] == "application/pdf"
    moved = capture(archive, session, "20110101000000", VOIP, allow_redirects=False)
    assert moved.status_code == 301 and "Memento-Datetime" in moved.headers
    assert moved.headers["Location"].endswith("/web/20110101000000id_/http://www.voip.com/legal")
    notice = capture(archive, session, "20120101000000", VOIP)
    assert notice.status_code == 200 and "Memento-Datetime" not in notice.headers
    assert b"excluded from the Wayback Machine" in notice.content
    with pytest.raises(ValueError):
        archive.add_capture(VOIP, "2012")


def test_malformed_fault_mixes_odd_rows_into_a_cdx_page(archive, session):
    good = cdx(archive, session, url=LEX, output="json", limit=3, showResumeKey="true").json()
    archive.faults.add(kind="malformed", path_prefix="/cdx")
    odd = cdx(archive, session, url=LEX, output="json", limit=3, showResumeKey="true").json()
    assert odd[1] == odd[2] == good[1]  # the first row twice
    assert len(odd[3]) == 2 and odd[4][1] == "2001"
    assert odd[5:] == good[2:]  # the other rows and the resume key are intact
    archive.faults.add(kind="malformed", path_prefix="/cdx")
    single = cdx(archive, session, url=VOIP, output="json", limit=1).json()
    assert len(single) == 5
    archive.faults.add(kind="malformed", path_prefix="/cdx")
    text = cdx(archive, session, url=VOIP).text.split("\n")
    assert text[0] == text[1] and len(text[2].split()) == 2


def test_badgzip_fault_sends_a_corrupt_stream(archive, session):
    archive.faults.add(kind="badgzip", path_prefix="/web")
    with pytest.raises(requests.exceptions.ContentDecodingError):
        capture(archive, session, "20061016220256", VOIP, headers={"Accept-Encoding": "gzip"})
    assert archive.requests[-1].fault == "badgzip"
    assert capture(archive, session, "20061016220256", VOIP).status_code == 200
