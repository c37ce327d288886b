"""Bad input to the hub commands, as real processes: one line on stderr, a non-zero exit, no traceback,
and nothing created (a busy port is found before a database file is made)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.hub.conftest import free_port

PG_URL = os.environ.get("PACKBENCH_TEST_PG_URL", "")


def packbench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=120, check=False
    )


def assert_one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("db", "words"),
    [
        ("nonsense://x", ("SQLite or PostgreSQL",)),
        ("mysql://u@localhost/db", ("SQLite or PostgreSQL",)),
        ("not a url at all", ("is not a database URL",)),
    ],
)
def test_serve_with_a_database_url_we_cannot_use_says_so_in_one_line(db: str, words: tuple[str, ...]) -> None:
    assert_one_line_error(packbench("hub", "serve", "--db", db, "--port", str(free_port())), *words)


def test_a_plain_file_path_as_db_is_refused_with_the_sqlite_url_to_write_instead(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    line = assert_one_line_error(packbench("hub", "migrate", "--db", str(path)), f"sqlite:///{path}")
    assert "is not a database URL" in line and not path.exists()


def test_an_unreachable_postgresql_server_is_one_line() -> None:
    port = free_port()  # nothing listens there
    done = packbench("hub", "serve", "--db", f"postgresql://postgres@127.0.0.1:{port}/x", "--port", str(free_port()))
    assert_one_line_error(done, "cannot use the database", "postgres@127.0.0.1")


def test_a_sqlite_file_in_a_folder_that_cannot_be_made_is_one_line() -> None:
    assert_one_line_error(packbench("hub", "migrate", "--db", "sqlite:////proc/packbench-nope/hub.sqlite"))


def test_serve_on_a_port_in_use_fails_first_and_creates_no_database(tmp_path: Path) -> None:
    db_file = tmp_path / "hub.sqlite"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = packbench("hub", "serve", "--db", f"sqlite:///{db_file}", "--port", str(port))
    assert_one_line_error(done, f"port {port}", "in use", "--port")
    assert "packbench hub on" not in done.stdout
    assert not db_file.exists()


@pytest.mark.skipif(not PG_URL, reason="PACKBENCH_TEST_PG_URL not set")
def test_migrate_creates_a_missing_postgresql_database_and_serve_explains_a_missing_one() -> None:
    name = f"pb_cli_{uuid.uuid4().hex[:8]}"
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        missing = packbench("hub", "token", "--badge", "AD-1001", "--pin", "4444", "--db", url)
        assert_one_line_error(missing, "does not exist", "packbench hub migrate")
        done = packbench("hub", "migrate", "--db", url)
        assert done.returncode == 0, done.stderr
        assert "created database" in done.stdout and "schema at" in done.stdout
        again = packbench("hub", "migrate", "--db", url)
        assert again.returncode == 0 and "created database" not in again.stdout
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
