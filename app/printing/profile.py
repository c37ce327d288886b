"""A printer profile: what one label printer is loaded with and speaks. Every label path renders for one.

The bench owns its profile (from its settings) and sends it with every label request
(``PrinterProfile.to_json``); the hub renders its own labels for it, or rescales a carrier's ZPL to it,
and refuses a label that cannot fit the media.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.printing.layout import DOTS_PER_MM, LABEL_SIZES, LabelSize, label_dots, label_size

LANGUAGES = ("zpl", "epl")
MEDIA = ("direct", "transfer")
#: a printer font name as ZPL II writes it: ``<device>:<name>.<ext>`` (E: flash, R: RAM, B: card, Z: resident)
FONT_PATTERN = r"^([ABERZ]:[A-Za-z0-9_\-]{1,16}\.(TTF|TTE|FNT|ttf|tte|fnt))?$"
_FONT_RE = re.compile(FONT_PATTERN)


class ProfileError(ValueError):
    """A printer profile that cannot be used; the message says which setting to fix."""


@dataclass(frozen=True, slots=True)
class PrinterProfile:
    """``dpi`` 203/300/600 (8/12/24 dots per mm), ``size`` 4x6/4x4/2x1, ``darkness`` 0-30 (``~SD``),
    ``speed_ips`` 2-14 inches per second (``^PR``), ``media`` direct thermal or transfer (``^MT``),
    ``language`` zpl or epl, ``unicode_font`` the printer's TrueType font for text beyond Latin (e.g.
    ``E:NOTOSANS.TTF`` downloaded to the printer; empty when it has none)."""

    dpi: int = 203
    size: str = "4x6"
    darkness: int = 15
    speed_ips: int = 4
    media: str = "direct"
    language: str = "zpl"
    unicode_font: str = ""

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ProfileError("printer profile: " + "; ".join(problems))

    def problems(self) -> list[str]:
        out = []
        if self.dpi not in DOTS_PER_MM:
            out.append(f"resolution must be one of {', '.join(map(str, DOTS_PER_MM))} dpi, not {self.dpi}")
        if self.size not in LABEL_SIZES:
            out.append(f"label size must be one of {', '.join(LABEL_SIZES)}, not {self.size!r}")
        if not 0 <= self.darkness <= 30:
            out.append(f"darkness must be 0..30, not {self.darkness}")
        if not 2 <= self.speed_ips <= 14:
            out.append(f"speed must be 2..14 inches per second, not {self.speed_ips}")
        if self.media not in MEDIA:
            out.append(f"media must be one of {', '.join(MEDIA)}, not {self.media!r}")
        if self.language not in LANGUAGES:
            out.append(f"printer language must be one of {', '.join(LANGUAGES)}, not {self.language!r}")
        if self.unicode_font and not _FONT_RE.match(self.unicode_font):
            out.append(f"Unicode font must be a printer font name such as E:NOTOSANS.TTF, not {self.unicode_font!r}")
        return out

    @property
    def dots_per_mm(self) -> int:
        return DOTS_PER_MM[self.dpi]

    @property
    def label(self) -> LabelSize:
        return label_size(self.size)

    @property
    def width_dots(self) -> int:
        return label_dots(self.label, self.dpi)[0]

    @property
    def height_dots(self) -> int:
        return label_dots(self.label, self.dpi)[1]

    def describe(self) -> str:
        """``"4x6 at 300 dpi (12 dots/mm)"``."""
        return f"{self.size} at {self.dpi} dpi ({self.dots_per_mm} dots/mm)"

    def to_json(self) -> dict[str, Any]:
        return {
            "dpi": self.dpi,
            "size": self.size,
            "darkness": self.darkness,
            "speed_ips": self.speed_ips,
            "media": self.media,
            "language": self.language,
            "unicode_font": self.unicode_font,
        }

    @classmethod
    def from_json(cls, data: Any) -> PrinterProfile:
        """A profile from ``to_json`` output. Raises ProfileError for anything else."""
        if not isinstance(data, dict):
            raise ProfileError("printer profile must be an object")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ProfileError(f"printer profile has unknown settings: {', '.join(sorted(unknown))}")
        for key in ("dpi", "darkness", "speed_ips"):
            if key in data and (not isinstance(data[key], int) or isinstance(data[key], bool)):
                raise ProfileError(f"printer profile {key} must be a whole number")
        for key in ("size", "media", "language", "unicode_font"):
            if key in data and not isinstance(data[key], str):
                raise ProfileError(f"printer profile {key} must be text")
        return cls(**data)


DEFAULT_PROFILE = PrinterProfile()
