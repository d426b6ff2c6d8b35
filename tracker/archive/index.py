"""The local archive's capture index: corpus folders, synthetic captures, CDX queries.

`ArchiveServer` (archive_server.py) answers HTTP with it. The index is keyed by urlkey and
sorted like the real one; `CdxQuery` answers `/cdx/search/cdx` byte for byte in the real
layout (JSON or text, fl, from/to, filter, adjacent-only collapse, limit + showResumeKey).

Corpus format (corpus README): <dir>/archive/<page_id>/cdx.json and <timestamp>.html bodies.
Only the cdx.json files are read at start; bodies are read when they are requested.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus, unquote_plus

from tracker.archive.exceptions import CorpusError
from tracker.wayback import CDX_FIELDS, CdxRecord, surt


class BadRequest(Exception):
    """A CDX query the archive would refuse; answered 400 with this message."""


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class IndexedCapture(CdxRecord):
    """A CDX row and what replaying it answers: a corpus file, or a synthetic capture."""

    body_path: Path | None = None
    body: bytes | None = None  # a synthetic capture's bytes (None: read body_path)
    status: int = 200  # the archived answer's status: 3xx for a captured redirect
    location: str | None = None  # a captured redirect's Location, sent exactly as given
    notice: bool = False  # the archive answers its own 200 notice page instead (no Memento)

    def read_body(self) -> bytes:
        if self.body is not None:
            return self.body
        if self.body_path is None:
            raise ValueError(f"capture {self.timestamp} of {self.original} has neither bytes nor a file")
        return self.body_path.read_bytes()


def wayback_digest(body: bytes) -> str:
    """The CDX digest: base32 SHA-1 of the body."""
    return base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def load_index(corpus_dirs) -> dict[str, list[IndexedCapture]]:
    """Captures by urlkey (sorted, like the real index), each list in time order.

    Rows are keyed by their own urlkey, not by page folder: a page whose URL moved has
    rows under several urlkeys, and two folders may add captures to one urlkey.
    """
    index: dict[str, list[IndexedCapture]] = {}
    for corpus_dir in corpus_dirs:
        archive = Path(corpus_dir) / "archive"
        if not archive.is_dir():
            raise CorpusError(f"{corpus_dir}: no archive/ folder (archive/<page_id>/cdx.json)")
        for cdx_path in sorted(archive.glob("*/cdx.json")):
            for capture in _read_cdx_json(cdx_path):
                index.setdefault(capture.urlkey, []).append(capture)
    return sorted_index(index)


def sorted_index(index: dict[str, list[IndexedCapture]]) -> dict[str, list[IndexedCapture]]:
    return {key: sorted(captures, key=lambda c: c.timestamp) for key, captures in sorted(index.items())}


def visible(index: dict[str, list[IndexedCapture]], until: str | None) -> dict[str, list[IndexedCapture]]:
    """The index as the archive showed it at `until` (14 digits; None: everything)."""
    if until is None:
        return index
    shown = {key: [c for c in captures if c.timestamp <= until] for key, captures in index.items()}
    return {key: captures for key, captures in shown.items() if captures}


def _read_cdx_json(path: Path) -> list[IndexedCapture]:
    try:
        table = json.loads(path.read_text("utf-8"))
        if not table:
            return []
        header, rows = table[0], table[1:]
        captures = []
        for row in rows:
            values = dict(zip(header, row, strict=True))
            captures.append(IndexedCapture(
                urlkey=str(values["urlkey"]), timestamp=str(values["timestamp"]), original=str(values["original"]),
                mimetype=str(values["mimetype"]), statuscode=str(values["statuscode"]), digest=str(values["digest"]),
                length=str(values["length"]), body_path=path.parent / f"{values['timestamp']}.html",
            ))
        return captures
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorpusError(f"{path}: not a CDX JSON table ({exc})") from exc


# -- CDX ----------------------------------------------------------------------------------


@dataclass
class CdxQuery:
    """One parsed `/cdx/search/cdx` query; errors raise BadRequest (answered 400)."""

    urlkey: str
    match_type: str
    fields: list[str]
    from_ts: str
    to_ts: str
    filters: list[tuple[str, re.Pattern, bool]]  # field, regex, negated
    collapse: tuple[str, int | None] | None  # field, compared prefix length
    limit: int | None
    show_resume_key: bool
    resume_at: tuple[str, str] | None  # (urlkey, timestamp): rows from this position on
    as_json: bool

    @classmethod
    def parse(cls, params: dict[str, list[str]]) -> CdxQuery:
        def one(name: str, default: str = "") -> str:
            return params.get(name, [default])[0]

        url, match_type = one("url"), one("matchType", "exact")
        if not url:
            raise BadRequest("missing url parameter")
        if url.endswith("*"):
            url, match_type = url[:-1], "prefix"
        if url.startswith("*."):
            url, match_type = url[2:], "domain"
        if match_type not in ("exact", "prefix", "host", "domain"):
            raise BadRequest(f"unsupported matchType {match_type!r}")
        fields = [f for f in one("fl").split(",") if f] or list(CDX_FIELDS)
        if unknown := [f for f in fields if f not in CDX_FIELDS]:
            raise BadRequest(f"unknown fl field(s): {','.join(unknown)}")
        return cls(
            urlkey=surt(url),
            match_type=match_type,
            fields=fields,
            from_ts=_timestamp_bound(one("from"), "0"),
            to_ts=_timestamp_bound(one("to"), "9"),
            filters=[_parse_filter(f) for f in params.get("filter", [])],
            collapse=_parse_collapse(one("collapse")),
            limit=_parse_limit(one("limit")),
            show_resume_key=one("showResumeKey").lower() == "true",
            resume_at=_parse_resume_key(one("resumeKey")),
            as_json=one("output") == "json",
        )

    def answer(self, index: dict[str, list[IndexedCapture]]) -> Response:
        rows = [c for key, captures in index.items() if self._key_matches(key)
                for c in captures if self._kept(c)]
        rows = self._collapsed(rows)
        if self.resume_at:
            rows = [r for r in rows if _position(r) >= self.resume_at]
        resume_key = None
        if self.limit is not None and len(rows) > self.limit:
            end = self.limit
            while end < len(rows) and _position(rows[end]) == _position(rows[end - 1]):
                end += 1  # a key cannot point inside a run of one urlkey+timestamp
            if end < len(rows):
                rows = rows[:end]
                resume_key = _resume_key(rows[-1]) if self.show_resume_key else None
        return self._render([[getattr(r, f) for f in self.fields] for r in rows], resume_key)

    def _key_matches(self, urlkey: str) -> bool:
        host = self.urlkey.split(")", 1)[0]
        return {
            "exact": urlkey == self.urlkey,
            "prefix": urlkey.startswith(self.urlkey),
            "host": urlkey.startswith(host + ")"),
            "domain": urlkey.startswith(host + ")") or urlkey.startswith(host + ","),
        }[self.match_type]

    def _kept(self, capture: IndexedCapture) -> bool:
        if not self.from_ts <= capture.timestamp <= self.to_ts:
            return False
        return all(bool(regex.fullmatch(getattr(capture, name))) != negated
                   for name, regex, negated in self.filters)

    def _collapsed(self, rows: list[IndexedCapture]) -> list[IndexedCapture]:
        """Drop a row equal to the previous kept row on the collapse field: adjacent only,
        as the real archive does, so A A B A keeps A B A."""
        if not self.collapse:
            return rows
        name, width = self.collapse
        kept: list[IndexedCapture] = []
        for row in rows:
            if not kept or getattr(row, name)[:width] != getattr(kept[-1], name)[:width]:
                kept.append(row)
        return kept

    def _render(self, table: list[list[str]], resume_key: str | None) -> Response:
        """Byte-for-byte the real layout: one row per line, header without spaces, `[]`
        (JSON) or an empty body (text) when nothing matched."""
        if self.as_json:
            body = "[]\n"
            if table:
                lines = [json.dumps(self.fields, separators=(",", ":"))]
                lines += [json.dumps(row) for row in table]
                if resume_key:
                    lines += ["[]", json.dumps([resume_key])]
                body = "[" + ",\n".join(lines) + "]\n"
            return Response(200, body.encode(), [("Content-Type", "application/json")])
        body = "".join(" ".join(row) + "\n" for row in table)
        if resume_key:
            body += "\n" + resume_key + "\n"
        return Response(200, body.encode(), [("Content-Type", "text/plain")])


def _timestamp_bound(value: str, pad: str) -> str:
    if not value:
        return pad * 14
    if not re.fullmatch(r"\d{1,14}", value):
        raise BadRequest(f"bad from/to timestamp {value!r} (1-14 digits)")
    return value.ljust(14, pad)


def _parse_filter(value: str) -> tuple[str, re.Pattern, bool]:
    match = re.fullmatch(r"(!?)(\w+):(.*)", value, re.DOTALL)
    if not match or match.group(2) not in CDX_FIELDS:
        raise BadRequest(f"bad filter {value!r} (expected [!]field:regex)")
    try:
        return match.group(2), re.compile(match.group(3)), match.group(1) == "!"
    except re.error as exc:
        raise BadRequest(f"bad filter regex {match.group(3)!r}: {exc}") from None


def _parse_collapse(value: str) -> tuple[str, int | None] | None:
    """`collapse=digest`, or `collapse=timestamp:8` to compare the first 8 characters."""
    if not value:
        return None
    name, _, width = value.partition(":")
    if name not in CDX_FIELDS or (width and not width.isdigit()):
        raise BadRequest(f"bad collapse {value!r} (expected field or field:N)")
    return name, int(width) if width else None


def _parse_limit(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or int(value) == 0:
        raise BadRequest(f"unsupported limit {value!r} (a positive integer)")
    return int(value)


def _position(capture: IndexedCapture) -> tuple[str, str]:
    """Where a row sits in the index order; resume keys point between positions."""
    return capture.urlkey, capture.timestamp


def _resume_key(last: IndexedCapture) -> str:
    """Like the real key: url-quoted "urlkey timestamp" where the timestamp's last character
    is incremented, i.e. the first position after `last` (the archive sends e.g.
    `com%2Ccnn%29%2F+2001041400593%3A` after 20010414005939)."""
    after = last.timestamp[:-1] + chr(ord(last.timestamp[-1]) + 1)
    return quote_plus(f"{last.urlkey} {after}")


def _parse_resume_key(value: str) -> tuple[str, str] | None:
    if not value:
        return None
    urlkey, space, position = unquote_plus(value).rpartition(" ")
    if not (urlkey and space and position):
        raise BadRequest(f"bad resumeKey {value!r}")
    return urlkey, position


