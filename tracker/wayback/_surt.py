"""SURT url keys: the archive's canonical form of a URL.

The CDX index is keyed by SURT, not by the URL as typed, so that `http://www.X.com/Privacy`
and `https://x.com/privacy` find the same captures. The client, the local archive server and
the corpus must compute it identically; the rules are the corpus README's:
scheme and a leading "www." dropped, host labels reversed and comma-joined, ")" then the
lower-cased path, then the lower-cased query with its parameters sorted.
"""

import re

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):/*", re.IGNORECASE)
_AUTHORITY = re.compile(r"^([^/?]*)(.*)$", re.DOTALL)
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def surt(url: str) -> str:
    """Return the SURT urlkey of `url`, e.g. "https://www.Example.com/A?b=2&a=1" ->
    "com,example)/a?a=1&b=2". A URL without a scheme is taken as http."""
    url = url.strip().split("#", 1)[0]
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else "http"
    rest = url[match.end():] if match else url
    authority, path_and_query = _AUTHORITY.match(rest).groups()  # type: ignore[union-attr]  # matches any text
    path, _, query = path_and_query.partition("?")
    key = _host_key(authority, scheme) + ")" + (path or "/").lower()
    params = sorted(p for p in query.lower().split("&") if p)
    return key + ("?" + "&".join(params) if params else "")


def _host_key(authority: str, scheme: str) -> str:
    """Reversed, comma-joined host labels; user info and the scheme's default port dropped."""
    host = authority.rpartition("@")[2].lower()
    host, colon, port = host.partition(":")
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if not _IPV4.match(host):
        host = ",".join(reversed(host.split(".")))
    if colon and port and port != _DEFAULT_PORTS.get(scheme):
        host += ":" + port
    return host
