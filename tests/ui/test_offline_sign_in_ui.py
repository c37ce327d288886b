"""Offline sign-in at the bench window: with the hub not answering, an operator who signed in here
recently gets in (checked off the GUI thread), a badge never seen here is told why; when the hub answers
again a deactivation signs the operator out with the reason, a role change opens the new role's screens."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.bench.hub_client import HubOffline
from app.bench.operator_cache import NOT_RECENT, CachedOperator
from tests.ui.conftest import Bench


def hub_down_for_sign_in(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The hub stops answering sign-ins; returns the names of the threads the offline PIN check ran on."""

    def offline(badge: str, pin: str) -> dict[str, Any]:
        raise HubOffline("hub unreachable: ConnectError")

    monkeypatch.setattr(bench.engine.client, "sign_in", offline)
    threads: list[str] = []
    check = bench.engine.offline.check

    def recorded(badge: str, pin: str) -> CachedOperator:
        threads.append(threading.current_thread().name)
        return check(badge, pin)

    monkeypatch.setattr(bench.engine.offline, "check", recorded)
    return threads


def test_a_recent_operator_signs_in_with_the_hub_down_and_an_unknown_badge_is_told_why(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench.sign_in("PK-1001", "1111")  # online: the bench keeps a verifier
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_F12)
    threads = hub_down_for_sign_in(bench, monkeypatch)
    s = bench.window.signin
    s.badge.setText("RC-1001")
    s.pin.setText("2222")
    s.submit()
    bench.qtbot.waitUntil(lambda: s.message.isVisible(), timeout=15000)
    assert s.message.text() == NOT_RECENT and bench.window.current() == "signin"
    bench.sign_in("PK-1001", "1111")
    assert bench.window.current() == "pack"
    assert "Pat Packer (packer)" in bench.window.status.operator.text()
    assert threads and threading.main_thread().name not in threads  # the slow hash ran off the GUI thread
    assert bench.engine.pack.operator_badge == "PK-1001"  # the badge goes on the events made offline


def test_when_the_hub_answers_again_a_deactivated_operator_is_signed_out_and_told_why(bench: Bench) -> None:
    bench.sign_in("PK-1001", "1111")
    token = bench.engine.client.sign_in("AD-1001", "4444")["token"]
    bench.engine.client.call("PATCH", "/admin/operators/PK-1001", token=token, json={"active": False})
    bench.engine.status.update(online=False)  # an outage …
    bench.engine.status.update(online=True)  # … and the hub is back
    s = bench.window.signin
    bench.qtbot.waitUntil(lambda: bench.window.current() == "signin" and s.message.isVisible(), timeout=15000)
    assert "Pat Packer was signed out" in s.message.text()
    assert bench.window.operator is None and "PK-1001" not in bench.engine.offline.badges()


def test_when_the_hub_answers_again_a_new_role_opens_its_screens(bench: Bench) -> None:
    bench.sign_in("PK-1001", "1111")
    token = bench.engine.client.sign_in("AD-1001", "4444")["token"]
    bench.engine.client.call("PATCH", "/admin/operators/PK-1001", token=token, json={"role": "supervisor"})
    bench.engine.status.update(online=False)
    bench.engine.status.update(online=True)
    bench.qtbot.waitUntil(lambda: "(supervisor)" in bench.window.status.operator.text(), timeout=15000)
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_F3)
    assert bench.window.current() == "dashboard"
