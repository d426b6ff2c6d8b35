"""The archive server's fixtures: the sample and test corpora served on loopback (this
folder's `archive`, not mail_world's sample-only one) and one HTTP session per test."""

import pytest
import requests
from archive_replay import DATA_CORPUS
from corpora import SAMPLE_CORPUS

from tracker.archive import ArchiveServer


@pytest.fixture
def archive():
    with ArchiveServer(SAMPLE_CORPUS, DATA_CORPUS) as server:
        yield server


@pytest.fixture
def session():
    with requests.Session() as s:
        yield s

