"""Distinct sounds for scan feedback, played without ever blocking the GUI thread.

Backends, best first: Qt Multimedia (when PySide6-Addons is installed), the OS player
(``paplay``/``aplay``/``afplay`` as a child process, or ``winsound`` asynchronously), then the
system beep. Every request is also emitted as ``played(name)`` so tests and the screen's
history can see what the packer heard.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtWidgets import QApplication

from app.resources import resources_dir

SOUNDS = (
    "right",
    "wrong",
    "over_scan",
    "unknown",
    "complete",
    "attention",
    # picking: each refusal its own cue
    "wrong_bin",
    "wrong_tote",
    "over_pick",
    "short",
)


class SoundBoard(QObject):
    played = Signal(str)

    def __init__(self, *, enabled: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = enabled
        self._folder = resources_dir() / "sounds"
        self._effects: dict[str, Any] = {}
        self._player = None if not enabled else self._find_player()
        self._children: list[subprocess.Popen[bytes]] = []

    def _find_player(self) -> str | None:
        try:
            from PySide6.QtMultimedia import QSoundEffect  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            pass
        else:
            for name in SOUNDS:
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(self._folder / f"{name}.wav")))
                self._effects[name] = effect
            return "qt"
        if sys.platform == "win32":
            return "winsound"
        for tool in ("paplay", "aplay", "afplay"):
            if shutil.which(tool):
                return tool
        return "beep"

    def path(self, name: str) -> Path:
        return self._folder / f"{name}.wav"

    def play(self, name: str) -> None:
        if name not in SOUNDS:
            name = "attention"
        self.played.emit(name)
        if not self.enabled or self._player is None:
            return
        if self._player == "qt":
            self._effects[name].play()
        elif self._player == "winsound":
            import winsound

            winsound.PlaySound(str(self.path(name)), winsound.SND_FILENAME | winsound.SND_ASYNC)  # type: ignore[attr-defined]
        elif self._player == "beep":
            QApplication.beep()
        else:
            self._children = [c for c in self._children if c.poll() is None]
            if len(self._children) < 4:  # never pile up players if the sound device hangs
                try:
                    self._children.append(
                        subprocess.Popen(
                            [self._player, str(self.path(name))],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                        )
                    )
                except OSError:
                    self._player = "beep"
