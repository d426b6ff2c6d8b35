"""The local Wayback server's CDX API, over real sockets: laid out, filtered and paged like
web.archive.org's, since the client is tested against it."""

from urllib.parse import unquote_plus

from archive_replay import LEX, LEX_PAGE, VOIP, VOIP_PAGE, cdx, cdx_rows, digest, listed, make_corpus

from tracker.archive import ArchiveServer


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
