"""Demo and simulation: the embedded hub, the robot shift and the simulated devices wired together.

This package may import the hub and the device simulators; nothing in ``app/bench`` imports it.
"""
