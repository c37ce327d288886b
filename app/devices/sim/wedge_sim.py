"""A keyboard-wedge scanner that "types" a code at a scanner's speed, as (character, timestamp) pairs."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from app.devices.scanners.wedge import WedgeConfig


class WedgeScannerSimulator:
    """Produces the key stream a USB HID scanner sends: prefix, code, suffix, ``key_interval_s`` apart.

    ``key_interval_s`` defaults to 8 ms per key with up to ``jitter_s`` (2 ms) of jitter, which is
    what common scanners do at their default keyboard speed.
    """

    def __init__(
        self,
        config: WedgeConfig | None = None,
        *,
        key_interval_s: float = 0.008,
        jitter_s: float = 0.002,
        seed: int | None = None,
    ) -> None:
        self.config = config or WedgeConfig()
        self.key_interval_s = key_interval_s
        self.jitter_s = jitter_s
        self._random = random.Random(seed)

    def keystrokes(self, code: str, start: float = 0.0) -> list[tuple[str, float]]:
        """The keys for one scan with their timestamps in seconds from ``start``."""
        keys, t = [], start
        for char in self.config.prefix + code + self.config.suffix:
            keys.append((char, t))
            t += self.key_interval_s + self._random.uniform(0, self.jitter_s)
        return keys

    def type_code(self, code: str, sink: Callable[[str, float], object]) -> None:
        """Type ``code`` into ``sink(char, monotonic_time)`` in real time (for the demo)."""
        start = time.monotonic()
        for char, offset in self.keystrokes(code):
            delay = start + offset - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            sink(char, time.monotonic())
