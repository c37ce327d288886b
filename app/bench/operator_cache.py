"""Offline sign-in: the operators who signed in online at this bench recently, kept in the bench's store.

On each online sign-in the bench keeps an Argon2id verifier of the PIN (a slow salted hash with its own
random salt; never the PIN), with the operator's badge, name, role and the time. While the hub cannot be
reached, ``check`` verifies a PIN against that verifier for up to ``max_age`` after the last online
sign-in. Wrong PINs are throttled here the way the hub throttles them (``LockoutPolicy``, the hub's
numbers): 5 wrong within 5 minutes lock the badge for 5 minutes, each further lockout in a row twice as
long (up to an hour); a quiet day or a right PIN starts the count again. The failures and the lock are
rows in the store, so a restart of the bench does not reset them.

``check`` and ``remember`` run the slow hash: call them off the GUI thread (the sign-in screen does).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, String, Text, delete, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.schema import Table

cache_metadata = MetaData()
verifiers = Table(
    "operator_verifiers",
    cache_metadata,
    Column("badge", String, primary_key=True),
    Column("verifier", Text, nullable=False),  # Argon2id, salted: "$argon2id$v=19$m=…,t=…,p=…$salt$hash"
    Column("name", String, nullable=False),
    Column("role", String, nullable=False),
    Column("screens", Text, nullable=False),  # JSON list
    Column("signed_in_at", String, nullable=False),  # the last online sign-in here (UTC, ISO 8601)
)
failures = Table(
    "offline_sign_in_failures",
    cache_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("badge", String, nullable=False, index=True),
    Column("at", String, nullable=False),
)
locks = Table(
    "offline_sign_in_locks",
    cache_metadata,
    Column("badge", String, primary_key=True),
    Column("locked_until", String),
    Column("lockouts", Integer, nullable=False, default=0),
    Column("last_lockout_at", String),
    Column("counted_from", String),  # failures before this do not count (a right PIN forgave them)
)

NOT_RECENT = "The hub is offline and this badge has not signed in here recently: sign in when the hub is back."


@dataclass(frozen=True)
class LockoutPolicy:
    """The hub's badge throttle (``app.hub.services.signin.SignInPolicy``), applied at the bench."""

    limit: int = 5
    window: timedelta = timedelta(minutes=5)
    lockout: timedelta = timedelta(minutes=5)
    max_lockout: timedelta = timedelta(hours=1)
    forget_after: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class CachedOperator:
    name: str
    badge: str
    role: str
    screens: tuple[str, ...]
    signed_in_at: datetime


class OfflineRefused(Exception):
    """Offline sign-in refused; ``str()`` is what the operator reads."""


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")  # one width: compares as text


def _at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _utcnow() -> datetime:
    return datetime.now(UTC)


