"""A bench's own settings, saved as JSON in its data folder (one file per bench)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

SCALE_PROTOCOLS = ("sics", "nci", "cas", "cas-ecr", "hid", "simulated")
LABEL_SIZES = ("4x6", "4x4", "2x1")
PRINTER_DPIS = (203, 300, 600)
# What the packer still scans of a picked tote: every unit again, or one of each line (the pick is trusted).
PACK_VERIFICATIONS = ("every_unit", "one_of_each")


@dataclass
class BenchSettings:
    """What an admin sets up once per bench. Units: grams, percent, dots per inch, minutes."""

    hub_url: str = "http://127.0.0.1:8765"
    scale_port: str = ""
    scale_protocol: str = "sics"
    scale_baud: int = 9600
    label_printer: str = ""  # tcp://HOST:9100, queue:NAME, file:PATH
    slip_printer: str = ""  # escpos+tcp://HOST:9100, file:PATH, or empty for none
    printer_dpi: int = 203
    label_size: str = "4x6"
    weight_tolerance_pct: float = 5.0
    weight_tolerance_min_g: int = 20
    idle_sign_out_minutes: int = 10
    offline_sign_in_hours: int = 12  # an operator who signed in online here this recently may sign in offline
    ui_scale: float = 1.0
    sounds: bool = True
    pack_verification: str = "every_unit"
    extra: dict[str, Any] = field(default_factory=dict)

    def printer_profile(self) -> Any:
        """The label printer's profile (``app.printing.profile.PrinterProfile``) every label is made for;
        ``extra["printer_unicode_font"]`` names the printer's TrueType font for non-Latin text."""
        from app.printing.profile import PrinterProfile

        font = str(self.extra.get("printer_unicode_font", "") or "")
        return PrinterProfile(dpi=self.printer_dpi, size=self.label_size, unicode_font=font)

    def problems(self) -> list[str]:
        """What is wrong with these settings, in words an admin can act on (empty when fine)."""
        out = []
        if not self.hub_url.startswith(("http://", "https://")):
            out.append("hub address must start with http:// or https://")
        if self.scale_protocol not in SCALE_PROTOCOLS:
            out.append(f"scale protocol must be one of {', '.join(SCALE_PROTOCOLS)}")
        if self.printer_dpi not in PRINTER_DPIS:
            out.append(f"printer dpi must be one of {', '.join(map(str, PRINTER_DPIS))}")
        if self.label_size not in LABEL_SIZES:
            out.append(f"label size must be one of {', '.join(LABEL_SIZES)}")
        if not 0 <= self.weight_tolerance_pct <= 50:
            out.append("weight tolerance must be between 0 and 50 %")
        if not 0 <= self.weight_tolerance_min_g <= 5000:
            out.append("minimum weight tolerance must be between 0 and 5000 g")
        if not 1 <= self.idle_sign_out_minutes <= 480:
            out.append("idle sign-out must be between 1 and 480 minutes")
        if not 0 <= self.offline_sign_in_hours <= 72:
            out.append("offline sign-in must be between 0 (off) and 72 hours")
        if not 0.75 <= self.ui_scale <= 2.5:
            out.append("text size must be between 75 % and 250 %")
        if self.pack_verification not in PACK_VERIFICATIONS:
            out.append(f"pack verification must be one of {', '.join(PACK_VERIFICATIONS)}")
        return out

    @classmethod
    def load(cls, path: Path) -> BenchSettings:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def save(self, path: Path) -> None:
        """Write atomically (a power cut leaves the old file or the new one, never half of one)."""
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(self), fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
