"""`tracker import ota`: an Open Terms Archive versions repository.

Layout: `<Service>/<Terms type>.md`, one commit per recorded version, dated when it was
recorded; the subject says what the record is ("First record …"/"Start tracking …", "Record
new changes …"/"Update …", "Apply technical or declaration upgrade …"/"Refilter …") and the
body links the snapshot it was extracted from. First records and changes become versions;
technical records are kept as technical (a version they start is never mailed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from tracker.importers.gitrepo import (
    Blobs,
    commits,
    count_commits,
    glob_escape,
    literal,
    literal_pathspec,
    resolve_revision,
)
from tracker.importers.intake import ImportRecord, PendingRecord
from tracker.normalize import MARKDOWN

KINDS = (
    ("first", re.compile(r"^(?:First record|Start tracking)\b", re.I)),
    ("change", re.compile(r"^(?:Record new changes|Update)\b", re.I)),
    ("technical", re.compile(r"^(?:Apply technical|Refilter)\b", re.I)),
)
_SNAPSHOT = re.compile(r"https?://\S+/commit/[0-9a-f]{7,40}")


def record_kind(subject: str) -> str | None:
    """first, change or technical; None for a subject of none of the known forms."""
    for kind, pattern in KINDS:
        if pattern.search(subject):
            return kind
    return None


def ota_records(repo: Path, blobs: Blobs, services: set[str] | None = None,
                terms_type: str = "Privacy Policy", dataset: str | None = None,
                rev: str = "HEAD") -> tuple[int, Iterator[PendingRecord]]:
    """(number of commits to read, their records oldest first)."""
    literal(terms_type, "terms type")
    specs = ([literal_pathspec(f"{literal(s, 'service')}/{terms_type}.md") for s in sorted(services)] if services
             else [f"*/{glob_escape(terms_type)}.md"])
    dataset = dataset or repo.resolve().name
    commit = resolve_revision(repo, rev)
    return count_commits(repo, specs, commit), _records(repo, blobs, specs, terms_type, dataset, commit)


def _records(repo, blobs, specs, terms_type, dataset, rev) -> Iterator[PendingRecord]:
    for commit in commits(repo, specs, rev):
        kind = record_kind(commit.subject)
        for change in commit.changes:
            service, _, name = change.path.partition("/")
            if name != f"{terms_type}.md":
                continue
            ref = f"{dataset}@{commit.sha}:{change.path}"
            if kind is None:
                yield PendingRecord("ota", ref, lambda c=commit: f"{c.sha[:12]}: unknown record kind: {c.subject!r}")
                continue
            snapshot = _SNAPSHOT.search(commit.message)
            yield PendingRecord("ota", ref, lambda c=commit, b=change.blob, s=service, r=ref, k=kind, u=snapshot: (
                ImportRecord(provider=s, document=terms_type, url=None, captured_at=c.date, body=blobs.read(b),
                             content_type=MARKDOWN, source="ota", source_ref=r,
                             source_url=u.group(0) if u else None, technical=k == "technical")))
