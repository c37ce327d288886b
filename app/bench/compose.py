"""The composition root: one function builds a bench, with everything it uses, from the bench's settings.

    bench = build_bench(settings, data_dir)             # the bench window, from settings.json
    bench = build_bench(settings, data_dir, printer=p, labels="auto", enrol_code=code)   # demo, tests

It builds the store, the hub client, the label source, the label and slip printers, the scale, the
offline sign-in cache (``offline_sign_in_hours``) and the session guard, the station, the sync loop, the
controllers, the label worker and the engine once, hands each its parts, and runs crash recovery as an
explicit last step. The settings are read here and nowhere else in the bench;
every process (bench window, demo, self-test, screenshots, headless shift) builds its bench with it.

Devices come from the settings unless the caller hands them in (``printer=None`` means no label printer,
leaving it out means the settings' one). ``labels`` is a label source, or ``"hub"`` (the hub's carrier
path, the default), ``"local-fallback"`` (a bench-made label: demo and test hubs without carriers), or
``"auto"`` (the hub's when it offers a label service, else the fallback).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from app.bench.engine import BenchEngine
from app.bench.hub_client import HubClient
from app.bench.labelling import LabelWorker
from app.bench.labels import HubLabels, LabelSource, LocalFallbackLabels
from app.bench.operator_cache import OperatorCache
from app.bench.pack_controller import PackController
from app.bench.packing import PackSession, WeightTolerance
from app.bench.pick_controller import PickController
from app.bench.receiving import ReturnSession
from app.bench.returns_controller import ReturnsController
from app.bench.session_guard import SessionGuard
from app.bench.settings import BenchSettings
from app.bench.slips import SlipQueue
from app.bench.station import Station
from app.bench.store import BenchStore
from app.bench.sync import Backoff, Syncer, SyncStatus
from app.devices.errors import DeviceError
from app.devices.printers.base import LabelPrinter
from app.devices.receipts import PackingSlip
from app.devices.weights import WeightReading

LabelChoice = LabelSource | Literal["hub", "local-fallback", "auto"]


class _FromSettings:
    """Marker: the device named in the settings."""


FROM_SETTINGS: Any = _FromSettings()


@dataclass
class Bench:
    """One built bench: the engine and the parts it was built from (the UI gets the devices from here)."""

    engine: BenchEngine
    settings: BenchSettings
    client: HubClient
    labels: LabelSource
    label_source: str  # "hub" or LocalFallbackLabels.CARRIER
    printer: LabelPrinter | None
    scale: Any | None  # a Scale (``read() -> WeightReading``), or None without one
    printer_probe: Callable[[], tuple[str, bool]] | None

    @property
    def store(self) -> BenchStore:
        """The bench's store (for tests and reports; the UI reads through the engine)."""
        return self.engine.store

    @property
    def scale_read(self) -> Callable[[], WeightReading] | None:
        return self.scale.read if self.scale is not None else None

    def close(self) -> None:
        self.engine.close()
        close = getattr(self.scale, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                close()


def build_bench(
    settings: BenchSettings | None,
    data_dir: Path,
    *,
    client: HubClient | None = None,
    labels: LabelChoice = "hub",
    printer: LabelPrinter | None = FROM_SETTINGS,
    slip_printer: Callable[[PackingSlip], None] | None = FROM_SETTINGS,
    scale: Any | None = FROM_SETTINGS,
    enrol_code: str | None = None,
    lease_batch: int = 20,
    lease_seconds: int = 1800,
    keep_queued: int = 0,
    sync_interval_s: float = 2.0,
    backoff: Backoff | None = None,
    restock_bin: str = "RETURNS",
    label_recheck_s: float = 0.0,
) -> Bench:
    """The bench in ``data_dir``. ``settings=None``: the hub address the data folder remembers, default
    settings otherwise, and no devices unless handed in. ``enrol_code`` enrols a bench not enrolled yet."""
    data_dir = Path(data_dir)
    store = BenchStore(data_dir / "bench.sqlite")
    try:
        return _build(
            settings,
            store,
            client=client,
            labels=labels,
            printer=printer,
            slip_printer=slip_printer,
            scale=scale,
            enrol_code=enrol_code,
            syncer_options={
                "lease_batch": lease_batch,
                "lease_seconds": lease_seconds,
                "keep_queued": keep_queued,
                "interval_s": sync_interval_s,
                "backoff": backoff,
            },
            restock_bin=restock_bin,
            label_recheck_s=label_recheck_s,
        )
    except BaseException:
        store.close()
        raise


def _build(
    settings: BenchSettings | None,
    store: BenchStore,
    *,
    client: HubClient | None,
    labels: LabelChoice,
    printer: LabelPrinter | None,
    slip_printer: Callable[[PackingSlip], None] | None,
    scale: Any | None,
    enrol_code: str | None,
    syncer_options: dict[str, Any],
    restock_bin: str,
    label_recheck_s: float,
) -> Bench:
    known_url = store.get_meta("hub_url")
    if settings is None:
        settings = BenchSettings(hub_url=known_url) if known_url else BenchSettings()
        printer = None if printer is FROM_SETTINGS else printer
        slip_printer = None if slip_printer is FROM_SETTINGS else slip_printer
        scale = None if scale is FROM_SETTINGS else scale
        if client is None and not known_url:
            raise ValueError("the first start needs the hub's address (hub_url)")
    if settings.hub_url != known_url:
        store.set_meta("hub_url", settings.hub_url)
    client = client or HubClient(settings.hub_url)
    status = SyncStatus()
    holder: list[BenchEngine] = []  # the engine, once built (the guard and the label worker ask it)
    cache = OperatorCache(store.engine, max_age=timedelta(hours=settings.offline_sign_in_hours))
    guard = SessionGuard(
        client,
        cache,
        status,
        current=lambda: (holder[0]._operator_badge() or None) if holder else None,
        apply=lambda standing: holder[0].apply_standing(standing) if holder else None,
    )
    station = Station(store, client, cache, guard)
    if enrol_code and not station.enrolled:
        station.enrol(enrol_code)
    profile = settings.printer_profile()
    source, source_name = _label_source(labels, client, station, profile)
    if printer is FROM_SETTINGS:
        printer = _open_printer(settings)
    if slip_printer is FROM_SETTINGS:
        slip_printer = _slip_printer(settings)
    if scale is FROM_SETTINGS:
        scale = _open_scale(settings)

    syncer = Syncer(store, client, status, **syncer_options)
    pack_session = PackSession(
        store,
        tolerance=WeightTolerance(settings.weight_tolerance_pct, settings.weight_tolerance_min_g),
        is_supervisor=station.is_supervisor,
    )
    pick = PickController(
        store,
        client,
        syncer.kick,
        badge=lambda: holder[0]._operator_badge() if holder else "",
        lease_seconds=syncer_options["lease_seconds"],
        verification=settings.pack_verification,
    )
    pack = PackController(store, pack_session, syncer.kick, pick=pick)
    returns = ReturnsController(store, ReturnSession(station.location or "", restock_bin=restock_bin), syncer.kick)
    labeller = LabelWorker(
        store,
        syncer,
        source,
        printer,
        status,
        label_recheck_s=label_recheck_s,
        in_hand=lambda number: pack.labelling() == number,
        operator_badge=lambda: holder[0]._operator_badge() if holder else "",
    )
    syncer.after_cycle = lambda: _after_sync(labeller, pick)
    engine = BenchEngine(
        store=store,
        client=client,
        station=station,
        syncer=syncer,
        pack=pack,
        returns=returns,
        pick=pick,
        labeller=labeller,
        slips=SlipQueue(slip_printer, status),
        guard=guard,
    )
    holder.append(engine)
    engine.recover()  # crash recovery: the sessions in hand resume where they were
    probe = printer_probe(printer) if printer is not None else None
    return Bench(engine, settings, client, source, source_name, printer, scale, probe)


def _after_sync(labeller: LabelWorker, pick: PickController) -> None:
    """After each sync round (the sync thread): labels left pending print, the pick batch's lease is kept."""
    labeller.retry_pending()
    pick.renew_if_due()


def _label_source(choice: LabelChoice, client: HubClient, station: Station, profile: Any) -> tuple[LabelSource, str]:
    if not isinstance(choice, str):
        name = LocalFallbackLabels.CARRIER if isinstance(choice, LocalFallbackLabels) else "hub"
        return choice, name
    if choice == "auto":
        choice = "hub" if client.has_label_service() else "local-fallback"
    if choice == "local-fallback":
        return LocalFallbackLabels(station.name or "BENCH", profile), LocalFallbackLabels.CARRIER
    return HubLabels(client, profile), "hub"


def _open_printer(settings: BenchSettings) -> LabelPrinter | None:
    if not settings.label_printer:
        return None
    from app.devices.printers.uri import open_label_printer

    return open_label_printer(settings.label_printer)


def _slip_printer(settings: BenchSettings) -> Callable[[PackingSlip], None] | None:
    if not settings.slip_printer:
        return None
    from app.devices.receipts import print_packing_slip

    uri = settings.slip_printer

    def print_slip(slip: PackingSlip) -> None:
        print_packing_slip(uri, slip)

    return print_slip


def _open_scale(settings: BenchSettings) -> Any | None:
    if not settings.scale_port:
        return None
    from app.devices.scales.base import open_scale

    return open_scale(settings.scale_port, settings.scale_protocol, baudrate=settings.scale_baud)


def printer_probe(printer: LabelPrinter) -> Callable[[], tuple[str, bool]]:
    """The status bar's printer check: (text, ready). Printers that cannot tell say so."""
    from app.devices.printers.tcp import TcpLabelPrinter

    if not isinstance(printer, TcpLabelPrinter):
        return lambda: ("ready (no status from this printer)", True)
    tcp = printer

    def probe() -> tuple[str, bool]:
        try:
            st = tcp.status()
        except DeviceError as exc:
            return str(exc), False
        return ("ready", True) if not st.faults else ("; ".join(st.faults), False)

    return probe


def enrolled_bench(
    hub_url: str,
    data_dir: Path,
    enrol_code: str,
    *,
    printer: LabelPrinter | None,
    labels: LabelChoice = "auto",
    **options: Any,
) -> Bench:
    """A bench at ``hub_url`` enrolled with ``enrol_code``, with only the label ``printer`` as a device
    unless ``scale=`` or ``slip_printer=`` are given (the demo, the self-test, benchmarks and tests)."""
    options.setdefault("slip_printer", None)
    options.setdefault("scale", None)
    settings = options.pop("settings", None) or BenchSettings(hub_url=hub_url)
    return build_bench(settings, data_dir, printer=printer, labels=labels, enrol_code=enrol_code, **options)


def open_bench(
    data_dir: Path,
    *,
    hub_url: str | None = None,
    settings: BenchSettings | None = None,
    printer: LabelPrinter | None = None,
    tolerance: WeightTolerance | None = None,
    **options: Any,
) -> BenchEngine:
    """Shorthand for scripts and tests: the engine of ``build_bench`` with no devices but ``printer``
    (``hub_url=None``: the address the data folder remembers; ``settings`` wins over both)."""
    if settings is None and (hub_url is not None or tolerance is not None):
        settings = BenchSettings(hub_url=hub_url or _remembered_url(data_dir))
        if tolerance is not None:
            settings.weight_tolerance_pct, settings.weight_tolerance_min_g = tolerance.pct, tolerance.min_g
    options.setdefault("slip_printer", None)
    return build_bench(settings, data_dir, printer=printer, scale=None, **options).engine


def _remembered_url(data_dir: Path) -> str:
    store = BenchStore(Path(data_dir) / "bench.sqlite")
    try:
        url = store.get_meta("hub_url")
    finally:
        store.close()
    if not url:
        raise ValueError("the first start needs the hub's address (hub_url)")
    return url
