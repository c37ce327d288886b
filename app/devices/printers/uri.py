"""Printer URIs from settings and the CLI: ``queue:NAME``, ``tcp://HOST:PORT``, ``file:PATH``."""

from __future__ import annotations

from urllib.parse import urlsplit

from app.devices.printers.base import LabelPrinter
from app.devices.printers.file import FileLabelPrinter
from app.devices.printers.queue import QueueLabelPrinter
from app.devices.printers.tcp import TcpLabelPrinter


def open_label_printer(uri: str, *, timeout_s: float = 3.0) -> LabelPrinter:
    """A label printer for ``uri``. Raises ValueError for a URI we do not understand."""
    if uri.startswith("queue:"):
        name = uri[len("queue:") :]
        if not name:
            raise ValueError("queue: needs a queue name, e.g. queue:Zebra_ZD421")
        return QueueLabelPrinter(name)
    if uri.startswith("file:"):
        path = uri[len("file:") :]
        if path.startswith("//"):
            path = urlsplit(uri).path
        if not path:
            raise ValueError("file: needs a path, e.g. file:/tmp/labels")
        return FileLabelPrinter(path)
    if uri.startswith("tcp://"):
        parts = urlsplit(uri)
        if not parts.hostname:
            raise ValueError(f"no host in {uri!r}")
        return TcpLabelPrinter(parts.hostname, parts.port or 9100, timeout_s=timeout_s)
    raise ValueError(f"unknown printer URI {uri!r}: use queue:NAME, tcp://HOST:PORT or file:PATH")
