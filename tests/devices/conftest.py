"""Device fixtures: simulators on real ptys and TCP sockets, stopped after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.devices.sim import ScaleSimulator, ZebraSimulator


@pytest.fixture
def zebra() -> Iterator[ZebraSimulator]:
    with ZebraSimulator() as sim:
        yield sim


@pytest.fixture(params=["sics", "nci", "cas", "cas-ecr"])
def scale_sim(request: pytest.FixtureRequest) -> Iterator[ScaleSimulator]:
    with ScaleSimulator(request.param) as sim:
        yield sim
