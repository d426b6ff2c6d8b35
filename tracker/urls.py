"""Checking the page URLs people give the tracker (pure: no network)."""

from urllib.parse import urlsplit

from tracker.errors import TrackerError


class InvalidURL(TrackerError):
    """Raised when the text given as a page URL is not an http(s) URL of a public host."""


def check_url(url: str) -> str:
    """Return `url` stripped, or raise InvalidURL; the archive only holds http(s) pages."""
    text = (url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.hostname or " " in text:
        raise InvalidURL(f"not an http(s) URL: {url!r}")
    host = parts.hostname
    if "." not in host and host != "localhost":
        raise InvalidURL(f"not a public host name: {url!r}")
    return text
