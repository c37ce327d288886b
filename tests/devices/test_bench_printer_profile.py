"""The bench and the real hub: a label comes back for the bench's printer profile, and one that cannot be
made for it (2x1 media) is refused with the reason in the status bar's state, nothing printed."""

from __future__ import annotations

import re
from pathlib import Path

from app.bench.feedback import FeedbackKind as K
from app.bench.settings import BenchSettings
from app.demo.embedded_hub import EmbeddedHub
from tests.bench.conftest import demo_hub  # noqa: F401  (fixture)
from tests.bench.test_engine_with_hub import bench, pack_all_items, weigh_ok


def test_a_600_dpi_bench_prints_the_hubs_label_at_2436_dots(demo_hub: EmbeddedHub, tmp_path: Path) -> None:  # noqa: F811
    e = bench(demo_hub, tmp_path, settings=BenchSettings(hub_url=demo_hub.url, printer_dpi=600))
    e.lease(2)
    number = e.orders_to_pack()[0].number
    pack_all_items(e, number)
    assert weigh_ok(e).kind == K.LABEL_PRINTED  # type: ignore[attr-defined]
    jobs = e.printer.jobs  # type: ignore[attr-defined]
    assert jobs and all(re.search(rb"\^PW2436\^LL3654", job) for job in jobs)
    e.close()


def test_a_2x1_bench_is_told_why_no_label_prints(demo_hub: EmbeddedHub, tmp_path: Path) -> None:  # noqa: F811
    e = bench(demo_hub, tmp_path, settings=BenchSettings(hub_url=demo_hub.url, label_size="2x1"))
    e.lease(2)
    number = e.orders_to_pack()[0].number
    pack_all_items(e, number)
    fb = weigh_ok(e)
    assert fb.kind == K.LABEL_PENDING  # type: ignore[attr-defined]
    assert e.printer.jobs == []  # type: ignore[attr-defined]
    assert "needs 4x4 or 4x6 labels" in e.status.state.label_refused
    e.close()
