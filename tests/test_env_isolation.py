"""The run's environment: no PACKBENCH_* configuration reaches a test unless the run sets it on purpose."""

from __future__ import annotations

import os

import pytest

from tests.conftest import RUN_SETTINGS, _strip_packbench_env


def test_a_test_sees_no_packbench_setting_but_the_runs_own() -> None:
    leaked = sorted(k for k in os.environ if k.startswith("PACKBENCH_") and k not in RUN_SETTINGS)
    assert leaked == []


def test_stripping_keeps_the_test_database_url_and_removes_channel_secrets_and_faults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PACKBENCH_SHOPIFY_WEBHOOK_SECRET", "from-a-developer-shell")
    monkeypatch.setenv("PACKBENCH_FAULT", "after_push:1")
    monkeypatch.setenv("PACKBENCH_TEST_PG_URL", "postgresql+psycopg://postgres@db/test")
    gone = _strip_packbench_env()
    assert set(gone) == {"PACKBENCH_SHOPIFY_WEBHOOK_SECRET", "PACKBENCH_FAULT"}
    assert "PACKBENCH_SHOPIFY_WEBHOOK_SECRET" not in os.environ and "PACKBENCH_FAULT" not in os.environ
    assert os.environ["PACKBENCH_TEST_PG_URL"] == "postgresql+psycopg://postgres@db/test"
