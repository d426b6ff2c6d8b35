"""The folders `tracker digest --preview DIR` and `tracker demo --workdir DIR` write are
folders: `-`, a FIFO or a file is refused in one line before any work, and what the demo
writes in its folder (database, raw store, digest) never leads out of it through a symlink."""

import os
import stat


def refused(result) -> str:
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith("Error:"), result.output
    return lines[0]


def test_digest_preview_refuses_dash_and_a_fifo(tracker_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tracker_cli("subscribe", "reader@example.org")
    assert "standard output" in refused(tracker_cli("digest", "--preview", "-", ok=False))
    os.mkfifo(tmp_path / "pipe")
    assert "is a FIFO, not a folder" in refused(tracker_cli("digest", "--preview", str(tmp_path / "pipe"), ok=False))
    assert stat.S_ISFIFO((tmp_path / "pipe").lstat().st_mode) and not (tmp_path / "-").exists()


def test_demo_refuses_a_workdir_that_is_not_a_folder(tracker_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine\n")
    assert "is a file, not a folder" in refused(tracker_cli("demo", "--workdir", "notes.txt", ok=False))
    assert "standard output" in refused(tracker_cli("demo", "--workdir", "-", ok=False))
    assert (tmp_path / "notes.txt").read_text() == "mine\n" and not (tmp_path / "-").exists()


def test_demo_database_never_lands_outside_its_workdir(tracker_cli, tmp_path):
    """A tracker.db planted in the work folder as a symlink to an empty file elsewhere:
    SQLite would make that file a database."""
    (tmp_path / "precious").write_bytes(b"")
    work = tmp_path / "work"
    work.mkdir()
    (work / "tracker.db").symlink_to(tmp_path / "precious")
    assert "leads out of" in refused(tracker_cli("demo", "--workdir", str(work), ok=False))
    assert (tmp_path / "precious").read_bytes() == b"" and sorted(p.name for p in work.iterdir()) == ["tracker.db"]
