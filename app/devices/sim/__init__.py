"""Simulators that speak the devices' own bytes over real OS pipes (pty, TCP), for tests and the demo."""

from app.devices.sim.escpos_sim import EscPosSimulator
from app.devices.sim.pty_port import PtyPort
from app.devices.sim.scale_sim import ScaleSimulator
from app.devices.sim.wedge_sim import WedgeScannerSimulator
from app.devices.sim.zebra_sim import ZebraSimulator

__all__ = ["EscPosSimulator", "PtyPort", "ScaleSimulator", "WedgeScannerSimulator", "ZebraSimulator"]
