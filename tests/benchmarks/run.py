"""Run every benchmark and print one table: ``python -m tests.benchmarks [--only NAME,...]``.

PostgreSQL benchmarks use ``PACKBENCH_TEST_PG_URL`` (the server; each benchmark creates and drops a
database of its own) and say ``n/a`` without it. Benchmarks of parts that have not landed yet say
``n/a`` with the reason.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Sequence

from tests.benchmarks.common import PG_ENV, Row, admin_pg_url, na

# name -> (module, needs PostgreSQL, rows to show when it cannot run)
BENCHMARKS: dict[str, tuple[str, bool, list[str]]] = {
    "leases": ("tests.benchmarks.bench_leases", True, ["lease: 1 hub, 50 benches", "lease: 2 hubs, 50 benches"]),
    "events": ("tests.benchmarks.bench_events", True, ["event ingest"]),
    "import": ("tests.benchmarks.bench_import", True, ["order import"]),
    "routing": ("tests.benchmarks.bench_routing", False, ["routing"]),
    "bench": ("tests.benchmarks.bench_station", False, ["bench app"]),
    "signin": ("tests.benchmarks.bench_signin", False, ["sign-in storm"]),
    "pickscan": ("tests.benchmarks.bench_pick_scan", False, ["pick scan-to-feedback"]),
    "picking": ("tests.benchmarks.bench_picking", False, ["picking: walking per line", "picking: build a batch"]),
    "gui-stall": ("tests.benchmarks.bench_gui_stall", False, ["GUI stall during a 3 s label print"]),
}


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def _wrap(text: str, width: int) -> list[str]:
    words, lines, cur = text.split(" "), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    return [*lines, cur] if cur else lines or [""]


def table(rows: Sequence[Row]) -> str:
    out = []
    for r in rows:
        out.append(f"[{r.verdict:^6}] {r.name}")
        for label, text in (("figure", r.figure), ("baseline", r.baseline), ("target", r.target), ("note", r.note)):
            if not text:
                continue
            for k, line in enumerate(_wrap(text, 96)):
                out.append(f"         {label if k == 0 else '':<9} {line}")
    return "\n".join(out)


def run_one(name: str, log: Callable[[str], None]) -> list[Row]:
    module_name, needs_pg, labels = BENCHMARKS[name]
    if needs_pg and not admin_pg_url():
        return [na(label, f"set {PG_ENV} to run it") for label in labels]
    t0 = time.perf_counter()
    try:
        module = importlib.import_module(module_name)
        rows: list[Row] = module.run()
    except Exception as exc:  # one broken benchmark must not hide the others' figures
        traceback.print_exc(file=sys.stderr)
        rows = [Row(labels[0], f"failed: {type(exc).__name__}: {exc}", met=False)]
    log(f"{name}: {time.perf_counter() - t0:.1f} s")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",")] if args.only else list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    def log(msg: str) -> None:
        print(f"... {msg}", file=sys.stderr, flush=True)

    start = time.perf_counter()
    rows: list[Row] = []
    for name in names:
        log(f"{name}: running")
        rows.extend(run_one(name, log))
    print(f"packbench benchmarks on {machine()}")
    print(table(rows))
    print(f"total {time.perf_counter() - start:.0f} s")
    return 1 if any(r.figure.startswith("failed") for r in rows) else 0
