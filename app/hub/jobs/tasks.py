"""The hub's jobs: what each does and when (``specs``).

- ``pull:<channel>``: incremental order pull, ``updated_since`` the cursor kept per channel.
- ``stock-push:<channel>``: sellable stock to the storefront, sent only when it changed since the
  last push (the period is the debounce window: changes within it go out as one batch).
- ``channel-outbox``: fulfilments and deliveries the channels have not yet taken, with back-off.
- ``tracking-poll``: asks carriers without webhooks about shipped, undelivered parcels.
- ``lease-sweep``: expired leases return their orders to the queue on time.
- ``manifest``: the end-of-day manifest per location and carrier at the configured time.
- ``split-wait``: orders waiting for stock under an ``after_days`` split policy are routed again
  (one location has it all now, or their days are up and they ship in parts).
- ``capacity-rollover``: after midnight, orders held because a location's daily capacity was
  reached are routed again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app.domain.orders import OrderStatus
from app.domain.splits import WAITING_FOR_STOCK
from app.hub import models as m
from app.hub.database import unit_of_work
from app.hub.jobs import outbox
from app.hub.jobs.runner import JobSpec, every
from app.hub.services import channel_sync, manifests, pipeline, shipping
from app.hub.services.clock import now
from app.hub.services.errors import HubError
from app.hub.sync_models import ChannelState


@dataclass(frozen=True)
class JobSettings:
    pull_s: float = 120.0
    stock_s: float = 60.0
    outbox_s: float = 15.0
    tracking_s: float = 1800.0
    lease_sweep_s: float = 30.0
    split_wait_s: float = 3600.0
    manifest_at: str = "18:00"
    timezone: str = "UTC"
    outbox_backoff: outbox.Backoff = field(default_factory=outbox.Backoff)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, period_s: float | None = None) -> JobSettings:
        """``PACKBENCH_MANIFEST_AT`` (HH:MM), ``PACKBENCH_JOBS_TZ`` (IANA zone); ``period_s`` (the
        worker's ``--period``) sets every interval job's period at once."""
        env = os.environ if env is None else env
        base = cls(manifest_at=env.get("PACKBENCH_MANIFEST_AT", "18:00"), timezone=env.get("PACKBENCH_JOBS_TZ", "UTC"))
        if period_s is None:
            return base
        return cls(
            pull_s=period_s,
            stock_s=period_s,
            outbox_s=period_s,
            tracking_s=period_s,
            lease_sweep_s=period_s,
            split_wait_s=period_s,
            manifest_at=base.manifest_at,
            timezone=base.timezone,
            outbox_backoff=outbox.Backoff(base_s=period_s, cap_s=60 * period_s),
        )


def _state(session: Session, channel: str) -> ChannelState:
    row = session.get(ChannelState, channel, with_for_update=True)
    if row is None:
        row = ChannelState(channel=channel, stock_digest="")
        session.add(row)
        session.flush()
    return row


def pull(factory: sessionmaker[Session], cfg: shipping.ShippingConfig, channel: str) -> str:
    with unit_of_work(factory) as session:
        since = _state(session, channel).updated_since
    cursor: list[datetime] = []
    counts = channel_sync.pull_orders(
        factory, cfg.channels[channel], cfg.order_rules, updated_since=since, cursor=cursor
    )
    with unit_of_work(factory) as session:
        state = _state(session, channel)
        state.pulled_at = now()
        if cursor:
            state.updated_since = cursor[0]
    shown = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    return f"since {since.isoformat() if since else 'the beginning'}: {shown or 'nothing new'}"


def push_stock(factory: sessionmaker[Session], cfg: shipping.ShippingConfig, channel: str) -> str:
    with unit_of_work(factory) as session:
        levels = channel_sync.available_by_sku(session)
        last = _state(session, channel).stock_digest
    digest = hashlib.sha256(json.dumps(sorted(levels.items())).encode()).hexdigest()
    if digest == last:
        return "stock unchanged: nothing sent"
    publisher = cfg.channels[channel]
    publisher.push_available(levels)  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        state = _state(session, channel)
        state.stock_digest, state.stock_pushed_at = digest, now()
    return f"{len(levels)} SKUs sent"


def sweep_leases(factory: sessionmaker[Session]) -> str:
    """Orders whose lease expired go back to the queue (a renewal after this finds them lost)."""
    at = now()
    with unit_of_work(factory) as session:
        ids = list(
            session.scalars(
                select(m.Order.id)
                .where(m.Order.status == OrderStatus.LEASED.value, m.Order.lease_expires_at < at)
                .with_for_update(skip_locked=True)
            )
        )
        if ids:
            session.execute(
                update(m.Order)
                .where(m.Order.id.in_(ids))
                .values(status=OrderStatus.QUEUED.value, lease_id=None, lease_expires_at=None, updated_at=at)
            )
            session.add_all(
                m.OrderStatusChange(order_id=i, status=OrderStatus.QUEUED.value, note="lease expired", at=at)
                for i in ids
            )
    return f"{len(ids)} orders back in the queue"


def close_days(factory: sessionmaker[Session], cfg: shipping.ShippingConfig) -> str:
    """One manifest per location and carrier."""
    done = []
    for carrier in cfg.carriers:
        try:
            answers = manifests.close_day(factory, cfg, carrier.name)
        except HubError as exc:
            done.append(f"{carrier.name}: {exc.message}")
            continue
        done += [
            f"{carrier.name} at {a.location}: manifest {a.manifest_id} ({len(a.tracking_numbers)} parcels)"
            for a in answers
        ]
    return "; ".join(done) or "no carrier configured"


def _route_held(factory: sessionmaker[Session], cfg: shipping.ShippingConfig, reason_like: str) -> list[m.Order]:
    """Orders held before they reached a queue, for a reason like ``reason_like``, routed again."""
    with unit_of_work(factory) as session:
        held = list(
            session.scalars(
                select(m.Order).where(
                    m.Order.status == OrderStatus.ON_HOLD.value,
                    m.Order.status_before_hold.in_((OrderStatus.RECEIVED.value, OrderStatus.VALIDATED.value)),
                    m.Order.hold_reason.like(reason_like),
                )
            )
        )
        for row in held:
            pipeline.release(session, row, cfg.order_rules)
    return held


def roll_capacity(factory: sessionmaker[Session], cfg: shipping.ShippingConfig) -> str:
    held = _route_held(factory, cfg, "%daily capacity%")
    routed = sum(row.status == OrderStatus.QUEUED.value for row in held)
    return f"{routed} of {len(held)} orders held for capacity routed"


def route_waiting(factory: sessionmaker[Session], cfg: shipping.ShippingConfig) -> str:
    """Orders held waiting for stock (``after_days`` split policy) are routed again: to one location
    when one has every unit now, in parts once their days are up, else held as they were."""
    held = _route_held(factory, cfg, f"{WAITING_FOR_STOCK}%")
    moved = sum(row.status != OrderStatus.ON_HOLD.value for row in held)
    return f"{moved} of {len(held)} orders waiting for stock routed"


def _bind(
    func: Callable[[sessionmaker[Session], shipping.ShippingConfig, str], str],
    factory: sessionmaker[Session],
    cfg: shipping.ShippingConfig,
    channel: str,
) -> Callable[[], str]:
    return lambda: func(factory, cfg, channel)


def specs(
    factory: sessionmaker[Session], cfg: shipping.ShippingConfig, settings: JobSettings | None = None
) -> list[JobSpec]:
    st = settings or JobSettings()
    zone = ZoneInfo(st.timezone)
    hour, minute = (int(x) for x in st.manifest_at.split(":"))
    out = []
    for name, client in sorted(cfg.channels.items()):
        if hasattr(client, "pull_orders"):
            job = _bind(pull, factory, cfg, name)
            out.append(JobSpec(f"pull:{name}", every(st.pull_s), f"every {st.pull_s:g} s", job))
        if hasattr(client, "push_available"):
            schedule = f"every {st.stock_s:g} s, when stock changed"
            out.append(
                JobSpec(f"stock-push:{name}", every(st.stock_s), schedule, _bind(push_stock, factory, cfg, name))
            )

    def send_outbox() -> str:
        counts = outbox.deliver(factory, cfg.channels, backoff=st.outbox_backoff)
        return f"{counts['sent']} sent, {counts['failed']} to retry"

    def poll() -> str:
        return f"{len(shipping.poll_tracking(factory, cfg))} tracking changes"

    out += [
        JobSpec("channel-outbox", every(st.outbox_s), f"every {st.outbox_s:g} s", send_outbox),
        JobSpec("tracking-poll", every(st.tracking_s), f"every {st.tracking_s:g} s", poll),
        JobSpec("lease-sweep", every(st.lease_sweep_s), f"every {st.lease_sweep_s:g} s", lambda: sweep_leases(factory)),
        JobSpec(
            "split-wait",
            every(st.split_wait_s),
            f"every {st.split_wait_s:g} s",
            lambda: route_waiting(factory, cfg),
        ),
        JobSpec(
            "manifest",
            CronTrigger(hour=hour, minute=minute, timezone=zone),
            f"daily at {st.manifest_at} {st.timezone}",
            lambda: close_days(factory, cfg),
        ),
        JobSpec(
            "capacity-rollover",
            CronTrigger(hour=0, minute=0, timezone=zone),
            f"daily at 00:00 {st.timezone}",
            lambda: roll_capacity(factory, cfg),
        ),
    ]
    return out
