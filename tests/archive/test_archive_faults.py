"""The local Wayback server's faults (status, reset, truncate, slow, malformed, badgzip), its
request log, and its connections."""

import threading
import time

import pytest
import requests
from archive_replay import LEX, VOIP, capture, cdx
from corpora import SAMPLE_CORPUS

from tracker.archive import ArchiveServer, Faults


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
    assert cdx(archive, session, url=VOIP).status_code == 200  # late, but answered
    assert archive.requests[0].fault == "slow"
    archive.faults.add(kind="slow", delay=0.3)
    with pytest.raises(requests.exceptions.ReadTimeout):  # too late for a client waiting less
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
    assert cdx(archive, session, url=VOIP).status_code == 200  # the session keeps its connection
    stopping = threading.Thread(target=archive.stop)
    stopping.start()
    stopping.join(timeout=10)  # waiting for the idle connection would hang here for good
    assert not stopping.is_alive()
    with pytest.raises(requests.ConnectionError):
        cdx(archive, session, url=VOIP)




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