class OperatorCache:
    """The verifiers and the local lockout, in tables of the bench's SQLite file (``engine``)."""

    def __init__(
        self,
        engine: Engine,
        *,
        max_age: timedelta = timedelta(hours=12),
        policy: LockoutPolicy | None = None,
        clock: Callable[[], datetime] = _utcnow,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.engine = engine
        self.max_age = max_age
        self.policy = policy or LockoutPolicy()
        self.clock = clock
        self._hasher = hasher or PasswordHasher()
        cache_metadata.create_all(engine)

    # ------------------------------------------------------------------ online
    def remember(self, badge: str, pin: str, *, name: str, role: str, screens: Sequence[str]) -> None:
        """After an online sign-in: keep a new verifier (new salt) and forgive the badge's wrong PINs."""
        if self.max_age <= timedelta(0):
            return
        verifier = self._hasher.hash(pin)
        at = _iso(self.clock())
        row = {"badge": badge, "verifier": verifier, "name": name, "role": role, "screens": json.dumps(list(screens))}
        with self.engine.begin() as conn:
            stmt = sqlite_insert(verifiers).values(**row, signed_in_at=at)
            conn.execute(stmt.on_conflict_do_update(index_elements=["badge"], set_={**row, "signed_in_at": at}))
            self._forgive(conn, badge, at)

    def update_role(self, badge: str, role: str, screens: Sequence[str]) -> None:
        """The hub says this operator's role is now ``role``."""
        with self.engine.begin() as conn:
            conn.execute(
                verifiers.update()
                .where(verifiers.c.badge == badge)
                .values(role=role, screens=json.dumps(list(screens)))
            )

    def forget(self, badge: str) -> None:
        """The operator was revoked or deactivated at the hub: their verifier goes."""
        with self.engine.begin() as conn:
            conn.execute(delete(verifiers).where(verifiers.c.badge == badge))

    def badges(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.scalars(select(verifiers.c.badge).order_by(verifiers.c.badge)))

    # ------------------------------------------------------------------ offline
    def check(self, badge: str, pin: str) -> CachedOperator:
        """The operator for ``badge`` when ``pin`` matches their verifier and it is recent enough;
        otherwise ``OfflineRefused`` with the reason (a wrong PIN counts toward the lockout)."""
        at = self.clock()
        with self.engine.connect() as conn:
            self._refuse_if_locked(conn, badge, at)
            row = conn.execute(select(verifiers).where(verifiers.c.badge == badge)).first()
        if row is None or at - datetime.fromisoformat(row.signed_in_at) > self.max_age:
            if row is not None:
                self.forget(badge)  # too old to trust: gone for good
            raise OfflineRefused(NOT_RECENT)
        right = self._verify(row.verifier, pin)  # no transaction is open during the slow hash
        with self.engine.begin() as conn:
            at = self.clock()
            self._refuse_if_locked(conn, badge, at)
            if right:
                self._forgive(conn, badge, _iso(at))
                return CachedOperator(
                    row.name, row.badge, row.role, tuple(json.loads(row.screens)), _at(row.signed_in_at) or at
                )
            locked = self._fail(conn, badge, at)
        if locked is not None:
            raise OfflineRefused(self._locked_text(badge, locked, at))
        raise OfflineRefused("Badge or PIN not recognised (the hub is offline: checked at this bench).")

    def locked_until(self, badge: str) -> datetime | None:
        with self.engine.connect() as conn:
            until = _at(conn.scalar(select(locks.c.locked_until).where(locks.c.badge == badge)))
        return until if until is not None and until > self.clock() else None

    def _verify(self, verifier: str, pin: str) -> bool:
        try:
            return self._hasher.verify(verifier, pin)
        except (VerificationError, InvalidHashError):
            return False

    @staticmethod
    def _locked_text(badge: str, until: datetime, at: datetime) -> str:
        seconds = max(1, int((until - at).total_seconds() + 0.999))
        return f"Badge {badge} is locked after too many wrong sign-ins; try again in {seconds} s."

    def _refuse_if_locked(self, conn: Connection, badge: str, at: datetime) -> None:
        until = _at(conn.scalar(select(locks.c.locked_until).where(locks.c.badge == badge)))
        if until is not None and until > at:
            raise OfflineRefused(self._locked_text(badge, until, at))

    @staticmethod
    def _forgive(conn: Connection, badge: str, at: str) -> None:
        conn.execute(locks.update().where(locks.c.badge == badge).values(lockouts=0, counted_from=at))

    def _fail(self, conn: Connection, badge: str, at: datetime) -> datetime | None:
        """Count a wrong PIN; the time the badge is now locked until, when this one locked it."""
        p = self.policy
        conn.execute(failures.insert().values(badge=badge, at=_iso(at)))
        conn.execute(sqlite_insert(locks).values(badge=badge, lockouts=0).on_conflict_do_nothing())
        lock = conn.execute(select(locks).where(locks.c.badge == badge)).one()
        since = max(d for d in (at - p.window, _at(lock.locked_until), _at(lock.counted_from)) if d is not None)
        count = conn.scalar(
            select(func.count()).select_from(failures).where(failures.c.badge == badge, failures.c.at > _iso(since))
        )
        conn.execute(delete(failures).where(failures.c.at < _iso(at - p.forget_after)))
        if (count or 0) < p.limit:
            return None
        lockouts = int(lock.lockouts)
        last = _at(lock.last_lockout_at)
        if last is not None and at - last > p.forget_after:
            lockouts = 0
        lockouts += 1
        until: datetime = at + min(p.lockout * 2 ** (lockouts - 1), p.max_lockout)
        conn.execute(
            locks.update()
            .where(locks.c.badge == badge)
            .values(lockouts=lockouts, locked_until=_iso(until), last_lockout_at=_iso(at))
        )
        return until
