"""The bench's offline sign-in cache: a salted slow-hash verifier, an age limit, and a lockout kept in the
bench's store (a restart does not reset it). The PIN itself is never written to the bench's file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from app.bench.operator_cache import NOT_RECENT, OfflineRefused, OperatorCache
from app.bench.settings import BenchSettings
from app.bench.store import BenchStore

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # the same Argon2id, cheap for tests


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at += timedelta(**kw)


def opened(folder: Path, clock: Clock, *, hours: float = 12) -> tuple[BenchStore, OperatorCache]:
    store = BenchStore(folder / "bench.sqlite")
    return store, OperatorCache(store.engine, max_age=timedelta(hours=hours), clock=clock, hasher=FAST)


def remember_packer(cache: OperatorCache) -> None:
    cache.remember("PK-1001", "731946", name="Pat Packer", role="packer", screens=["pack"])


def wrong_pins(cache: OperatorCache, clock: Clock, times: int, every_s: float = 0) -> None:
    """``times`` wrong PINs, ``every_s`` apart, each refused as not recognised (none of them locks)."""
    for _ in range(times):
        with pytest.raises(OfflineRefused, match="not recognised"):
            cache.check("PK-1001", "111111")
        clock.advance(seconds=every_s)


def test_a_recent_online_sign_in_lets_the_right_pin_in_offline_and_refuses_a_wrong_one(tmp_path: Path) -> None:
    clock = Clock()
    _store, cache = opened(tmp_path, clock)
    remember_packer(cache)
    clock.advance(hours=3)
    op = cache.check("PK-1001", "731946")
    assert (op.name, op.badge, op.role, op.screens) == ("Pat Packer", "PK-1001", "packer", ("pack",))
    with pytest.raises(OfflineRefused, match="not recognised"):
        cache.check("PK-1001", "000000")


def test_a_badge_never_seen_here_is_refused_with_the_reason(tmp_path: Path) -> None:
    _store, cache = opened(tmp_path, Clock())
    remember_packer(cache)
    with pytest.raises(OfflineRefused) as refused:
        cache.check("PK-9999", "731946")
    assert str(refused.value) == NOT_RECENT
    assert "has not signed in here recently" in NOT_RECENT


def test_a_verifier_older_than_the_set_time_is_refused_and_deleted(tmp_path: Path) -> None:
    clock = Clock()
    _store, cache = opened(tmp_path, clock, hours=12)
    remember_packer(cache)
    clock.advance(hours=11, minutes=59)
    assert cache.check("PK-1001", "731946").badge == "PK-1001"
    clock.advance(minutes=2)
    with pytest.raises(OfflineRefused, match="not signed in here recently"):
        cache.check("PK-1001", "731946")
    assert cache.badges() == []


def test_each_online_sign_in_keeps_a_new_salted_verifier_and_the_pin_is_never_in_the_bench_file(
    tmp_path: Path,
) -> None:
    clock = Clock()
    store, cache = opened(tmp_path, clock)
    remember_packer(cache)
    with store.engine.connect() as conn:
        first = conn.exec_driver_sql("SELECT verifier FROM operator_verifiers").scalar_one()
    remember_packer(cache)
    with store.engine.connect() as conn:
        second = conn.exec_driver_sql("SELECT verifier FROM operator_verifiers").scalar_one()
    assert first.startswith("$argon2id$") and second.startswith("$argon2id$")
    assert first != second  # a new random salt each time
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("bench.sqlite*"))
    assert b"PK-1001" in raw  # the file does hold the cache …
    assert b"731946" not in raw  # … but never the PIN


def test_five_wrong_pins_in_five_minutes_lock_the_badge_and_a_restart_does_not_reset_it(tmp_path: Path) -> None:
    clock = Clock()
    store, cache = opened(tmp_path, clock)
    remember_packer(cache)
    wrong_pins(cache, clock, 4, every_s=30)
    with pytest.raises(OfflineRefused, match=r"locked .* try again in 300 s"):
        cache.check("PK-1001", "111111")
    store.close()

    store, cache = opened(tmp_path, clock)  # the bench restarts
    with pytest.raises(OfflineRefused, match="locked"):
        cache.check("PK-1001", "731946")  # even the right PIN waits out the lock
    clock.advance(minutes=5, seconds=1)
    assert cache.check("PK-1001", "731946").badge == "PK-1001"
    store.close()


def test_the_next_lockout_in_a_row_lasts_twice_as_long(tmp_path: Path) -> None:
    clock = Clock()
    _store, cache = opened(tmp_path, clock)
    remember_packer(cache)
    wrong_pins(cache, clock, 4)
    with pytest.raises(OfflineRefused, match="try again in 300 s"):
        cache.check("PK-1001", "111111")
    clock.advance(minutes=5, seconds=1)
    wrong_pins(cache, clock, 4)
    with pytest.raises(OfflineRefused, match="try again in 600 s"):
        cache.check("PK-1001", "111111")
    assert cache.locked_until("PK-1001") == clock.at + timedelta(minutes=10)


def test_wrong_pins_spread_over_more_than_five_minutes_do_not_lock(tmp_path: Path) -> None:
    clock = Clock()
    _store, cache = opened(tmp_path, clock)
    remember_packer(cache)
    wrong_pins(cache, clock, 8, every_s=80)
    assert cache.locked_until("PK-1001") is None


def test_a_right_pin_forgives_the_wrong_ones_before_it(tmp_path: Path) -> None:
    clock = Clock()
    _store, cache = opened(tmp_path, clock)
    remember_packer(cache)
    wrong_pins(cache, clock, 4)
    cache.check("PK-1001", "731946")
    with pytest.raises(OfflineRefused, match="not recognised"):
        cache.check("PK-1001", "111111")  # the fifth wrong one, but the count started again


def test_forget_and_role_change_apply_to_the_next_offline_sign_in(tmp_path: Path) -> None:
    _store, cache = opened(tmp_path, Clock())
    remember_packer(cache)
    cache.update_role("PK-1001", "supervisor", ["pack", "returns", "dashboard"])
    assert cache.check("PK-1001", "731946").role == "supervisor"
    cache.forget("PK-1001")
    with pytest.raises(OfflineRefused, match="not signed in here recently"):
        cache.check("PK-1001", "731946")


def test_offline_sign_in_set_to_zero_hours_keeps_nothing(tmp_path: Path) -> None:
    _store, cache = opened(tmp_path, Clock(), hours=0)
    remember_packer(cache)
    assert cache.badges() == []


def test_the_offline_sign_in_time_is_a_bench_setting_kept_in_its_file_and_bounded(tmp_path: Path) -> None:
    assert BenchSettings().offline_sign_in_hours == 12
    BenchSettings(offline_sign_in_hours=4).save(tmp_path / "settings.json")
    assert BenchSettings.load(tmp_path / "settings.json").offline_sign_in_hours == 4
    assert BenchSettings(offline_sign_in_hours=73).problems() == [
        "offline sign-in must be between 0 (off) and 72 hours"
    ]
    with pytest.raises(ValueError, match="offline sign-in"):
        BenchSettings(offline_sign_in_hours=-1).save(tmp_path / "settings.json")
