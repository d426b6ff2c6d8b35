"""What an output path may become (tracker.outputs): a new or regular file is replaced whole,
a symlink's file is written through the link, and a FIFO, socket, folder or dangling link is
refused untouched; in a folder being written, nothing leads out of it. Real FIFOs, sockets
and symlinks in a tmp folder (the tests may run as root: permissions stop nothing)."""

import os
import socket
import stat
import subprocess
import sys

import pytest

from tracker.outputs import OutputFolder, OutputRefused, write_output


@pytest.fixture
def unix_socket(tmp_path):
    path = tmp_path / "listening.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    yield path
    server.close()


def test_a_new_or_regular_file_is_written_whole(tmp_path):
    write_output(tmp_path / "out.csv", "first\n")
    write_output(tmp_path / "out.csv", "second\n")
    assert (tmp_path / "out.csv").read_text() == "second\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left


def test_a_fifo_socket_or_folder_is_refused_and_left_as_it_is(tmp_path, unix_socket):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "folder").mkdir()
    for path, kind in ((fifo, "a FIFO"), (unix_socket, "a socket"), (tmp_path / "folder", "a folder")):
        with pytest.raises(OutputRefused, match=f"is {kind}, not a file"):
            write_output(path, "data\n")
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and stat.S_ISSOCK(unix_socket.lstat().st_mode)
    assert list((tmp_path / "folder").iterdir()) == []


def test_a_character_device_reached_through_a_symlink_is_refused(tmp_path):
    """/dev/stdout is a symlink to a terminal or a pipe; /dev/null stands in for it here
    (nothing is written into /dev)."""
    link = tmp_path / "stdout"
    link.symlink_to(os.devnull)
    with pytest.raises(OutputRefused, match="is a character device"):
        write_output(link, "data\n")
    assert link.is_symlink() and os.readlink(link) == os.devnull


def test_a_symlink_to_a_file_elsewhere_is_written_through_and_stays_a_link(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "real.csv").write_text("old\n")
    link = tmp_path / "here" / "out.csv"
    link.parent.mkdir()
    link.symlink_to(elsewhere / "real.csv")
    write_output(link, "new\n")
    assert link.is_symlink() and (elsewhere / "real.csv").read_text() == "new\n"


def test_a_symlink_to_nothing_and_a_missing_folder_are_refused(tmp_path):
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere" / "x.csv")
    with pytest.raises(OutputRefused, match="symlink to nothing"):
        write_output(tmp_path / "dangling", "data\n")
    with pytest.raises(OutputRefused, match="no folder"):
        write_output(tmp_path / "missing" / "out.csv", "data\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling"]


def test_dash_is_standard_output_and_no_file_is_made(tmp_path):
    program = "from tracker.outputs import write_output; write_output('-', 'row 1\\nrow 2\\n')"
    result = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True,
                            check=True)
    assert result.stdout == "row 1\nrow 2\n" and list(tmp_path.iterdir()) == []


def test_a_folder_refuses_symlinks_that_lead_out_of_it_and_writes_inside(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.md").write_text("keep\n")
    folder = OutputFolder(tmp_path / "export")
    (tmp_path / "export" / "linked").symlink_to(outside)
    (tmp_path / "export" / "file.md").symlink_to(outside / "precious.md")
    for name in ("linked/v1.md", "file.md"):
        with pytest.raises(OutputRefused, match="leads out of"):
            folder.write(name, "text\n")
    assert sorted(p.name for p in outside.iterdir()) == ["precious.md"]
    assert (outside / "precious.md").read_text() == "keep\n"
    assert folder.write("doc/v1.md", "text\n") == tmp_path / "export" / "doc" / "v1.md"
    assert (tmp_path / "export" / "doc" / "v1.md").read_text() == "text\n"


def test_a_folder_that_is_a_file_a_fifo_or_dash_is_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "file").write_text("x")
    for path, message in ((tmp_path / "pipe", "is a FIFO, not a folder"),
                          (tmp_path / "file", "is a file, not a folder"),
                          ("-", "standard output")):
        with pytest.raises(OutputRefused, match=message):
            OutputFolder(path)
    assert stat.S_ISFIFO((tmp_path / "pipe").lstat().st_mode) and (tmp_path / "file").read_text() == "x"
