"""Reading a git repository's history without checking anything out.

`git log --raw` lists each commit with the blobs it wrote; `git cat-file --batch` streams
those blobs through one long-lived process. Both are plain git plumbing, present wherever
the datasets are cloned, and read packed histories of any size at git's own speed.

Nothing a person or a repository gives reaches git as an option: a revision is resolved
to its commit id first (`rev-parse --end-of-options`), names become literal pathspecs
after `--`, and the repository's own configuration cannot make `git log` run a program
(`log.showSignature` would run its `gpg.program` on a signed commit).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tracker.importers.exceptions import ImportFailed

_RECORD, _FIELD = "\x1e", "\x1f"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_GLOB = re.compile(r"([*?\[\\])")
_FORMAT = f"{_RECORD}%H{_FIELD}%aI{_FIELD}%B{_FIELD}"


@dataclass(frozen=True)
class Change:
    blob: str
    path: str


@dataclass(frozen=True)
class Commit:
    sha: str
    date: datetime  # author date, UTC, naive
    message: str
    changes: tuple[Change, ...]  # files added or modified by the commit

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0].strip()


def _git(repo: Path, *args: str) -> list[str]:
    return ["git", "-C", str(repo), "-c", "core.quotepath=off", "-c", "log.showSignature=false", *args]


def check_repository(repo: str | Path) -> Path:
    path = Path(repo)
    result = subprocess.run(_git(path, "rev-parse", "--git-dir"), capture_output=True, text=True)
    if result.returncode != 0:
        raise ImportFailed(f"not a git repository: {repo}")
    return path


def resolve_revision(repo: Path, rev: str) -> str:
    """The id of the commit `rev` names (a branch, a tag, a commit), or ImportFailed; a
    value starting with `-` is a revision git cannot find, never an option."""
    if not rev or _CONTROL.search(rev):
        raise ImportFailed(f"bad revision {rev!r}: empty or holding a control character")
    result = subprocess.run(_git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise ImportFailed(f"bad revision {rev!r}: no such commit in {repo}")
    return result.stdout.strip()


def literal(name: str, what: str) -> str:
    """A name given for a path (a domain, a service, a terms type), checked: not empty, no
    control character, no `/`."""
    if not name or _CONTROL.search(name) or "/" in name:
        raise ImportFailed(f"not a {what}: {name!r} (empty, or holding a control character or /)")
    return name


def literal_pathspec(path: str) -> str:
    """`path` matched exactly: no wildcard or pathspec magic of its own."""
    return f":(literal){path}"


def glob_escape(name: str) -> str:
    """`name` inside a wildcard pathspec, its own `*?[\\` matched as themselves."""
    return _GLOB.sub(r"\\\1", name)


def count_commits(repo: Path, pathspecs: list[str], rev: str) -> int:
    """Commits reachable from the commit id `rev` (resolve_revision) touching `pathspecs`."""
    result = subprocess.run(_git(repo, "rev-list", "--count", rev, "--", *pathspecs),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise ImportFailed(f"cannot read {repo}: {result.stderr.strip() or 'git rev-list failed'}")
    return int(result.stdout.strip() or 0)


def commits(repo: Path, pathspecs: list[str], rev: str) -> Iterator[Commit]:
    """Commits reachable from the commit id `rev` touching `pathspecs`, oldest first (by
    date, parents before children), each with the blobs it added or modified."""
    command = _git(repo, "log", "--reverse", "--date-order", "--raw", "--no-abbrev", "--no-renames", "-z",
                   "--diff-filter=AM", f"--format={_FORMAT}", rev, "--", *pathspecs)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        buffer = b""
        for chunk in iter(lambda: process.stdout.read(1 << 16), b""):
            buffer += chunk
            *done, buffer = buffer.split(_RECORD.encode())
            for raw in done:
                if raw:
                    yield _parse(raw.decode("utf-8", "replace"))
        if buffer:
            yield _parse(buffer.decode("utf-8", "replace"))
    finally:
        process.stdout.close()
        error = process.stderr.read().decode("utf-8", "replace").strip()
        if process.wait() != 0 and error:
            raise ImportFailed(f"cannot read {repo}: {error.splitlines()[-1]}")


def _parse(raw: str) -> Commit:
    sha, date, message, rest = raw.split(_FIELD, 3)
    fields = rest.strip("\n\x00").split("\x00")
    changes = []
    for meta, path in zip(fields[0::2], fields[1::2]):
        parts = meta.lstrip("\n").split()
        if len(parts) >= 5:
            changes.append(Change(parts[3], path))
    when = datetime.fromisoformat(date).astimezone(UTC).replace(tzinfo=None)
    return Commit(sha, when, message.strip(), tuple(changes))


class Blobs:
    """Blob contents by id, through one `git cat-file --batch` process."""

    def __init__(self, repo: Path) -> None:
        self._process = subprocess.Popen(_git(repo, "cat-file", "--batch"), stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE)

    def read(self, blob: str) -> bytes:
        self._process.stdin.write(blob.encode("ascii") + b"\n")
        self._process.stdin.flush()
        header = self._process.stdout.readline().split()
        if len(header) != 3:
            raise ImportFailed(f"blob {blob} is missing from the repository")
        size = int(header[2])
        data = self._process.stdout.read(size + 1)
        return data[:size]

    def close(self) -> None:
        self._process.stdin.close()
        self._process.wait()

    def __enter__(self) -> Blobs:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
