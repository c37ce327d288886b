"""Render packaging/icons/packbench.svg to the PNG sizes a desktop wants and a Windows .ico.

Run from the repository root: ``python packaging/make_icons.py``. Needs PySide6 (QtSvg) and Pillow,
both already installed with packbench. The outputs are committed, so a build does not need this.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(size: int) -> bytes:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(HERE / "packbench.svg"))
    if not renderer.isValid():
        raise SystemExit("packbench.svg is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"icon-{size}.png"
        if not image.save(str(path)):
            raise SystemExit(f"could not write {path}")
        return path.read_bytes()


def main() -> int:
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication(sys.argv[:1])
    pngs = {size: render(size) for size in SIZES}
    (HERE / "packbench-256.png").write_bytes(pngs[256])
    (HERE / "packbench-48.png").write_bytes(pngs[48])
    biggest = Image.open(io.BytesIO(pngs[256]))
    biggest.save(HERE / "packbench.ico", sizes=[(s, s) for s in SIZES])
    print(f"wrote {', '.join(p.name for p in sorted(HERE.iterdir()))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
