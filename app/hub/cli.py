"""``packbench hub …`` commands."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    hub: argparse.ArgumentParser = sub.add_parser("hub", help="run and administer the hub")

    def show_help(_args: argparse.Namespace) -> int:
        hub.print_help()
        return 0

    hub.set_defaults(default_func=show_help)
