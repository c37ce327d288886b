"""The label worker prints outside the engine's input lock: signing out (what the idle timer does on the
GUI thread) returns while the printer has not answered yet, and the label still prints once, for the order
in hand. Synchronised with events, never with clocks."""

from __future__ import annotations

import threading
from pathlib import Path

from app.bench.compose import open_bench
from app.bench.feedback import Feedback
from app.bench.feedback import FeedbackKind as K
from app.demo.embedded_hub import EmbeddedHub
from tests.bench.test_engine_with_hub import pack_all_items, weigh_ok

LIVENESS_S = 60  # only so a broken build fails instead of hanging; nothing here is timed


class HeldPrinter:
    """A printer that does not answer until the test lets it (``answer.set()``)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.answer = threading.Event()
        self.jobs: list[bytes] = []

    def send(self, data: bytes) -> None:
        self.entered.set()
        assert self.answer.wait(LIVENESS_S), "the test never let the printer answer"
        self.jobs.append(data)


def test_sign_out_returns_while_the_printer_has_not_answered_and_the_label_prints_once(
    demo_hub: EmbeddedHub, tmp_path: Path
) -> None:
    printer = HeldPrinter()
    e = open_bench(
        tmp_path, hub_url=demo_hub.url, printer=printer, labels="local-fallback", enrol_code=demo_hub.enrolment_code
    )
    try:
        e.sign_in("PK-1001", "1111")
        e.lease(3)
        number = e.orders_to_pack()[0].number
        pack_all_items(e, number)
        answers: list[Feedback] = []
        packer = threading.Thread(target=lambda: answers.append(weigh_ok(e)))  # type: ignore[arg-type]
        packer.start()
        assert printer.entered.wait(LIVENESS_S)  # the label is in the printer, not yet confirmed

        signed_out = threading.Event()
        threading.Thread(target=lambda: (e.sign_out(), signed_out.set()), daemon=True).start()
        assert signed_out.wait(LIVENESS_S), "sign_out waited for the printer"
        assert not printer.answer.is_set() and printer.jobs == [] and e.operator is None

        printer.answer.set()
        packer.join(LIVENESS_S)
        assert answers and answers[0].kind == K.LABEL_PRINTED, answers
        assert len(printer.jobs) == 1
        assert e.store.label_counts() == {"printed": len(e.pack.parcels)}
        e.sync_now()  # the sync loop's retry finds nothing left to print
        assert len(printer.jobs) == 1
    finally:
        printer.answer.set()
        e.close()
