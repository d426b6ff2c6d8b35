"""The local Wayback server's captures (id_ replay with Memento-Datetime, redirects to the
nearest capture), the archive as it was at a moment, and synthetic captures beside the corpus."""

import gzip

import pytest
from archive_replay import (
    DATA_CORPUS,
    LEX,
    LEX_PAGE,
    LOCAL_CORPORA,
    VOIP,
    VOIP_PAGE,
    capture,
    cdx,
    cdx_rows,
    digest,
    listed,
    make_corpus,
    midpoint,
)
from corpora import SAMPLE_CORPUS

from tracker.archive import ArchiveServer


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
    middle = midpoint("20061016220256", "20130523180728")
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
