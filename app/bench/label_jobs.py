"""Label jobs in the bench's local store: one row per parcel packed, ``pending`` until its label printed.

A row is written with the ``order_packed`` event that packed the parcel (``BenchStore.record``), turns
``printed`` with its ``label_printed`` event, and ``void`` when the hub stopped the order before its label.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Engine, Integer, String, Table, Text, func, select, update

from app.bench.outbox import metadata

labels = Table(
    "labels",
    metadata,
    Column("order_number", String, primary_key=True),
    Column("parcel_no", Integer, primary_key=True),
    # pending | printed | void
    Column("status", String, nullable=False, default="pending"),
    Column("parcel", Text, nullable=False),
    Column("carrier", String),
    Column("tracking_number", String),
)


@dataclass(frozen=True)
class LabelJob:
    order_number: str
    parcel_no: int
    parcel: dict[str, Any]


class LabelJobStore:
    """The label-job part of ``BenchStore`` (which provides ``engine`` and ``_tx``)."""

    engine: Engine

    def _tx(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def pending_labels(self, order_number: str | None = None) -> list[LabelJob]:
        q = select(labels).where(labels.c.status == "pending").order_by(labels.c.order_number, labels.c.parcel_no)
        if order_number is not None:
            q = q.where(labels.c.order_number == order_number)
        with self.engine.connect() as conn:
            return [LabelJob(r.order_number, int(r.parcel_no), json.loads(r.parcel)) for r in conn.execute(q)]

    def label_status(self, order_number: str, parcel_no: int) -> str | None:
        with self.engine.connect() as conn:
            return conn.scalar(
                select(labels.c.status).where(labels.c.order_number == order_number, labels.c.parcel_no == parcel_no)
            )

    def void_label(self, order_number: str, parcel_no: int) -> None:
        with self._tx() as conn:
            conn.execute(
                update(labels)
                .where(
                    labels.c.order_number == order_number, labels.c.parcel_no == parcel_no, labels.c.status == "pending"
                )
                .values(status="void")
            )

    def label_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                str(k): int(n) for k, n in conn.execute(select(labels.c.status, func.count()).group_by(labels.c.status))
            }
