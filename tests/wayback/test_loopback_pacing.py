"""A local replay is not the Internet Archive: on a loopback archive the client has no
politeness intervals and no IP-block pause unless they were set on purpose (main paced
eight local pages like the real archive: 4 minutes instead of seconds)."""

import pytest

from tracker.config import load_config
from tracker.wayback import WaybackClient


def client_for(environ):
    return WaybackClient.from_config(load_config(environ={"TRACKER_CONFIG": "/dev/null", **environ}))


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765", "http://127.8.9.10", "http://localhost:8765",
                                 "http://[::1]:8765"])
def test_a_loopback_archive_is_not_paced(url):
    with client_for({"TRACKER_WAYBACK_URL": url}) as client:
        assert (client.cdx_interval, client.capture_interval, client.block_pause) == (0, 0, 0)


def test_pacing_set_on_purpose_is_kept_on_loopback():
    with client_for({"TRACKER_WAYBACK_URL": "http://127.0.0.1:8765", "TRACKER_CAPTURE_INTERVAL": "0.3",
                     "TRACKER_BLOCK_PAUSE": "5"}) as client:
        assert (client.cdx_interval, client.capture_interval, client.block_pause) == (0, 0.3, 5)


@pytest.mark.parametrize("url", ["https://web.archive.org", "http://128.0.0.1", "http://localhost.example.com"])
def test_other_archives_keep_the_safe_defaults(url):
    with client_for({"TRACKER_WAYBACK_URL": url}) as client:
        assert (client.cdx_interval, client.capture_interval, client.block_pause) == (2.5, 0.5, 600)
