"""``packbench bench`` (the configured bench), ``packbench self-test``; plain ``packbench`` opens the bench."""

from __future__ import annotations

import argparse
from typing import Any


def cmd_bench(args: argparse.Namespace) -> int:
    from app.ui.main import run_bench

    return run_bench(args)


def cmd_self_test(_args: argparse.Namespace) -> int:
    from app.ui.selftest import run_self_test

    return run_self_test()


def cmd_bench_card(args: argparse.Namespace) -> int:
    """Print the pack and returns command cards for the printer's profile, or save them as PNG images."""
    import sys
    from pathlib import Path

    from app.bench.cards import PACK_COMMANDS, RETURN_COMMANDS, bench_cards
    from app.devices.errors import DeviceError
    from app.printing.profile import PrinterProfile
    from app.printing.zpl import render_zpl

    profile = PrinterProfile(dpi=args.dpi, size=args.size)
    cards = {
        "pack": bench_cards("PACKING - command card", PACK_COMMANDS, profile),
        "returns": bench_cards("RETURNS - command card", RETURN_COMMANDS, profile),
    }
    pages = [
        (f"{name}-card" + (f"-{i + 1}" if len(labels) > 1 else ""), label)
        for name, labels in cards.items()
        for i, label in enumerate(labels)
    ]
    if args.printer:
        from app.devices.printers.uri import open_label_printer

        printer = open_label_printer(args.printer)
        try:
            for _name, card in pages:
                printer.send(render_zpl(card, profile=profile))
        except (DeviceError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"{len(pages)} command card label(s) sent to {args.printer}")
    if args.out:
        from app.devices.labels.preview import preview_png

        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        for name, card in pages:
            (folder / f"{name}.png").write_bytes(preview_png(card, dpi=args.dpi))
        print(f"command cards saved in {folder}")
    if not args.printer and not args.out:
        print("say where: --printer URI and/or --out FOLDER", file=sys.stderr)
        return 2
    return 0


def register(sub: Any) -> None:
    c: argparse.ArgumentParser = sub.add_parser("bench-card", help="print or save the command-barcode cards")
    c.add_argument("--printer", help="label printer URI: tcp://HOST:9100, queue:NAME, file:PATH")
    c.add_argument("--out", help="folder for PNG images of the cards")
    c.add_argument("--dpi", type=int, default=203, choices=[203, 300, 600])
    c.add_argument("--size", default="4x6", choices=["4x6", "4x4", "2x1"], help="labels in the printer")
    c.set_defaults(func=cmd_bench_card)
    p: argparse.ArgumentParser = sub.add_parser("bench", help="open this bench (first run: setup)")
    p.add_argument("--data-dir", help="the bench's data folder (default: in the user data folder)")
    p.set_defaults(func=cmd_bench)
    t: argparse.ArgumentParser = sub.add_parser("self-test", help="check this install offscreen with simulators")
    t.set_defaults(func=cmd_self_test)
