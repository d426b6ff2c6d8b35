"""What the archive server's tests share: the corpus pages they read, and requests as the
client sends them (`cdx`, `listed`, `capture`) over a `requests.Session`."""

import base64
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import requests
from corpora import SAMPLE_CORPUS, TEST_CORPUS

from tracker.archive import ArchiveServer
from tracker.wayback import CDX_FIELDS, surt

DATA_CORPUS = TEST_CORPUS
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


def cdx(archive: ArchiveServer, session: requests.Session, **params) -> requests.Response:
    return session.get(archive.url + "/cdx/search/cdx", params=params, timeout=5)


def listed(archive: ArchiveServer, session: requests.Session, **params) -> list[str]:
    """The timestamps a CDX JSON query lists."""
    table = cdx(archive, session, output="json", fl="timestamp", **params).json()
    return [row[0] for row in table[1:]]


def capture(archive: ArchiveServer, session: requests.Session, timestamp: str, url: str, **kw):
    return session.get(f"{archive.url}/web/{timestamp}id_/{url}", timeout=5, **kw)


def midpoint(a: str, b: str) -> str:
    parse = lambda t: datetime.strptime(t, "%Y%m%d%H%M%S").replace(tzinfo=UTC)  # noqa: E731
    return (parse(a) + (parse(b) - parse(a)) / 2).strftime("%Y%m%d%H%M%S")
