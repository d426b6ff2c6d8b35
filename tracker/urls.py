"""Checking the page URLs people give the tracker, and keeping the passwords of database URLs
out of what it prints (pure: no network)."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from tracker.errors import TrackerError


class InvalidURL(TrackerError):
    """Raised when the text given as a page URL is not an http(s) URL of a public host."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_url(url: str) -> str:
    """Return `url` stripped, or raise InvalidURL: an http(s) scheme, a host name, a port in
    1..65535, no control character or space anywhere (a newline in a URL would split a
    log line or a request line), and no user name or password (the tracker prints its URLs
    and sends them to the archive)."""
    text = (url or "").strip()
    if _CONTROL.search(text) or " " in text:
        raise InvalidURL(f"not an http(s) URL (it holds a space or a control character): {url!r}")
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidURL(f"not an http(s) URL: {url!r}")
    try:
        port = parts.port
    except ValueError:
        raise InvalidURL(f"not a port number in 1..65535: {url!r}") from None
    if port is not None and not 1 <= port <= 65535:
        raise InvalidURL(f"not a port number in 1..65535: {url!r}")
    if "@" in parts.netloc:
        raise InvalidURL(f"a URL with a user name or password is not tracked (it would be printed and sent "
                         f"to the archive): {mask_credentials(text)!r}")
    host = parts.hostname
    if "." not in host and host != "localhost":
        raise InvalidURL(f"not a public host name: {url!r}")
    return text


# user:password@host wherever it appears in a text, parsed as a URL or not: after a scheme's
# "//" (or a mistyped "scheme//", "scheme:/"), at the start of a word, or after a quote or
# "=". The password runs to the last "@" before a space, slash or quote (an unencoded "@"
# in it masks all of it), and may hold ":" ("postgresql:u:pw@host" masks "u:pw").
_CREDENTIALS = re.compile(r"(?P<head>(?:^|(?<=[\s'\"/=(<,]))[^\s:/@'\"]*):(?P<secret>[^\s/'\"]+)@")
# key=value passwords of libpq connection strings and messages.
_PASSWORD_FIELD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<secret>'[^']*'|\S+)", re.IGNORECASE)


def mask_credentials(text: str) -> str:
    """`text` with the password of everything that looks like a URL (and of every
    `password=…`) replaced by ***."""
    text = _CREDENTIALS.sub(lambda m: f"{m['head']}:***@", text)
    return _PASSWORD_FIELD.sub(lambda m: f"{m['head']}***", text)


def mask_url(url) -> str:
    """A database URL (text or SQLAlchemy URL) fit to print: its password as ***."""
    if hasattr(url, "render_as_string"):
        return url.render_as_string(hide_password=True).replace(":%2A%2A%2A@", ":***@")
    return mask_credentials(str(url))


class MaskCredentials(logging.Filter):
    """Log records with passwords replaced by *** (a URL can reach a log line through a
    driver's message)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_credentials(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def mask_logged_credentials() -> None:
    """Put MaskCredentials on every handler of the root logger (after logging is set up)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskCredentials) for f in handler.filters):
            handler.addFilter(MaskCredentials())
