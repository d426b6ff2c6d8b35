"""Parsing the CDX index's answers: JSON or space-separated text, with a resume key."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from tracker.wayback.exceptions import WaybackError

log = logging.getLogger(__name__)

CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")


@dataclass(frozen=True)
class CdxRecord:
    urlkey: str
    timestamp: str
    original: str
    mimetype: str
    statuscode: str
    digest: str
    length: str


def parse_cdx(text: str, url: str) -> tuple[list[CdxRecord], str | None]:
    """Rows of one CDX page (JSON, or text in CDX_FIELDS order) and the resume key if
    the page says there is more. Malformed rows are logged and skipped."""
    if not text.strip():
        return [], None
    if text.lstrip().startswith("["):
        rows, resume_key = _json_rows(text, url)
    else:
        rows, resume_key = _text_rows(text)
        rows = [list(CDX_FIELDS)] + rows
    if not rows:
        return [], resume_key
    header, body = rows[0], rows[1:]
    index = {name: header.index(name) for name in CDX_FIELDS if name in header}
    if "timestamp" not in index or "original" not in index:
        raise WaybackError(f"CDX answer for {url} lacks timestamp/original columns")
    records = []
    for row in body:
        if not isinstance(row, list) or len(row) != len(header):
            log.warning("skipping malformed CDX row for %s: %r", url, row)
            continue
        values = {name: str(row[i]) for name, i in index.items()}
        if not re.fullmatch(r"\d{14}", values["timestamp"]):
            log.warning("skipping CDX row with bad timestamp for %s: %r", url, row)
            continue
        records.append(CdxRecord(**{name: values.get(name, "-") for name in CDX_FIELDS}))
    return records, resume_key


def _json_rows(text: str, url: str) -> tuple[list, str | None]:
    try:
        rows = json.loads(text)
    except json.JSONDecodeError:
        raise WaybackError(f"CDX answer for {url} is not JSON") from None
    if len(rows) >= 3 and rows[-2] == [] and len(rows[-1]) == 1:
        return rows[:-2], rows[-1][0]
    return rows, None


def _text_rows(text: str) -> tuple[list[list[str]], str | None]:
    """Text layout: one space-separated row per line; a blank line, then the resume key."""
    lines = text.rstrip("\n").split("\n")
    resume_key = None
    if len(lines) >= 2 and lines[-2] == "" and " " not in lines[-1]:
        resume_key, lines = lines[-1], lines[:-2]
    return [line.split(" ") for line in lines if line], resume_key


def timestamp_datetime(timestamp: str) -> datetime:
    """A Wayback timestamp (14 digits, or fewer for a coarser time) as a naive UTC datetime."""
    return datetime.strptime(timestamp.ljust(14, "0"), "%Y%m%d%H%M%S")
