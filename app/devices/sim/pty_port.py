"""A pseudo-terminal that looks like a serial port with a stable name across unplug/replug."""

from __future__ import annotations

import contextlib
import os
import tempfile
import tty
from pathlib import Path


class PtyPort:
    """The device end (``master_fd``) of a pty, and a symlink ``path`` the application opens.

    ``unplug()`` closes the pty and removes the link (the application's next read fails like a
    pulled USB adapter); ``plug()`` makes a fresh pty behind the same ``path``.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None, name: str = "ttyPB0") -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="packbench-pty-")
            directory = self._tmp.name
        self.path = str(Path(directory) / name)
        self.master_fd: int | None = None
        self._slave_fd: int | None = None
        self.plug()

    @property
    def plugged(self) -> bool:
        return self.master_fd is not None

    def plug(self) -> None:
        if self.master_fd is not None:
            return
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        # Keep our own handle on the slave so the master never sees a hang-up between clients.
        self.master_fd, self._slave_fd = master, slave
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.symlink(os.ttyname(slave), self.path)

    def unplug(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        for fd in (self.master_fd, self._slave_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.master_fd = self._slave_fd = None

    def close(self) -> None:
        self.unplug()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
