"""``packbench shift`` (a robot shift against a hub) and ``packbench demo`` (bench + embedded hub)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any


def _config(args: argparse.Namespace, hub_url: str, data_dir: Path, code: str | None) -> Any:
    from app.demo.shift import ShiftConfig
    from app.printing.profile import PrinterProfile

    return ShiftConfig(
        hub_url=hub_url,
        data_dir=data_dir,
        orders=args.orders,
        enrol_code=code,
        wrong_scan_share=args.wrong_scans,
        weight_mismatch_share=args.weight_mismatches,
        short_pick_share=args.short_picks,
        damaged_share=args.damaged,
        cancel_share=args.cancellations,
        returns_share=args.returns,
        seed=args.seed,
        labels=args.labels,
        lease_batch=args.lease_batch,
        printer=PrinterProfile(dpi=args.printer_dpi, size=args.label_size, unicode_font=args.unicode_font),
        pick=bool(getattr(args, "pick", False)),
    )


def _print_report(report: Any, as_json: bool) -> None:
    data = report.to_json()
    if as_json:
        print(json.dumps(data, indent=2, sort_keys=True), flush=True)
        return
    for key, value in data.items():
        print(f"{key:>22}: {value}")


def cmd_shift(args: argparse.Namespace) -> int:
    from app.bench.hub_client import HubRefused
    from app.demo.shift import run_shift

    try:
        report = run_shift(_config(args, args.hub, Path(args.data_dir), args.enroll))
    except HubRefused as exc:
        print(f"error: the hub refused: {exc}", file=sys.stderr)
        return 2
    _print_report(report, True)
    return 0 if report.balanced else 1


def cmd_demo(args: argparse.Namespace) -> int:
    if not args.headless:
        try:
            ui = importlib.import_module("app.ui.main")
        except ModuleNotFoundError:
            print("the desktop app is not part of this build yet: run `packbench demo --headless`", file=sys.stderr)
            return 2
        result: int = ui.run_demo(args)
        return result
    from app.demo.embedded_hub import EmbeddedHub
    from app.demo.shift import run_shift

    with tempfile.TemporaryDirectory(prefix="packbench-demo-") as tmp:
        folder = Path(tmp)
        # The demo seed routes its orders to the demo bench's warehouse; a few spare keep the queue non-empty.
        with EmbeddedHub(folder, orders=args.orders + 10) as hub:
            report = run_shift(_config(args, hub.url, folder / "bench", hub.enrolment_code))
    _print_report(report, args.json)
    return 0 if report.balanced else 1


def _shares(p: argparse.ArgumentParser) -> None:
    p.add_argument("--orders", type=int, default=50, help="orders to pack (default 50)")
    p.add_argument("--wrong-scans", type=float, default=0.05, help="share of items preceded by a wrong scan")
    p.add_argument("--weight-mismatches", type=float, default=0.05, help="share of parcels weighing wrong")
    p.add_argument("--short-picks", type=float, default=0.02, help="share of orders short-picked")
    p.add_argument("--damaged", type=float, default=0.01, help="share of orders with a damaged item")
    p.add_argument("--cancellations", type=float, default=0.02, help="share of orders cancelled at the hub mid-shift")
    p.add_argument("--returns", type=float, default=0.05, help="share of packed orders returned and received")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--lease-batch", type=int, default=20, help="orders leased at a time")
    p.add_argument(
        "--labels",
        choices=["auto", "hub", "local-fallback"],
        default="auto",
        help="label source: the hub's carrier path, or the bench's local fallback (auto: hub when it has one)",
    )


def _printer(p: argparse.ArgumentParser) -> None:
    p.add_argument("--printer-dpi", type=int, choices=[203, 300, 600], default=203, help="label printer resolution")
    p.add_argument("--label-size", choices=["4x6", "4x4"], default="4x6", help="labels loaded in the printer")
    p.add_argument("--unicode-font", default="", help="the printer's TrueType font for non-Latin text (E:NAME.TTF)")


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("shift", help="run a headless robot shift against a hub")
    p.add_argument("--hub", required=True, help="hub URL, e.g. http://127.0.0.1:8765")
    p.add_argument("--enroll", help="one-time enrolment code (first run of a data folder)")
    p.add_argument("--data-dir", required=True, help="the bench's data folder")
    _shares(p)
    _printer(p)
    p.set_defaults(func=cmd_shift)

    d: argparse.ArgumentParser = sub.add_parser("demo", help="the bench with an embedded hub and simulated devices")
    d.add_argument("--headless", action="store_true", help="no window: a robot works the shift")
    d.add_argument("--json", action="store_true", help="print the shift report as JSON")
    d.add_argument("--pick", action="store_true", help="a robot picker picks cluster batches into totes first")
    _shares(d)
    _printer(d)
    d.set_defaults(func=cmd_demo)
