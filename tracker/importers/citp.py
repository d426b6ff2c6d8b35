"""`tracker import citp`: a Princeton-Leuven-layout repository (Amos et al., WWW 2021).

Layout: `a/ab/abc/<domain>.md` (and `.html`), one commit per snapshot, dated at the
archive's crawl time, JSON metadata in the commit message, the provenance line at the top
of each Markdown file. A record's date and page URL come from the provenance line's Wayback
link (to the second), else from the commit's JSON metadata, else the commit date.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from tracker.importers.gitrepo import (
    Blobs,
    Commit,
    commits,
    count_commits,
    literal,
    literal_pathspec,
    resolve_revision,
)
from tracker.importers.intake import ImportRecord, PendingRecord
from tracker.normalize import MARKDOWN, read_provenance

DATASET = "citp/privacy-policy-historical"
_PATH = re.compile(r"^(?P<a>[^/])/(?P<ab>[^/]{1,2})/(?P<abc>[^/]{1,3})/(?P<domain>[^/]+)\.md$")
_DATE_KEYS = ("archived", "archive_date", "timestamp", "wayback_timestamp", "crawl_time", "date")
_URL_KEYS = ("policy_url", "url", "original_url")
_PATHSPEC_LIMIT = 200  # more domains than this are filtered while reading, not by git


def domain_path(domain: str) -> str:
    return f"{domain[0]}/{domain[:2]}/{domain[:3]}/{domain}.md"


def citp_records(repo: Path, blobs: Blobs, domains: set[str] | None = None,
                 dataset: str = DATASET, rev: str = "HEAD") -> tuple[int, Iterator[PendingRecord]]:
    """(number of commits to read, their records oldest first)."""
    wanted = {literal(d.strip(), "domain").lower() for d in domains} if domains else None
    specs = ([literal_pathspec(domain_path(d)) for d in sorted(wanted)] if wanted and len(wanted) <= _PATHSPEC_LIMIT
             else ["*.md"])
    commit = resolve_revision(repo, rev)
    return count_commits(repo, specs, commit), _records(repo, blobs, specs, wanted, dataset, commit)


def _records(repo, blobs, specs, wanted, dataset, rev) -> Iterator[PendingRecord]:
    for commit in commits(repo, specs, rev):
        for change in commit.changes:
            found = _PATH.match(change.path)
            if not found or not _sharded(found):
                continue
            domain = found.group("domain")
            if wanted is not None and domain.lower() not in wanted:
                continue
            ref = f"{dataset}@{commit.sha}:{change.path}"
            yield PendingRecord("citp", ref, lambda c=commit, b=change.blob, d=domain, r=ref: _record(blobs, c, b, d, r))


def _sharded(found: re.Match) -> bool:
    domain = found.group("domain")
    return (found.group("a"), found.group("ab"), found.group("abc")) == (domain[:1], domain[:2], domain[:3])


def _record(blobs: Blobs, commit: Commit, blob: str, domain: str, ref: str) -> ImportRecord | str:
    body = blobs.read(blob)
    provenance = read_provenance(body[:4096].decode("utf-8", "replace"))
    meta = commit_metadata(commit.message)
    when = provenance.archived if provenance else (_meta_date(meta) or commit.date)
    url = (provenance.url if provenance else None) or _first(meta, _URL_KEYS)
    return ImportRecord(provider=domain, document="Privacy Policy", url=url, captured_at=when, body=body,
                        content_type=MARKDOWN, source="citp", source_ref=ref,
                        source_url=provenance.wayback_url if provenance else _first(meta, ("wayback_url",)))


def commit_metadata(message: str) -> dict:
    """The JSON object in a commit message ({} when there is none)."""
    start, end = message.find("{"), message.rfind("}")
    if start < 0 or end < start:
        return {}
    try:
        data = json.loads(message[start:end + 1])
    except ValueError:
        return {}
    return {str(k).lower(): v for k, v in data.items()} if isinstance(data, dict) else {}


def _first(meta: dict, keys) -> str | None:
    for key in keys:
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _meta_date(meta: dict) -> datetime | None:
    text = _first(meta, _DATE_KEYS)
    if not text:
        return None
    digits = re.sub(r"\D", "", text)
    for size, fmt in ((14, "%Y%m%d%H%M%S"), (8, "%Y%m%d")):
        if len(digits) >= size:
            try:
                return datetime.strptime(digits[:size], fmt)
            except ValueError:
                continue
    return None
