"""``packbench hub …`` commands: serve, migrate, seed-demo, enroll-station, add-operator, token, worker, jobs."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from app.hub.cli_errors import CliError, describe
from app.hub.services.errors import HubError


def _url_of(args: argparse.Namespace) -> str:
    try:
        return _db(args)
    except CliError:
        return str(getattr(args, "db", ""))


def _db(args: argparse.Namespace) -> str:
    from app.hub.cli_errors import parse_db_url
    from app.hub.database import default_sqlite_url, normalize_url

    return normalize_url(parse_db_url(args.db)) if args.db else default_sqlite_url()


def _session_factory(url: str) -> Any:
    from app.hub.database import make_engine, make_session_factory

    return make_session_factory(make_engine(url))


def _ensure_schema(url: str) -> None:
    """SQLite hubs migrate themselves; PostgreSQL hubs must be migrated on purpose first."""
    from alembic.script import ScriptDirectory

    from app.hub.database import alembic_config, current_revision, migrate

    if url.startswith("sqlite"):
        migrate(url)
        return
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    have = current_revision(url)
    if have != head:
        raise SystemExit(
            f"the database is at schema {have or 'none'}, the hub needs {head}: run `packbench hub migrate --db URL`"
        )


WORKER_DB_ENV = "PACKBENCH_HUB_WORKER_DB"
WORKER_COUNT_ENV = "PACKBENCH_HUB_WORKER_COUNT"


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.hub.app import create_app
    from app.hub.cli_errors import check_port

    if args.workers < 1:
        raise HubError("--workers must be at least 1")
    url = _db(args)
    check_port(args.host, args.port)  # before anything is created: a busy port changes nothing
    _ensure_schema(url)
    workers = f", {args.workers} worker processes" if args.workers > 1 else ""
    print(f"packbench hub on http://{args.host}:{args.port} (store: {_redact(url)}{workers})", flush=True)
    runner = None
    try:
        if args.workers == 1:
            app = create_app(db_url=url)
            if not args.no_jobs:
                from app.hub.jobs.cli import serve_jobs

                runner = serve_jobs(app, url, args.jobs_period)
            uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
            return 0
        if not args.no_jobs:  # the jobs run once here, in the parent; each run is claimed in the store anyway
            from app.hub.jobs.cli import build

            _cfg, runner, _specs = build(url, args.jobs_period, 60.0)
            runner.start()
        # Each worker process builds its own app (and connection pool) from the environment.
        os.environ[WORKER_DB_ENV] = url
        os.environ[WORKER_COUNT_ENV] = str(args.workers)
        uvicorn.run(
            "app.hub.cli:worker_app",
            factory=True,
            workers=args.workers,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
        )
    finally:
        if runner is not None:
            runner.shutdown(wait=False)
    return 0


def worker_app() -> Any:
    """The app of one ``serve --workers N`` process: the pool shares the server's connections among the N."""
    from app.hub.app import create_app
    from app.hub.database import make_engine

    url = os.environ[WORKER_DB_ENV]
    n = max(1, int(os.environ.get(WORKER_COUNT_ENV, "1")))
    if url.startswith("sqlite"):
        return create_app(db_url=url)
    return create_app(make_engine(url, pool_size=max(5, 40 // n), max_overflow=max(2, 10 // n)))


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.hub.cli_errors import create_database_if_missing
    from app.hub.database import current_revision, migrate

    url = _db(args)
    if create_database_if_missing(url):
        print(f"created database {_redact(url)}")
    migrate(url)
    print(f"schema at {current_revision(url)} ({_redact(url)})")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from app.hub import demo
    from app.hub.database import unit_of_work

    url = _db(args)
    _ensure_schema(url)
    with unit_of_work(_session_factory(url)) as session:
        result = demo.seed(session, orders=args.orders)
    print(f"demo data: {result.products} products, 3 locations, 5 cartons, {result.orders} orders")
    print(f"station {result.station_name} at {result.location}: enrolment code {result.enrolment_code}")
    for name, badge, pin, role in result.operators:
        print(f"  {role:<10} {name:<16} badge {badge}  PIN {pin}")
    return 0


def cmd_enroll_station(args: argparse.Namespace) -> int:
    from app.hub.database import unit_of_work
    from app.hub.services import auth

    url = _db(args)
    _ensure_schema(url)
    with unit_of_work(_session_factory(url)) as session:
        code = auth.create_enrolment_code(session, args.name, args.location)
    print(f"enrolment code for {args.name} at {args.location}: {code} (one use, valid 72 hours)")
    return 0


def cmd_add_operator(args: argparse.Namespace) -> int:
    from app.hub.database import unit_of_work
    from app.hub.services import auth

    url = _db(args)
    _ensure_schema(url)
    with unit_of_work(_session_factory(url)) as session:
        op = auth.add_operator(session, name=args.name, badge=args.badge, pin=args.pin, role=args.role)
    print(f"operator {op.name} ({op.role}) badge {op.badge}")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    """An operator session token for scripts and admin tools at the hub (badge + PIN, no station)."""
    from app.hub.database import unit_of_work
    from app.hub.services import auth

    url = _db(args)
    _ensure_schema(url)
    with unit_of_work(_session_factory(url)) as session:
        _operator, token = auth.sign_in(session, badge=args.badge, pin=args.pin, station_id=None)
    print(token)
    return 0


def _guard(func: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            result: int = func(args)
            return result
        except HubError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 2
        except CliError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except (SQLAlchemyError, OSError) as exc:
            print(f"error: {describe(exc, _url_of(args))}", file=sys.stderr)
            return 2

    return run


def register(sub: Any) -> None:
    hub: argparse.ArgumentParser = sub.add_parser("hub", help="run and administer the hub")

    def show_help(_args: argparse.Namespace) -> int:
        hub.print_help()
        return 0

    hub.set_defaults(default_func=show_help)
    cmds = hub.add_subparsers(dest="hub_command", metavar="HUB_COMMAND")

    def add(name: str, func: Any, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = cmds.add_parser(name, help=help_text)
        p.add_argument("--db", help="database URL (default: a SQLite file in the user data folder)")
        p.set_defaults(func=_guard(func))
        return p

    p = add("serve", cmd_serve, "serve the HTTP API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--log-level", default="info")
    p.add_argument(
        "--workers", type=int, default=1, help="hub processes sharing the port (each with its own connection pool)"
    )
    p.add_argument("--no-jobs", action="store_true", help="do not run the scheduled jobs here (run `hub worker`)")
    p.add_argument("--jobs-period", type=float, help="run every interval job this often, in seconds")
    add("migrate", cmd_migrate, "bring the database schema up to date")
    p = add("seed-demo", cmd_seed_demo, "load the demo catalog, orders, station and operators")
    p.add_argument("--orders", type=int, default=220)
    p = add("enroll-station", cmd_enroll_station, "create a one-time enrolment code for a bench")
    p.add_argument("name")
    p.add_argument("--location", required=True)
    p = add("add-operator", cmd_add_operator, "add an operator (badge, PIN, role)")
    p.add_argument("--name", required=True)
    p.add_argument("--badge", required=True)
    p.add_argument("--pin", required=True)
    p.add_argument("--role", required=True, choices=["packer", "receiver", "supervisor", "admin"])
    p = add("token", cmd_token, "print an operator session token (for admin scripts)")
    p.add_argument("--badge", required=True)
    p.add_argument("--pin", required=True)

    from app.hub import channels_cli

    channels_cli.register(cmds, add)
    channels_cli.register_bins(add)

    from app.hub.jobs import cli as jobs_cli

    jobs_cli.register(add)
