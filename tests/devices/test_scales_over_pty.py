"""Serial scales against the simulators over real pseudo-terminals."""

from __future__ import annotations

import pytest

from app.devices.scales import SerialScale, protocol_for
from app.devices.scales.sics import SicsProtocol
from app.devices.serial_link import SerialLink
from app.devices.sim import ScaleSimulator
from app.devices.weights import ScaleState


def scale_for(sim: ScaleSimulator, timeout_s: float = 5.0) -> SerialScale:
    return SerialScale(SerialLink(sim.port, timeout_s=timeout_s), protocol_for(sim.protocol))


def test_a_stable_weight_is_read_in_grams(scale_sim: ScaleSimulator) -> None:
    scale_sim.set_weight(1234)
    got = scale_for(scale_sim).read()
    assert (got.state, got.grams) == (ScaleState.STABLE, 1234)


def test_motion_overload_and_zero_are_distinct_states(scale_sim: ScaleSimulator) -> None:
    scale = scale_for(scale_sim)
    scale_sim.set_weight(800)
    scale_sim.set_motion(True)
    assert scale.read().state is ScaleState.MOTION
    scale_sim.set_overload(True)
    assert scale.read().state is ScaleState.OVERLOAD
    scale_sim.set_weight(0)
    assert scale.read().state is ScaleState.ZERO


@pytest.mark.parametrize("protocol", ["sics", "nci"])
def test_underload_is_reported_as_underload(protocol: str) -> None:
    with ScaleSimulator(protocol) as sim:
        sim.set_underload(True)
        assert scale_for(sim).read().state is ScaleState.UNDERLOAD


def test_an_unplugged_scale_is_disconnected_and_picked_up_again_after_replug(scale_sim: ScaleSimulator) -> None:
    scale = scale_for(scale_sim)
    scale_sim.set_weight(500)
    assert scale.read().grams == 500
    scale_sim.unplug()
    gone = scale.read()
    assert gone.state is ScaleState.DISCONNECTED and gone.grams is None
    assert scale_sim.port in gone.message
    scale_sim.replug()
    scale_sim.set_weight(750)
    back = scale.read()
    assert (back.state, back.grams) == (ScaleState.STABLE, 750)


def test_a_silent_scale_reads_as_not_answering() -> None:
    with ScaleSimulator("nci") as sim:
        sim.silence(True)
        got = scale_for(sim, timeout_s=0.5).read()
        assert got.state is ScaleState.DISCONNECTED
        assert "not answering" in got.message


def test_pounds_from_the_scale_are_converted_to_grams() -> None:
    with ScaleSimulator("sics", unit="lb") as sim:
        sim.set_weight(4536)  # 10.000 lb on the display
        assert scale_for(sim).read().grams == 4536


def test_sics_streaming_mode_reads_the_current_weight() -> None:
    with ScaleSimulator("sics") as sim:
        scale = SerialScale(SerialLink(sim.port, timeout_s=5), SicsProtocol("SIR"))
        sim.set_weight(300)
        assert scale.read().grams == 300
        sim.set_weight(900)
        readings = [scale.read().grams for _ in range(5)]
        assert 900 in readings
        assert sim.requests.count(b"SIR") == 1


def test_sics_zero_and_refusal_while_in_motion() -> None:
    from app.devices.errors import DeviceError

    with ScaleSimulator("sics") as sim:
        scale = scale_for(sim)
        scale.zero()
        assert b"Z" in sim.requests
        sim.set_motion(True)
        with pytest.raises(DeviceError, match="wait until it is still"):
            scale.zero()


def test_a_scale_shared_by_worker_threads_answers_each_read_whole() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ScaleSimulator("nci") as sim:
        sim.set_weight(4321)
        scale = scale_for(sim)
        with ThreadPoolExecutor(max_workers=4) as pool:
            readings = list(pool.map(lambda _i: scale.read(), range(12)))
        assert {(r.state, r.grams) for r in readings} == {(ScaleState.STABLE, 4321)}
