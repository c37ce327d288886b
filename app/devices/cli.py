"""``packbench devices list``, ``packbench scale read``, ``packbench print test``.

Exit status: 0 done (a stable or zero weight, a printed label), 2 the scale answered but has no
usable weight (in motion, overload, underload), 1 error (scale silent or unplugged, printer fault).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.devices.errors import DeviceError
from app.devices.weights import ScaleState
from app.printing.layout import Label

SCALE_PROTOCOLS = ("sics", "nci", "cas", "cas-ecr", "hid")


def register(sub: Any) -> None:
    devices: argparse.ArgumentParser = sub.add_parser("devices", help="list scanners, scales and printers")
    dsub = devices.add_subparsers(dest="devices_command", metavar="ACTION")
    lst = dsub.add_parser("list", help="serial ports (VID:PID), OS print queues, USB HID scales")
    lst.set_defaults(func=_devices_list)
    devices.set_defaults(default_func=lambda _a: _help(devices))

    scale: argparse.ArgumentParser = sub.add_parser("scale", help="talk to a scale")
    ssub = scale.add_subparsers(dest="scale_command", metavar="ACTION")
    read = ssub.add_parser("read", help="read one weight and print '<grams> g stable' or the state")
    read.add_argument("--port", required=True, help="serial port (/dev/ttyUSB0, COM3) or, for hid, VID:PID")
    read.add_argument("--protocol", required=True, choices=SCALE_PROTOCOLS)
    read.add_argument("--baud", type=int, default=9600, help="baud rate (default 9600)")
    read.add_argument("--timeout", type=float, default=2.0, help="seconds to wait for the scale (default 2)")
    read.set_defaults(func=_scale_read)
    scale.set_defaults(default_func=lambda _a: _help(scale))

    prn: argparse.ArgumentParser = sub.add_parser("print", help="print to a label or receipt printer")
    psub = prn.add_subparsers(dest="print_command", metavar="ACTION")
    test = psub.add_parser("test", help="print a test label (or a test packing slip on escpos+ printers)")
    test.add_argument(
        "--printer", required=True, help="queue:NAME, tcp://HOST:PORT, file:PATH or escpos+tcp://HOST:PORT"
    )
    test.add_argument("--dpi", type=int, default=203, choices=(203, 300, 600))
    test.add_argument("--size", default="4x6", choices=("4x6", "4x4", "2x1"))
    test.set_defaults(func=_print_test)
    prn.set_defaults(default_func=lambda _a: _help(prn))


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 0


def _devices_list(_args: argparse.Namespace) -> int:
    from serial.tools import list_ports

    from app.devices.printers.queue import list_queues

    print("Serial ports:")
    ports = list(list_ports.comports())
    for p in ports:
        ids = f"{p.vid:04X}:{p.pid:04X}" if p.vid is not None and p.pid is not None else "----:----"
        print(f"  {p.device}  {ids}  {p.description}")
    if not ports:
        print("  (none)")
    print("Print queues:")
    queues = list_queues()
    for q in queues:
        print(f"  queue:{q}")
    if not queues:
        print("  (none)")
    print("USB HID scales:")
    try:
        from app.devices.scales.hid_pos import find_hid_scales

        scales = find_hid_scales()
        for s in scales:
            print(f"  {s['vendor_id']:04X}:{s['product_id']:04X}  {s['maker']}  {s.get('product_string') or ''}")
        if not scales:
            print("  (none)")
    except DeviceError as exc:
        print(f"  (not available: {exc})")
    return 0


def _scale_read(args: argparse.Namespace) -> int:
    from app.devices.scales.base import open_scale

    try:
        scale = open_scale(args.port, args.protocol, baudrate=args.baud, timeout_s=args.timeout)
    except DeviceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        reading = scale.read()
    finally:
        close = getattr(scale, "close", None)
        if close is not None:
            close()
    if reading.is_stable:
        print(reading.describe())
        return 0
    if reading.state in (ScaleState.MOTION, ScaleState.OVERLOAD, ScaleState.UNDERLOAD):
        print(reading.describe())
        return 2
    # describe() already starts with the state ("error: …", "disconnected: …"): no second "error: "
    problem = reading.message if reading.state is ScaleState.ERROR and reading.message else reading.describe()
    print(f"error: {problem}", file=sys.stderr)
    return 1


def test_label(size: str = "4x6", dpi: int = 203) -> Any:
    """The label ``print test`` prints: a frame, text (Latin-1 and ``^XZ`` as text), a Code 128 that keeps
    its quiet zones at ``dpi`` and, where there is room, a QR code."""
    from app.printing.fit import code128_module, code128_modules
    from app.printing.layout import Box, Code128, QRCode, Text, label_size

    ls = label_size(size)
    data = "PB000001"
    if ls.height_mm < 40:
        module = code128_module(data, ls.width_mm - 2, dpi)
        x = (ls.width_mm - len(code128_modules(data)) * module) / 2
        return Label(
            ls, (Text(2, 1.5, "packbench test", height_mm=3), Code128(x, 6, data, height_mm=10, module_mm=module))
        )
    module = code128_module(data, 52, dpi)
    return Label(
        ls,
        (
            Box(2, 2, ls.width_mm - 4, ls.height_mm - 4, line_mm=0.5),
            Text(6, 6, "packbench test label", height_mm=6),
            Text(6, 15, "Grüße · ^XZ stays text", height_mm=4),
            Code128(6 + 10 * module, 24, data, height_mm=15, module_mm=module),
            QRCode(62, 24, "https://packbench.example/test", module_mm=0.75),
        ),
    )


def _print_test(args: argparse.Namespace) -> int:
    uri: str = args.printer
    try:
        if uri.startswith("escpos+"):
            from app.devices.receipts import PackingSlip, SlipLine, print_packing_slip

            slip = PackingSlip("PB000001", ("packbench test",), (SlipLine("TEST-1", "Test item", 1),))
            status = print_packing_slip(uri, slip)
            if status.known:
                print(f"Test packing slip printed on {uri} (printer {status.describe()})")
            else:
                print(f"Test packing slip sent to {uri}; this printer cannot say whether it printed")
            return 0
        from app.devices.printers.uri import open_label_printer
        from app.printing.profile import PrinterProfile
        from app.printing.zpl import render_zpl

        profile = PrinterProfile(dpi=args.dpi, size=args.size)
        zpl = render_zpl(test_label(args.size, args.dpi), profile=profile)
        printer = open_label_printer(uri)
        printer.send(zpl)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except DeviceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Test label printed on {uri}")
    return 0
