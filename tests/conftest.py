"""Shared fixtures. Qt runs offscreen; PostgreSQL tests get a database of their own."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PG_ENV = "PACKBENCH_TEST_PG_URL"
# The PACKBENCH_* variables a test run sets on purpose; every other one is cleared around each test.
RUN_SETTINGS = frozenset({PG_ENV, "PACKBENCH_FUZZ_SCALE"})


def _strip_packbench_env() -> dict[str, str]:
    """Remove every PACKBENCH_* variable but the run's own settings; returns what was removed."""
    gone = {k: v for k, v in os.environ.items() if k.startswith("PACKBENCH_") and k not in RUN_SETTINGS}
    for k in gone:
        del os.environ[k]
    return gone


@pytest.fixture(autouse=True)
def no_packbench_env_leaks() -> Iterator[None]:
    """A test sees no PACKBENCH_* configuration from the shell that started the run (a developer's
    ``PACKBENCH_SHOPIFY_WEBHOOK_SECRET`` or ``PACKBENCH_FAULT``) nor any an earlier test left behind
    (``hub serve --workers`` writes its worker settings into ``os.environ``). Tests that need one set
    it with ``monkeypatch.setenv`` or pass an ``env=`` of their own."""
    outside = _strip_packbench_env()
    try:
        yield
    finally:
        _strip_packbench_env()
        os.environ.update(outside)


@pytest.fixture(scope="session", autouse=True)
def private_tmpdir() -> Iterator[Path]:
    """Every temporary folder of the run, this process's and those of the hub and bench processes it starts
    (TMPDIR is inherited), goes under one folder removed at the end: a bench a fault test kills with
    SIGKILL cannot leave its ``packbench-pty-*`` folder in the system's temp dir."""
    folder = Path(tempfile.mkdtemp(prefix="packbench-test-run-"))
    old_env, old_dir = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = old_dir
        if old_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = old_env
        shutil.rmtree(folder, ignore_errors=True)


def _admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    base = _admin_url()
    if not base:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"packbench_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server is down or refuses us: say so and skip
        admin.dispose()
        pytest.skip(f"PostgreSQL at {url.render_as_string(hide_password=True)} is not usable: {exc}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
