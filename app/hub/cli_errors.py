"""What the hub commands say when the database or the port is not usable: one line, never a traceback.

``describe(exc, url)`` turns the errors a bad ``--db`` raises (an unparsable URL, an unknown driver, a
server that does not answer, a database that does not exist, a file that cannot be opened) into one
sentence saying what to do. ``check_port`` binds the port before the hub creates anything.
"""

from __future__ import annotations

import socket

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

URL_FORMS = "use sqlite:///PATH/hub.sqlite or postgresql://USER@HOST:5432/DBNAME"


class CliError(Exception):
    """A one-line message for the command line (the command exits with status 2)."""


def _redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def parse_db_url(raw: str) -> str:
    """``raw`` as a URL the hub can open, or CliError saying how to write one."""
    try:
        url = make_url(raw)
    except ArgumentError:
        hint = f"; for a SQLite file write sqlite:///{raw}" if "://" not in raw else ""
        raise CliError(f"--db {raw!r} is not a database URL ({URL_FORMS}){hint}") from None
    name = url.drivername.split("+")[0]
    if name == "postgres":
        name = "postgresql"
    if name not in ("sqlite", "postgresql"):
        raise CliError(f"--db {_redact(raw)}: the hub stores its data in SQLite or PostgreSQL ({URL_FORMS})")
    try:
        url.set(
            drivername="postgresql+psycopg" if name == "postgresql" and "+" not in url.drivername else url.drivername
        ).get_dialect()
    except ArgumentError:
        raise CliError(f"--db {_redact(raw)}: no database driver {url.drivername!r} ({URL_FORMS})") from None
    return raw


def describe(exc: BaseException, url: str) -> str:
    """One sentence for an error met while opening or migrating the database at ``url``."""
    shown = _redact(url)
    if isinstance(exc, OperationalError | DBAPIError):
        text = str(exc.orig if exc.orig is not None else exc).strip().splitlines()[0] if str(exc) else ""
        if "does not exist" in text and "database" in text:
            name = make_url(url).database
            return (
                f"the database {name!r} does not exist on that server: run `packbench hub migrate --db {shown}`, "
                f"which creates it (or create it yourself: createdb {name})"
            )
        if "unable to open database file" in text:
            return f"cannot open the SQLite file of {shown}: check that its folder exists and is writable"
        return f"cannot use the database {shown}: {text}"
    if isinstance(exc, ArgumentError):
        return f"--db {shown} is not a database URL we can use ({URL_FORMS})"
    return f"{shown}: {exc}"


def check_port(host: str, port: int) -> None:
    """CliError when ``host``:``port`` cannot be listened on (in use, not an address of this machine)."""
    if not 0 < port < 65536:
        raise CliError(f"--port {port} is not a TCP port (1-65535)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise CliError(f"--host {host!r} is not an address of this machine: {exc.strerror or exc}") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is no obstacle
        try:
            s.bind(address)
        except OSError as exc:
            reason = "is in use" if exc.errno in (98, 48, 10048) else f"cannot be used ({exc.strerror or exc})"
            raise CliError(
                f"port {port} on {host} {reason}: stop the other server or choose another with --port"
            ) from None


def create_database_if_missing(url: str) -> bool:
    """For PostgreSQL: create the database ``url`` names when the server does not have it (True if it did)."""
    from sqlalchemy import create_engine, text

    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql") or not parsed.database:
        return False
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}).first()
            if found is not None:
                return False
            quoted = admin.dialect.identifier_preparer.quote(parsed.database)
            conn.execute(text(f"CREATE DATABASE {quoted}"))
            return True
    finally:
        admin.dispose()
