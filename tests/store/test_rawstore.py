"""The raw store: content-addressed, written once, errors named, nothing half-written."""

import os

import pytest

from tracker.store.rawstore import RawStore, RawStoreError, sha1_base32


def test_put_is_content_addressed_and_idempotent(tmp_path, sample_corpus):
    body = (sample_corpus / "archive/seed--voip.com--privacy-policy/20061016220256.html").read_bytes()
    store = RawStore(tmp_path)
    digest = store.put(body, {"Content-Type": "text/html"})
    assert digest == "QW2PIHMVYHBTHZZJZ7AF2GJTFQK34R55"  # the Wayback CDX digest of these bytes
    path = tmp_path / digest[:2] / f"{digest}.body"
    mtime = path.stat().st_mtime_ns
    assert store.put(body, {"Content-Type": "text/other"}) == digest
    assert path.stat().st_mtime_ns == mtime  # never rewritten
    assert store.get(digest) == body
    assert store.headers(digest) == {"Content-Type": "text/html"}


def test_corrupt_file_is_detected(tmp_path):
    store = RawStore(tmp_path)
    digest = store.put(b"<p>policy</p>", {})
    (tmp_path / digest[:2] / f"{digest}.body").write_bytes(b"tampered")
    with pytest.raises(RawStoreError, match="corrupt"):
        store.get(digest)


def test_unwritable_store_is_a_named_error_and_leaves_no_partial_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root ignores directory permissions")
    root = tmp_path / "ro"
    root.mkdir()
    root.chmod(0o500)
    try:
        with pytest.raises(RawStoreError):
            RawStore(root).put(b"x", {})
        assert list(root.rglob("*")) == []
    finally:
        root.chmod(0o700)


def test_full_disk_loses_nothing(tmp_path, monkeypatch):
    """A write that fails midway (ENOSPC) raises and leaves what was stored intact."""
    store = RawStore(tmp_path)
    kept = store.put(b"first capture", {})
    real_replace = os.replace

    def no_space(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(RawStoreError, match="No space left"):
        store.put(b"second capture", {})
    monkeypatch.setattr(os, "replace", real_replace)
    assert store.get(kept) == b"first capture"
    assert not store.has(sha1_base32(b"second capture"))
    assert not list(tmp_path.rglob("*.tmp"))


def test_digest_is_checked_before_use_as_a_path(tmp_path):
    with pytest.raises(RawStoreError):
        RawStore(tmp_path).get("../../etc/passwd")
