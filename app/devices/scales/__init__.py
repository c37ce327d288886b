"""Scales: one ``Scale`` contract, serial protocols (MT-SICS, NCI, CAS), USB HID POS scales."""

from app.devices.scales.base import Scale, SerialScale, SerialScaleProtocol, open_scale, protocol_for

__all__ = ["Scale", "SerialScale", "SerialScaleProtocol", "open_scale", "protocol_for"]
