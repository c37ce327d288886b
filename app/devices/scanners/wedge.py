"""Telling a keyboard-wedge scanner from a person typing, from (character, timestamp) pairs.

A scanner "types" a whole code in a burst (a few milliseconds per key) and ends it with a suffix
(Enter by default), optionally starting with a configured prefix. People type slower and rarely
produce a long burst ending in Enter. Timestamps are seconds (any monotonic clock).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WedgeConfig:
    """``max_gap_s``: longest pause between two keys of one scan (seconds).
    ``min_length``: shortest code (without prefix/suffix) accepted as a scan."""

    prefix: str = ""
    suffix: str = "\r"
    max_gap_s: float = 0.05
    min_length: int = 4


@dataclass(frozen=True, slots=True)
class WedgeScan:
    """A code that came from the scanner; ``started``/``finished`` are the key timestamps (s)."""

    text: str
    started: float
    finished: float


@dataclass(frozen=True, slots=True)
class TypedText:
    """Keys a person typed; the UI hands them to whatever widget has focus."""

    text: str


WedgeEvent = WedgeScan | TypedText


class KeyboardWedgeDecoder:
    """Feed every key with ``feed(char, t)``; it returns the events that the key completed.

    Call ``flush(now)`` from a timer so that typed keys without an Enter are handed back once
    ``max_gap_s`` has passed. Not thread-safe: feed it from the GUI thread only.
    """

    def __init__(self, config: WedgeConfig | None = None) -> None:
        self.config = config or WedgeConfig()
        self._keys: list[tuple[str, float]] = []

    def feed(self, char: str, t: float) -> list[WedgeEvent]:
        events: list[WedgeEvent] = []
        if self._keys and t - self._keys[-1][1] > self.config.max_gap_s:
            events += self._as_typing()
        self._keys.append((char, t))
        text = "".join(c for c, _ in self._keys)
        if self.config.suffix and text.endswith(self.config.suffix):
            events += self._finish(text[: -len(self.config.suffix)])
        elif self.config.prefix and not self.config.prefix.startswith(text[: len(self.config.prefix)]):
            events += self._as_typing()  # cannot be the start of a prefixed scan
        return events

    def flush(self, now: float) -> list[WedgeEvent]:
        """Hand back pending keys once the burst is over (``now`` in the feed's clock): as typing, or as a
        scan when no suffix is configured and the burst was fast and long enough."""
        if self._keys and now - self._keys[-1][1] > self.config.max_gap_s:
            if not self.config.suffix:  # scanners set up without a suffix end a scan by pausing
                return self._finish("".join(c for c, _ in self._keys))
            return self._as_typing()
        return []

    def _finish(self, body: str) -> list[WedgeEvent]:
        started, finished = self._keys[0][1], self._keys[-1][1]
        prefix = self.config.prefix
        if prefix and not body.startswith(prefix):
            return self._as_typing()
        code = body[len(prefix) :]
        if len(code) < self.config.min_length:
            return self._as_typing()
        self._keys = []
        return [WedgeScan(code, started, finished)]

    def _as_typing(self) -> list[WedgeEvent]:
        text = "".join(c for c, _ in self._keys)
        self._keys = []
        return [TypedText(text)] if text else []
