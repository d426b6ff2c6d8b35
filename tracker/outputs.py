"""Writing the files and folders people name on the command line (`tracker export`,
`export-markdown`, `digest --preview`, `demo --workdir`) without clobbering what is there.

A file is written whole under a temporary name beside its destination, then renamed onto
it only when the destination is absent or a regular file: a reader never sees half a file,
and a device, FIFO, socket or folder at the path is refused, never replaced (run as root,
`tracker export /dev/stdout` once replaced the system's /dev/stdout with a file). A symlink
the user names is followed: the file it points at gets the content and the link stays. `-`
means standard output. Inside a folder the user names, what is written stays in that
folder: a symlink there that leads out of it is refused.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from tracker.errors import TrackerError

STDOUT = "-"


class OutputRefused(TrackerError):
    """Raised when an output path is not a place to write a file (or a folder of files): a
    device, FIFO, socket, or a folder where a file is expected (a file where a folder is),
    a missing parent folder, a symlink to nothing, a symlink out of the folder being
    written, or `-` for a folder."""


def write_output(path: str | Path, content: str | bytes) -> None:
    """`content` to `path` as a whole new file, or to standard output for `-`."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if str(path) == STDOUT:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    _replace(file_target(path), data)


def file_target(path: str | Path) -> Path:
    """Where writing `path` puts the bytes: `path` itself when nothing is there, the file a
    symlink points at; OutputRefused for anything else. Checked before the work and again
    just before the rename."""
    path = Path(path)
    try:
        info = path.stat()  # through symlinks: /dev/stdout is one, to a terminal or a pipe
    except FileNotFoundError:
        if path.is_symlink():
            raise OutputRefused(f"{path} is a symlink to nothing ({os.readlink(path)}): "
                                f"name the file itself") from None
        if not path.absolute().parent.is_dir():
            raise OutputRefused(f"no folder {path.absolute().parent}: create it first") from None
        return path
    if not stat.S_ISREG(info.st_mode):
        raise OutputRefused(f"{path} is {_kind(info.st_mode)}, not a file: refusing to replace it "
                            f"(name a new or regular file, or - for standard output)")
    return Path(os.path.realpath(path))


def _replace(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, new_file_mode())
        if file_target(target) != target:  # it became a symlink meanwhile
            raise OutputRefused(f"{target} changed while it was written: not replacing it")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class OutputFolder:
    """A folder the user named, made when absent (its parent must exist unless
    `make_parents`), to write files in without leaving it."""

    def __init__(self, path: str | Path, *, make_parents: bool = False) -> None:
        if str(path) == STDOUT:
            raise OutputRefused("- (standard output) cannot hold a folder of files: name a folder")
        self.path = Path(path)  # as given: the paths handed back read as the user wrote them
        try:
            info = self.path.stat()
        except FileNotFoundError:
            if self.path.is_symlink():
                raise OutputRefused(f"{self.path} is a symlink to nothing ({os.readlink(self.path)}): "
                                    f"name the folder itself") from None
            if not make_parents and not self.path.absolute().parent.is_dir():
                raise OutputRefused(f"no folder {self.path.absolute().parent}: create it first") from None
            self.path.mkdir(parents=True, exist_ok=True)
            info = self.path.stat()
        if not stat.S_ISDIR(info.st_mode):
            raise OutputRefused(f"{self.path} is {_kind(info.st_mode)}, not a folder: refusing to write there")
        self.real = Path(os.path.realpath(self.path))

    def file(self, relative: str | Path) -> Path:
        """Where to write `relative`: inside the folder (its subfolders made), absent or a
        regular file."""
        return file_target(self._inside(relative))

    def folder(self, relative: str | Path) -> OutputFolder:
        """A folder inside this one, made when absent."""
        self._inside(relative)
        return OutputFolder(self.path / relative, make_parents=True)

    def write(self, relative: str | Path, content: str | bytes) -> Path:
        """Write `relative` whole; return its path as the user's folder names it."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        _replace(self.file(relative), data)
        return self.path / relative

    def _inside(self, relative: str | Path) -> Path:
        real = Path(os.path.realpath(self.path / relative))
        if not real.is_relative_to(self.real):
            raise OutputRefused(f"{self.path / relative} leads out of {self.path} (to {real}): "
                                f"refusing to write there")
        real.parent.mkdir(parents=True, exist_ok=True)
        return real


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISREG, "a file"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "something else")


def new_file_mode() -> int:
    """The permissions a new file gets under the process's umask (a temporary file is
    created 0600; the file it becomes should be like any other the user creates)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask
