"""Pick scan-to-feedback p99 in the real pick screen (the same 16 ms frame budget as packing)."""

from __future__ import annotations

from tests.benchmarks.bench_station import probe
from tests.benchmarks.common import Row, module_missing, ms, na, percentile


def run() -> list[Row]:
    name = "pick scan-to-feedback, real pick screen, 200-stop cluster batch"
    target = "p99 <= 16 ms"
    missing = module_missing("app.ui.screens.pick", "app.bench.pick_controller")
    if missing:
        return [na(name, missing, target)]
    data, _ = probe(module="tests.benchmarks.pick_probe")
    lat, ctl = data["latencies"], data["controller"]
    p99 = percentile(lat, 99)
    return [
        Row(
            name,
            f"p50 {ms(percentile(lat, 50))}, p99 {ms(p99)}, max {ms(max(lat))} over {len(lat)} scans",
            baseline=f"the pick controller's scan alone (no Qt): p50 {ms(percentile(ctl, 50))}, "
            f"p99 {ms(percentile(ctl, 99))}",
            target=target,
            met=p99 <= 0.016 and data["state"] == "done",
            note=f"Enter key to screen repainted, offscreen; bin, unit and tote scans; answers {data['kinds']}; "
            f"batch ended {data['state']}",
        )
    ]
