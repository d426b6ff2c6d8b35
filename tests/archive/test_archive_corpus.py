"""The local Wayback server's corpus: SURT keys as the archive computes them, corpus folders
loaded or refused, and every capture of the full shared corpus served."""

import csv

import pytest
from archive_replay import DATA_CORPUS, capture, cdx, cdx_rows, digest, make_corpus
from corpora import SAMPLE_CORPUS, SHARED_CORPUS

from tracker.archive import ArchiveServer, CorpusError
from tracker.wayback import surt

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
