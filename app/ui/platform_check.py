"""Say what to install when Qt's xcb platform plugin cannot load, instead of Qt's bare abort."""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping

# Libraries Qt 6's xcb plugin needs that fresh Linux desktops often lack, with Debian/Ubuntu packages.
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-shape": "libxcb-shape0",
    "xcb-xkb": "libxcb-xkb1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-image": "libxcb-image0",
    "EGL": "libegl1",
    "fontconfig": "libfontconfig1",
}


def wants_xcb(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return False
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.startswith("xcb")
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def missing_xcb_packages(find: object = ctypes.util.find_library) -> list[str]:
    finder = find if callable(find) else ctypes.util.find_library
    return [pkg for lib, pkg in XCB_LIBRARIES.items() if not finder(lib)]


def advice(missing: list[str]) -> str:
    return (
        "packbench cannot open its window: Qt's xcb platform plugin needs system libraries that are "
        f"missing here: {', '.join(missing)}.\nInstall them, e.g. on Debian/Ubuntu:\n"
        f"  sudo apt-get install {' '.join(missing)}\n"
        "or run without a screen: packbench demo --headless"
    )


def x_display_answers(display: str) -> bool:
    """True when an X server answers at ``display`` (asked through libxcb, which Qt's xcb plugin uses)."""
    name = ctypes.util.find_library("xcb")
    if not name:
        return True  # cannot ask: let Qt try (the missing libraries are reported first anyway)
    xcb = ctypes.CDLL(name)
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    conn = xcb.xcb_connect(display.encode(), None)
    try:
        return bool(conn) and xcb.xcb_connection_has_error(conn) == 0
    finally:
        if conn:
            xcb.xcb_disconnect(conn)


def stale_display_advice(display: str) -> str:
    return (
        f"packbench cannot open its window: no X server answers on DISPLAY={display} (left over from another "
        "session?). Start packbench from the desktop session, set DISPLAY to the running X server, or run "
        "without a screen: packbench demo --headless"
    )


def check_or_explain(
    environ: Mapping[str, str] | None = None, display_answers: Callable[[str], bool] = x_display_answers
) -> str | None:
    """None when Qt can be started; otherwise the message to print."""
    env = os.environ if environ is None else environ
    if sys.platform.startswith("linux") and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        if not env.get("QT_QPA_PLATFORM"):
            return (
                "packbench found no display (DISPLAY and WAYLAND_DISPLAY are unset). Start it from a desktop "
                "session, or run without a screen: packbench demo --headless"
            )
    if wants_xcb(env):
        missing = missing_xcb_packages()
        if missing:
            return advice(missing)
        display = env.get("DISPLAY", "")
        if display and not display_answers(display):
            return stale_display_advice(display)
    return None
