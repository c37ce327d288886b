"""``packbench hub import-csv FILE --db URL [--only-good-rows]``: orders from a CSV into the hub.

The file is checked whole first (columns, every row, SKUs against the catalogue). With any bad row
nothing is stored and each bad row is listed; ``--only-good-rows`` stores the orders without a bad
row and skips each order that has one, whole. Stored orders are validated and routed like any
channel order. A progress bar on stderr shows checking, then storing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, TextIO

BATCH = 1000


class ProgressBar:
    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        total = max(total, 1)
        filled = self.width * min(done, total) // total
        if filled == self.last and done < total:
            return
        self.last = filled
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label:<9} [{bar}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def cmd_import_csv(args: argparse.Namespace) -> int:
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from app.channels.base import ChannelOrder
    from app.channels.csv_import import CsvFileError, decode_csv, parse_orders
    from app.hub import models as m
    from app.hub.cli import _db, _ensure_schema, _session_factory
    from app.hub.database import unit_of_work
    from app.hub.services import bulk_import, dom, pipeline

    started = time.perf_counter()
    try:  # the file first: a file that cannot be read touches no database
        text = decode_csv(Path(args.file).read_bytes())
    except OSError as exc:
        print(f"packbench: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except CsvFileError as exc:
        print(f"packbench: {args.file}: {exc}", file=sys.stderr)
        return 1
    url = _db(args)
    _ensure_schema(url)
    factory = _session_factory(url)
    with unit_of_work(factory) as session:
        known = set(session.scalars(select(m.Product.sku)))
    result = parse_orders(
        text,
        channel=args.channel,
        only_good_rows=args.only_good_rows,
        progress=ProgressBar("checking"),
        known_skus=known,
    )
    for err in result.errors[:50]:
        print(f"  {err}", file=sys.stderr)
    if len(result.errors) > 50:
        print(f"  … and {len(result.errors) - 50} more", file=sys.stderr)
    if result.errors and not args.only_good_rows:
        print(result.summary, file=sys.stderr)
        return 1
    rules = dom.OrderRules()
    bar = ProgressBar("storing")
    created = repeats = held = 0
    total = len(result.orders)
    for start in range(0, total, BATCH):
        chunk = result.orders[start : start + BATCH]
        try:
            with unit_of_work(factory) as session:
                done = bulk_import.import_batch(session, chunk, rules)
            created, repeats, held = created + done.created, repeats + done.repeats, held + done.held
        except IntegrityError:
            # Someone stored one of these orders meanwhile: take the batch order by order.
            with unit_of_work(factory) as session:
                for order in chunk:
                    outcome = pipeline.ingest(session, ChannelOrder(order), rules)
                    created += outcome.created
                    repeats += not outcome.created
                    held += outcome.status == "on_hold"
        bar(min(start + BATCH, total), total)
    seconds = time.perf_counter() - started
    print(result.summary)
    print(f"stored {created} new orders ({held} on hold), {repeats} already stored, in {seconds:.1f} s")
    return 0


def _channels(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    from app.hub.cli import _db, _ensure_schema, _session_factory
    from app.hub.services import shipping

    url = _db(args)
    _ensure_schema(url)
    factory = _session_factory(url)
    cfg = shipping.from_env(factory)
    return factory, dict(cfg.channels)


def cmd_pull_orders(args: argparse.Namespace) -> int:
    """Pull orders from the channels configured in the environment (see ``shipping.from_env``)."""
    from app.hub.services import channel_sync, dom

    factory, channels = _channels(args)
    chosen = {k: v for k, v in channels.items() if not args.channel or k == args.channel}
    if not chosen:
        print("no channel configured (set PACKBENCH_SHOPIFY_* or PACKBENCH_WOO_*)", file=sys.stderr)
        return 1
    for name, client in chosen.items():
        counts = channel_sync.pull_orders(factory, client, dom.OrderRules())
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def cmd_push_stock(args: argparse.Namespace) -> int:
    from app.hub.services import channel_sync

    factory, channels = _channels(args)
    publishers = {k: v for k, v in channels.items() if hasattr(v, "push_available")}
    for name, outcome in channel_sync.push_stock(factory, publishers).items():
        print(f"{name}: {outcome}")
    return 0


def register(cmds: Any, add: Any) -> None:
    """Add ``import-csv`` to the ``packbench hub`` sub-commands (``add`` is the hub CLI's helper)."""
    from app.channels.csv_import import columns_help

    p = add("import-csv", cmd_import_csv, "import orders from a CSV file (columns: see --help)")
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = columns_help()
    p.add_argument("file", help="CSV file, UTF-8, header row first")
    p.add_argument(
        "--only-good-rows",
        action="store_true",
        help="store the orders without errors and skip each order with a bad row (default: any bad row stores nothing)",
    )
    p.add_argument("--channel", default="csv", help="channel name for orders without a channel column")
    p = add("pull-orders", cmd_pull_orders, "pull orders from the configured channels (Shopify, WooCommerce)")
    p.add_argument("--channel", choices=["shopify", "woocommerce"], help="only this channel")
    add("push-stock", cmd_push_stock, "send sellable stock to the channels that take it")


def cmd_import_bins(args: argparse.Namespace) -> int:
    """Bins and bin stock from CSV (``app.hub.services.bin_import``): all or nothing."""
    from app.channels.csv_import import CsvFileError, decode_csv
    from app.hub.cli import _db, _ensure_schema, _session_factory
    from app.hub.database import unit_of_work
    from app.hub.services import bin_import

    try:  # the file first: a file that cannot be read touches no database
        text = decode_csv(Path(args.file).read_bytes())
        bin_import.parse(text)
    except OSError as exc:
        print(f"packbench: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except (CsvFileError, bin_import.BinFileError) as exc:
        print(f"packbench: {args.file}: {exc}", file=sys.stderr)
        return 2
    url = _db(args)
    _ensure_schema(url)
    with unit_of_work(_session_factory(url)) as session:
        result = bin_import.import_bins(session, args.location, text)
        if result.errors:
            session.rollback()
    for err in result.errors[:50]:
        print(f"  {err}", file=sys.stderr)
    if result.errors:
        print(f"packbench: {args.file}: {result.summary}", file=sys.stderr)
        return 1
    print(result.summary)
    return 0


def register_bins(add: Any) -> None:
    p = add("import-bins", cmd_import_bins, "import bins and bin stock from a CSV file")
    p.epilog = "columns: " + ", ".join(("bin", "zone", "aisle", "bay", "level", "pickable", "sku", "quantity"))
    p.add_argument("file", help="CSV file, UTF-8, header row first")
    p.add_argument("--location", required=True, help="the location code the bins belong to")
