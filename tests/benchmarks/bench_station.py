"""The bench app: scan-to-feedback in the pack screen, software time per order in a headless shift,
cold start to a ready window and memory with 10,000 cached orders.

Each measurement runs in a process of its own (``station_probe``); where the bench or UI packages
have not landed the rows say ``n/a`` and why.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.common import ROOT, Row, module_missing, ms, na, percentile

PROBE = "tests.benchmarks.station_probe"
STARTS = 3
# The bench goals of issue 11 (raised from 16 ms, 50 ms, 1 s and 250 MB).
START_S, MEMORY_MB = 0.35, 120
START_TARGET, MEMORY_TARGET = f"<= {START_S} s", f"<= {MEMORY_MB} MB RSS"


def probe(*args: str, timeout: float = 300, module: str = PROBE) -> tuple[dict[str, Any], float]:
    """Run the probe; (its RESULT, seconds from spawning it to its first RESULT or READY line)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first: float | None = None
    results: list[dict[str, Any]] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("RESULT "):
            if first is None:
                first = time.perf_counter() - t0
            results.append(json.loads(line[7:]))
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0 or not results:
        raise RuntimeError(f"probe {' '.join(args)} exited {proc.returncode}: {err[-1500:]}")
    return results[-1], first or 0.0


def scan_row() -> Row:
    name = "scan-to-feedback, real pack screen, 500-line order"
    target = "p99 <= 8 ms"
    missing = module_missing("app.ui.screens.pack", "app.bench.engine", "app.demo.embedded_hub")
    if missing:
        return na(name, missing, target)
    data, _ = probe("scan")
    lat, eng = data["latencies"], data["engine"]
    p99 = percentile(lat, 99)
    return Row(
        name,
        f"p50 {ms(percentile(lat, 50))}, p99 {ms(p99)}, max {ms(max(lat))} over {len(lat)} item scans",
        baseline=f"the engine's scan alone (no Qt): p50 {ms(percentile(eng, 50))}, p99 {ms(percentile(eng, 99))}",
        target=target,
        met=p99 <= 0.008,
        note=f"Enter key to the whole window repainted, offscreen (Qt's own dirty-region paint: p50"
        f" {ms(percentile(data['dirty'], 50))}, p99 {ms(percentile(data['dirty'], 99))}); answers {data['kinds']}"
        + (f"; unexpected: {'; '.join(data['odd'])}" if data.get("odd") else ""),
    )


def shift_row() -> Row:
    name = "software time per order, headless shift"
    target = "<= 12 ms per order"
    missing = module_missing("app.demo.shift", "app.demo.embedded_hub")
    if missing:
        return na(name, missing, target)
    data, _ = probe("shift")
    orders = max(1, int(data["orders"]))
    software = (data["wall"] - data["slept"] - data["device"]) / orders
    return Row(
        name,
        f"{software * 1000:.1f} ms per order (wall less device waits); {data['cpu'] / orders * 1000:.1f} ms CPU on the"
        " robot's thread",
        baseline=(
            f"wall per order with the device waits: {data['wall'] / orders * 1000:.1f} ms (scale reads and printer"
            f" confirmations {data['device'] / orders * 1000:.1f} ms, sleeps {data['slept'] / orders * 1000:.1f} ms)"
        ),
        target=target,
        met=software <= 0.012,
        note=(
            f"{orders} orders ({data['packed']} packed, balanced={data['balanced']}) through the real engine,"
            " SICS scale simulator on a pty, Zebra simulator on TCP, embedded hub on SQLite in the same"
            " process (its work counts); wrong scans 5%, weight mismatches 5%, short picks 2%, damaged 1%"
        ),
    )


def start_rows() -> list[Row]:
    start_name = "bench cold start to a ready window (10,000 cached orders)"
    mem_name = "bench memory with 10,000 cached orders"
    missing = module_missing("app.ui.main_window", "app.bench.engine", "app.demo.embedded_hub")
    if missing:
        return [na(start_name, missing, START_TARGET), na(mem_name, missing, MEMORY_TARGET)]
    with tempfile.TemporaryDirectory(prefix="packbench-bm-start-") as tmp:
        folder = Path(tmp) / "bench"
        prepared, _ = probe("prepare", str(folder))
        bare = [probe("bare") for _ in range(STARTS)]
        bench = [probe("bench", str(folder)) for _ in range(STARTS)]
    bare_s = statistics.median(s for _r, s in bare)
    bench_s = statistics.median(s for _r, s in bench)
    last = bench[-1][0]
    bare_rss = bare[-1][0]["rss_ready"]
    rows = [
        Row(
            start_name,
            f"{bench_s:.2f} s (median of {STARTS}; all: {', '.join(f'{s:.2f}' for _r, s in bench)})",
            baseline=f"python + PySide6 + an empty QMainWindow shown: {bare_s:.2f} s",
            target=START_TARGET,
            met=bench_s <= START_S,
            note=(
                "spawn to the window shown and painted, offscreen, files in the OS cache (a first boot reads more"
                f" from disk); {prepared['cached']:,} orders in the bench's store when prepared,"
                f" {last['cached']:,} read back by the bench process after its figures"
            ),
        ),
        Row(
            mem_name,
            f"{last['rss_queue']:.0f} MB RSS with the queue loaded ({last['queue_rows']:,} rows shown of"
            f" {last['cached']:,} cached, {last['queue_s']:.2f} s); {last['rss_ready']:.0f} MB at the ready window",
            baseline=f"empty QMainWindow: {bare_rss:.0f} MB",
            target=MEMORY_TARGET,
            met=last["rss_queue"] <= MEMORY_MB,
        ),
    ]
    return rows


def run() -> list[Row]:
    rows: list[Row] = []
    for make in (scan_row, shift_row):
        try:
            rows.append(make())
        except Exception as exc:  # report and go on to the next figure
            rows.append(Row(make.__name__, f"failed: {type(exc).__name__}: {str(exc)[-600:]}", met=False))
    try:
        rows.extend(start_rows())
    except Exception as exc:
        rows.append(Row("bench start and memory", f"failed: {type(exc).__name__}: {str(exc)[-600:]}", met=False))
    return rows
