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


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("bench", help="open this bench (first run: setup)")
    p.add_argument("--data-dir", help="the bench's data folder (default: in the user data folder)")
    p.set_defaults(func=cmd_bench)
    t: argparse.ArgumentParser = sub.add_parser("self-test", help="check this install offscreen with simulators")
    t.set_defaults(func=cmd_self_test)
