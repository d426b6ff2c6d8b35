"""The raw capture store: archived bytes and response headers, content-addressed.

Every later stage is re-derivable from this folder without another request to the
archive, so a file here is written once (atomically) and never rewritten.
Layout: `<root>/<digest[:2]>/<digest>.body` and `<digest>.headers.json`, where the digest
is the Wayback one: RFC 4648 base32 of the SHA-1 of the body bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from pathlib import Path

from tracker.outputs import new_file_mode
from tracker.store.exceptions import RawStoreError


def sha1_base32(body: bytes) -> str:
    return base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


class RawStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, digest: str, suffix: str) -> Path:
        if not digest.isalnum():
            raise RawStoreError(f"not a digest: {digest!r}")
        return self.root / digest[:2] / f"{digest}{suffix}"

    def has(self, digest: str) -> bool:
        return self._path(digest, ".body").exists()

    def size(self, digest: str) -> int:
        """The held body's length in bytes (0 when not held)."""
        try:
            return self._path(digest, ".body").stat().st_size
        except OSError:
            return 0

    def put(self, body: bytes, headers: dict[str, str]) -> str:
        """Store `body` under its own digest and return the digest; a no-op if held."""
        digest = sha1_base32(body)
        if self.has(digest):
            return digest
        meta = json.dumps(headers, sort_keys=True, indent=1).encode("utf-8")
        # Headers first, body last: `has()` looks at the body, so a crash in between
        # leaves a capture that is simply fetched again.
        self._write_once(self._path(digest, ".headers.json"), meta)
        self._write_once(self._path(digest, ".body"), body)
        return digest

    def get(self, digest: str) -> bytes:
        try:
            body = self._path(digest, ".body").read_bytes()
        except OSError as exc:
            raise RawStoreError(f"raw capture {digest} unreadable: {exc}") from None
        if sha1_base32(body) != digest:
            raise RawStoreError(f"raw capture {digest} is corrupt (digest mismatch)")
        return body

    def headers(self, digest: str) -> dict[str, str]:
        try:
            return json.loads(self._path(digest, ".headers.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise RawStoreError(f"headers of raw capture {digest} unreadable: {exc}") from None

    def _write_once(self, path: Path, data: bytes) -> None:
        """Write through a temporary file and rename, so a reader never sees half a file."""
        if path.exists():
            return
        tmp_name = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
                tmp_name = tmp.name
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.chmod(tmp_name, new_file_mode())
            os.replace(tmp_name, path)
            tmp_name = None
        except OSError as exc:
            raise RawStoreError(f"cannot write {path}: {exc}") from None
        finally:
            if tmp_name:
                Path(tmp_name).unlink(missing_ok=True)

