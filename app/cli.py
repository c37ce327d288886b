"""The ``packbench`` command. Each area adds its own sub-commands through a ``register`` function."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from app import __version__

# Modules with ``register(subparsers) -> None``; each sets ``func`` on the parsers it adds.
COMMAND_MODULES = [
    "app.hub.cli",
    "app.devices.cli",
    "app.demo.cli",
    "app.ui.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="packbench", description="packbench: pack, ship and return.")
    parser.add_argument("--version", action="version", version=f"packbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        default = getattr(args, "default_func", None)
        if default is None:
            if args.command is None:  # plain `packbench`: open this bench (first run: its setup)
                from app.ui.main import run_bench

                return run_bench(args)
            parser.print_help()
            return 0
        func = default
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
