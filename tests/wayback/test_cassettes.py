"""Real recorded archive answers (EDGI `wayback` cassettes), replayed over loopback.

A small server answers the client's requests with the recorded responses, headers and
(gzip) bodies as they came from web.archive.org; redirects that name web.archive.org are
followed back to the loopback replay, as the client maps any archive URL onto its own
base. The core tests use the copies in tests/data/wayback; the tests over every cassette
read ../shared/corpus/wayback and skip when it is absent.
"""

import functools
import gzip
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from corpora import DATA, SHARED_CORPUS

yaml = pytest.importorskip("yaml")

from tracker.wayback import (  # noqa: E402 (after the importorskip)
    ArchiveNotice,
    NotArchived,
    Pacer,
    WaybackClient,
    surt,
)

LOCAL = DATA / "wayback"
SHARED = SHARED_CORPUS / "wayback"
HOP_BY_HOP = {"connection", "transfer-encoding", "content-length"}


@functools.cache
def load(path: Path) -> list[dict]:
    interactions = []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for item in yaml.load(path.read_text("utf-8"), Loader=loader)["interactions"]:
        body = item["response"]["body"]["string"]
        interactions.append({
            "uri": item["request"]["uri"],
            "status": item["response"]["status"]["code"],
            "headers": item["response"]["headers"],
            "body": body.encode("utf-8") if isinstance(body, str) else body,
        })
    return interactions


def decoded(body: bytes) -> bytes:
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


def request_key(uri: str):
    """CDX requests match on the url's SURT key and resumeKey (the client's other
    parameters differ from the recording's); capture requests match on the whole path."""
    parts = urlsplit(uri)
    if parts.path == "/cdx/search/cdx":
        params = parse_qs(parts.query)
        return "cdx", surt(params.get("url", [""])[0]), params.get("resumeKey", [""])[0]
    return "web", parts.path + (f"?{parts.query}" if parts.query else "")


class Replay:
    """The cassette's responses on a loopback port; unmatched requests answer 404."""

    def __init__(self, interactions: list[dict]) -> None:
        self.responses: dict = {}
        for item in interactions:
            self.responses.setdefault(request_key(item["uri"]), item)
        self.asked: list[str] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                replay.asked.append(self.path)
                item = replay.responses.get(request_key(self.path))
                status, headers, body = (item["status"], item["headers"], item["body"]) if item else (
                    404, {"Content-Type": ["text/plain"]}, b"not in the cassette")
                self.send_response(status)
                for name, values in headers.items():
                    if name.lower() not in HOP_BY_HOP:
                        for value in values if isinstance(values, list) else [values]:
                            self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except ConnectionError:  # the client read what it needed and hung up
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def replay():
    servers = []

    def start(path: Path) -> tuple[Replay, WaybackClient]:
        server = Replay(load(path))
        servers.append(server)
        return server, WaybackClient(server.url, cdx_interval=0, capture_interval=0, backoff=0.01,
                                     rate_limit_pause=0.01, pacer=Pacer())

    yield start
    for server in servers:
        server.close()


def first_capture(path: Path) -> tuple[str, str]:
    """(timestamp, url) of the cassette's first id_ request."""
    rest = urlsplit(load(path)[0]["uri"]).path.split("/web/", 1)[1]
    stamp, url = rest.split("/", 1)
    return stamp.removesuffix("id_"), url


# -- the copies in tests/data -------------------------------------------------------------


def test_cdx_text_page_with_repeated_lines(replay):
    server, client = replay(LOCAL / "test_search.yaml")
    with client:
        records = list(client.search("http://nasa.gov"))
    assert [(r.timestamp, r.original, r.digest) for r in records] == [
        ("19961231235847", "http://www.nasa.gov:80/", "MGIGF4GRGGF5GKV6VNCBAXOE3OR5BTZC")]


def test_cdx_paging_to_an_empty_last_page(replay):
    server, client = replay(LOCAL / "test_search_multipage.yaml")
    with client:
        records = list(client.search("http://cnn.com"))
    recorded = [line.split(" ") for item in load(LOCAL / "test_search_multipage.yaml")
                for line in decoded(item["body"]).decode().split("\n\n")[0].splitlines()]
    assert len(server.asked) == 15  # every page, the last an empty 200
    assert len(records) == len({(row[1], row[2]) for row in recorded}) == 96
    assert len(recorded) == 350  # the archive repeats rows: each is listed once
    assert [r.timestamp for r in records] == sorted(r.timestamp for r in records)
    assert {r.statuscode for r in records} >= {"200", "302"}


def test_historical_redirects_lead_to_the_capture_served(replay):
    server, client = replay(LOCAL / "test_get_memento_follows_historical_redirects.yaml")
    with client:
        memento = client.get_capture("20200201020357", "http://epa.gov/climatechange")
    assert (memento.timestamp, memento.original) == (
        "20200201024405", "https://www.epa.gov/sites/production/files/signpost/cc.html")
    assert memento.status_code == 200 and b"<html" in memento.body.lower()
    assert len(server.asked) == 4


def test_exclusion_notice_is_not_a_capture(replay):
    server, client = replay(LOCAL / "test_get_memento_raises_blocked_error.yaml")
    with client, pytest.raises(ArchiveNotice, match="exclusion notice"):
        client.get_capture("20170929002712", "https://nationalpost.com/health/")


def test_archived_429_is_a_memento_not_a_rate_limit(replay):
    server, client = replay(LOCAL / "test_get_memento_works_on_archived_rate_limit_responses.yaml")
    with client:
        memento = client.get_capture("20150129034904", "http://www.reddit.com/r/PokemonGiveaway")
    assert memento.status_code == 429 and client.pacer.pauses == 0 and len(server.asked) == 1


# -- every shared cassette ----------------------------------------------------------------


def shared_cassettes(kind: str) -> list[Path]:
    if not SHARED.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{SHARED} not present"))]
    paths = sorted(SHARED.glob("*.yaml"))
    return [p for p in paths if ("/cdx/" in load(p)[0]["uri"]) == (kind == "cdx")
            and (kind == "cdx" or "id_/" in load(p)[0]["uri"])]


@pytest.mark.parametrize("path", shared_cassettes("capture"), ids=lambda p: p and p.stem)
def test_every_recorded_capture_chain_is_read_as_recorded(replay, path):
    """The outcome the recording implies: its last answer is a memento (any status), the
    archive's 404, or its own 200 page."""
    last = load(path)[-1]
    headers = {name.lower() for name in last["headers"]}
    server, client = replay(path)
    timestamp, url = first_capture(path)
    with client:
        if "memento-datetime" in headers:
            memento = client.get_capture(timestamp, url)
            assert memento.status_code == last["status"]
            assert memento.body == decoded(last["body"])
            assert server.asked[-1] == urlsplit(last["uri"]).path
        else:
            expected = NotArchived if last["status"] == 404 else ArchiveNotice
            with pytest.raises(expected):
                client.get_capture(timestamp, url)


@pytest.mark.parametrize("path", shared_cassettes("cdx"), ids=lambda p: p and p.stem)
def test_every_recorded_cdx_page_is_read(replay, path):
    first = load(path)[0]
    url = parse_qs(urlsplit(first["uri"]).query)["url"][0]
    text = decoded(first["body"]).decode()
    rows = {tuple(line.split(" ")[1:3]) for line in text.split("\n\n")[0].splitlines()}
    server, client = replay(path)
    with client:
        records = list(client.search(f"http://{url}"))
    assert {(r.timestamp, r.original) for r in records} >= rows
