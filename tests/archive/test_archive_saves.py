"""Save Page Now 2 on the local archive: a save is a job whose status is pending, then the
page fetched from its site, filed as a capture the CDX lists and replay serves afterwards;
without the account's keys it is refused."""

import pytest

from tracker.archive import LiveSite

KEYS = {"Authorization": "LOW access:S3cret", "Accept": "application/json"}


@pytest.fixture
def site():
    with LiveSite() as server:
        server.publish("/privacy", b"<html><body><h1>Privacy</h1><p>We keep nothing.</p></body></html>",
                       at="20240101000000")
        yield server


def cdx_timestamps(session, archive, url):
    rows = session.get(archive.url + "/cdx/search/cdx", params={"url": url, "output": "json"}).json()
    return [row[1] for row in rows[1:]]


def test_a_save_becomes_a_capture_the_cdx_lists(archive, site, session):
    archive.saves.clock = lambda: "20250102030405"
    page = site.page_url("/privacy")
    assert cdx_timestamps(session, archive, page) == []
    job = session.post(archive.url + "/save", data={"url": page}, headers=KEYS).json()
    assert job["url"] == page and job["job_id"].startswith("spn2-") and len(job["job_id"]) == 45
    status = archive.url + "/save/status/" + job["job_id"]
    assert session.get(status).json()["status"] == "pending"  # the archive is working on it
    assert cdx_timestamps(session, archive, page) == []
    done = session.get(status).json()
    assert (done["status"], done["timestamp"], done["original_url"]) == ("success", "20250102030405", page)
    assert session.get(status).json() == done  # asked again: the same answer, no second save
    assert cdx_timestamps(session, archive, page) == ["20250102030405"]
    replay = session.get(f"{archive.url}/web/20250102030405id_/{page}")
    assert replay.content == site.served("/privacy").body and replay.headers["Memento-Datetime"]
    assert archive.saves.submitted == [page] and [r.path for r in site.requests] == ["/privacy"]
    again = session.post(archive.url + "/save", data={"url": page}, headers=KEYS).json()["job_id"]
    session.get(archive.url + "/save/status/" + again)
    second = session.get(archive.url + "/save/status/" + again).json()
    assert second["timestamp"] == "20250102030406"  # the same second is taken: the next one
    assert cdx_timestamps(session, archive, page) == ["20250102030405", "20250102030406"]


def test_a_page_that_does_not_answer_200_is_a_failed_save(archive, site, session):
    archive.saves.pending_polls = 0
    job = session.post(archive.url + "/save", data={"url": site.page_url("/gone")}, headers=KEYS).json()
    answer = session.get(archive.url + "/save/status/" + job["job_id"]).json()
    assert (answer["status"], answer["status_ext"]) == ("error", "error:http-404")
    assert cdx_timestamps(session, archive, site.page_url("/gone")) == []


def test_save_page_now_wants_the_accounts_keys(archive, site, session):
    page = site.page_url("/privacy")
    assert session.post(archive.url + "/save", data={"url": page}).status_code == 401
    archive.saves.keys = ("access", "other")
    assert session.post(archive.url + "/save", data={"url": page}, headers=KEYS).status_code == 401
    archive.saves.keys = ("access", "S3cret")
    assert session.post(archive.url + "/save", data={"url": page}, headers=KEYS).json()["job_id"]
    unknown = session.post(archive.url + "/save/status", data={"job_id": "spn2-nothing"}).json()
    assert unknown["status"] == "error"
