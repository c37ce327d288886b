"""Label printers: the ``LabelPrinter`` contract, transports (TCP 9100, OS queue, file) and a print spool."""

from app.devices.printers.base import LabelPrinter
from app.devices.printers.file import FileLabelPrinter
from app.devices.printers.queue import QueueLabelPrinter
from app.devices.printers.spool import JobState, PrintJob, PrintSpool
from app.devices.printers.status import PrinterStatus, parse_host_status
from app.devices.printers.tcp import TcpLabelPrinter
from app.devices.printers.uri import open_label_printer

__all__ = [
    "FileLabelPrinter",
    "JobState",
    "LabelPrinter",
    "PrintJob",
    "PrintSpool",
    "PrinterStatus",
    "QueueLabelPrinter",
    "TcpLabelPrinter",
    "open_label_printer",
    "parse_host_status",
]
