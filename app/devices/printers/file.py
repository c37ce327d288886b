"""File transport: append jobs to a file, or write one file per job into a folder (hot folders)."""

from __future__ import annotations

import itertools
import os
import threading
import time
from pathlib import Path

from app.devices.errors import PrinterNotReady


class FileLabelPrinter:
    """``path`` is a folder (one ``label-<time>-<n>.zpl`` per job, written atomically) or a file (appended)."""

    _counter = itertools.count(1)

    def __init__(self, path: str | os.PathLike[str], *, suffix: str = ".zpl") -> None:
        self.path = Path(path)
        self.suffix = suffix
        self._lock = threading.Lock()

    def send(self, data: bytes) -> None:
        with self._lock:
            try:
                if self.path.is_dir():
                    name = f"label-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{next(self._counter)}{self.suffix}"
                    tmp = self.path / f".{name}.part"
                    tmp.write_bytes(data)
                    os.replace(tmp, self.path / name)
                else:
                    with self.path.open("ab") as fh:
                        fh.write(data)
            except OSError as exc:
                raise PrinterNotReady(f"Cannot write labels to {self.path}: {exc.strerror or exc}") from exc
