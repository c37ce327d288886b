"""The TCP side shared by the printer simulators: a ``socketserver`` that hands each connection's bytes to the
device, which consumes what it can and keeps an incomplete tail for the next chunk.

A device subclass implements ``consume(conn, data) -> tail``; it may answer on ``conn`` (status requests are
answered the moment their bytes arrive, as real printers do).
"""

from __future__ import annotations

import socket
import socketserver
import threading
from types import TracebackType
from typing import Self


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False


class TcpDevice:
    thread_name = "tcp-device"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        device = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                device._serve(self.request)

        self._server = _Server((host, port), Handler)
        address = self._server.socket.getsockname()
        self.host: str = address[0]
        self.port: int = address[1]
        self.connections = 0
        self._stop = threading.Event()
        self._count_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def consume(self, conn: socket.socket, data: bytes) -> bytes:
        """Act on ``data``; return the unconsumed tail (an incomplete command)."""
        raise NotImplementedError

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _serve(self, conn: socket.socket) -> None:
        with self._count_lock:
            self.connections += 1
        conn.settimeout(0.1)
        pending = b""
        while not self._stop.is_set():
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            pending = self.consume(conn, pending + chunk)
