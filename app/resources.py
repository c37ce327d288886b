"""Where the shipped resources (sounds, label templates, icons, demo data) live.

In a source checkout or an editable install they are in ``resources/`` beside ``app/``; in a
PyInstaller build they are unpacked under ``sys._MEIPASS/resources``.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"packbench resource missing: {path}")
    return path
