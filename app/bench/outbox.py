"""The bench's outbox and its dead letters (part of the bench's local store).

Every event a step produces is written here in the step's own transaction (``BenchStore.record``) as
``pending``. The sync loop pushes pending events oldest first and records the hub's answer per event:
``applied`` or ``duplicate`` (done), or ``rejected`` with the hub's reason. A rejected event is a dead
letter: it is parked, never sent again on its own, so it never blocks the events behind it. A supervisor
sees each dead letter with its reason and either retries it (back to ``pending``, e.g. after the order was
released at the hub) or discards it (``discarded``, kept for the record).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, Engine, Integer, MetaData, String, Table, Text, func, select, update

metadata = MetaData()

outbox = Table(
    "outbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String, nullable=False, unique=True),
    Column("type", String, nullable=False),
    Column("order_number", String, index=True),
    Column("body", Text, nullable=False),
    Column("created_at", String, nullable=False),
    # pending | applied | duplicate | rejected (a dead letter) | discarded (a dead letter a supervisor dropped)
    Column("status", String, nullable=False, default="pending", index=True),
    Column("reason", Text, nullable=False, default=""),
    Column("attempts", Integer, nullable=False, default=0),
)

PENDING = "pending"
REJECTED = "rejected"
DISCARDED = "discarded"


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    event_id: str
    wire: dict[str, Any]


@dataclass(frozen=True)
class DeadLetter:
    """An event the hub refused: what it was, for which order or RMA, and the hub's reason."""

    seq: int
    event_id: str
    type: str
    subject: str
    reason: str
    created_at: datetime
    attempts: int


class OutboxStore:
    """The outbox half of ``BenchStore``: needs the store's ``engine`` and its write transaction ``_tx``."""

    engine: Engine

    def _tx(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    # ------------------------------------------------------------------ pushing
    def outbox_batch(self, limit: int = 100) -> list[OutboxItem]:
        """The oldest events not yet acknowledged by the hub, in the order they were written."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(outbox.c.seq, outbox.c.event_id, outbox.c.body)
                .where(outbox.c.status == PENDING)
                .order_by(outbox.c.seq)
                .limit(limit)
            ).all()
        return [OutboxItem(int(r.seq), str(r.event_id), json.loads(r.body)) for r in rows]

    def outbox_depth(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(outbox).where(outbox.c.status == PENDING)) or 0)

    def outbox_counts(self) -> dict[str, int]:
        """Events per outbox status: pending, applied, duplicate, rejected, discarded."""
        with self.engine.connect() as conn:
            return {
                str(k): int(n) for k, n in conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
            }

    def first_event_at(self) -> datetime | None:
        with self.engine.connect() as conn:
            first = conn.scalar(select(func.min(outbox.c.created_at)))
        return datetime.fromisoformat(first) if first else None

    def outbox_events(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                {**json.loads(r.body), "outbox_status": r.status, "reason": r.reason}
                for r in conn.execute(select(outbox).order_by(outbox.c.seq))
            ]

    def mark_pushed(self, results: Sequence[dict[str, Any]], sent: Sequence[OutboxItem] | None = None) -> int:
        """Record the hub's answer per event (applied, duplicate or rejected with its reason); returns how many
        pending events it settled. With ``sent``, answers are matched to the events by position (the hub
        answers in the order it was sent), so even an event whose id the hub could not read is settled."""
        ids = [item.event_id for item in sent] if sent is not None else [str(r.get("event_id")) for r in results]
        settled = 0
        with self._tx() as conn:
            for event_id, r in zip(ids, results, strict=False):
                status = str(r.get("status"))
                if status not in ("applied", "duplicate", REJECTED):
                    continue
                settled += conn.execute(
                    update(outbox)
                    .where(outbox.c.event_id == event_id, outbox.c.status == PENDING)
                    .values(status=status, reason=str(r.get("reason") or ""), attempts=outbox.c.attempts + 1)
                ).rowcount
        return settled

    def event_acknowledged(self, event_type: str, order_number: str) -> bool:
        """Whether the hub has answered an event of ``event_type`` for ``order_number`` (applied or duplicate)."""
        with self.engine.connect() as conn:
            found = conn.scalar(
                select(outbox.c.seq).where(
                    outbox.c.type == event_type,
                    outbox.c.order_number == order_number,
                    outbox.c.status.in_(("applied", "duplicate")),
                )
            )
        return found is not None

    def event_outcome(self, event_type: str, order_number: str) -> tuple[str | None, str]:
        """(status, reason) of the latest ``event_type`` event for ``order_number``; (None, "") when there is none."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(outbox.c.status, outbox.c.reason)
                .where(outbox.c.type == event_type, outbox.c.order_number == order_number)
                .order_by(outbox.c.seq.desc())
            ).first()
        return (str(row.status), str(row.reason)) if row else (None, "")

    # ------------------------------------------------------------------ dead letters
    def dead_letters(self) -> list[DeadLetter]:
        """Events the hub rejected and nobody has retried or discarded yet, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(outbox).where(outbox.c.status == REJECTED).order_by(outbox.c.seq)).all()
        out = []
        for r in rows:
            body = json.loads(r.body)
            payload = body.get("payload") if isinstance(body, dict) else None
            rma = payload.get("rma_number") if isinstance(payload, dict) else None
            subject = r.order_number or rma or ""
            out.append(
                DeadLetter(
                    int(r.seq),
                    str(r.event_id),
                    str(r.type),
                    str(subject),
                    str(r.reason),
                    datetime.fromisoformat(r.created_at),
                    int(r.attempts),
                )
            )
        return out

    def dead_letter_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(outbox).where(outbox.c.status == REJECTED)) or 0)

    def retry_dead_letter(self, event_id: str) -> bool:
        """Send a rejected event again at the next push (same event id: still applied at most once)."""
        return self._move_dead_letter(event_id, PENDING)

    def discard_dead_letter(self, event_id: str) -> bool:
        """Give up on a rejected event; it stays in the outbox as ``discarded`` for the record."""
        return self._move_dead_letter(event_id, DISCARDED)

    def _move_dead_letter(self, event_id: str, status: str) -> bool:
        with self._tx() as conn:
            moved = conn.execute(
                update(outbox).where(outbox.c.event_id == event_id, outbox.c.status == REJECTED).values(status=status)
            ).rowcount
        return bool(moved)
