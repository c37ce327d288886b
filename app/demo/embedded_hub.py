"""A hub inside this process for ``packbench demo``: a temporary SQLite file, migrated, seeded, served on a thread."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn

from app.hub import demo as demo_data
from app.hub.app import create_app
from app.hub.database import make_engine, make_session_factory, migrate, unit_of_work


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class EmbeddedHub:
    """``with EmbeddedHub(folder, orders=…) as hub:`` → ``hub.url`` and ``hub.enrolment_code`` for the bench.

    ``history``: an earlier bench has shipped a few orders and RMAs are open for some (``hub.returns``).
    """

    def __init__(self, folder: Path, *, orders: int = 220, port: int | None = None, history: bool = False) -> None:
        self.db_url = f"sqlite:///{folder / 'hub.sqlite'}"
        self.orders = orders
        self.history = history
        self.returns: list[demo_data.DemoReturn] = []
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.enrolment_code = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> EmbeddedHub:
        migrate(self.db_url)
        engine = make_engine(self.db_url)
        factory = make_session_factory(engine)
        with unit_of_work(factory) as session:
            self.enrolment_code = demo_data.seed(session, orders=self.orders).enrolment_code
        if self.history:
            self.returns = demo_data.ship_history(factory)
        config = uvicorn.Config(create_app(engine), host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="embedded-hub", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the embedded hub did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
