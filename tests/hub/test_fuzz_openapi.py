"""Schemathesis fuzzes the live hub (uvicorn on a free port, SQLite and PostgreSQL) from its own
OpenAPI document, every route it has at the time, as an admin: no answer may be a server error and
every status must be one the document declares for that route.

Bounded and repeatable: a fixed number of examples per route and mode, derandomised (Hypothesis's
fixed seed), no example database. The run prints the request count and the time it took.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.hub.conftest import Hub, LiveServer

# Examples per route: sized so one database's run stays well under 60 s on a loaded 2-core machine;
# PACKBENCH_FUZZ_SCALE=10 runs ten times as many (a deeper run by hand).
SCALE = int(os.environ.get("PACKBENCH_FUZZ_SCALE", "1"))
EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 5 * SCALE, schemathesis.GenerationMode.NEGATIVE: 3 * SCALE}
# Signing the fuzzer's own admin session out would leave it nothing to fuzz with.
SKIP = {("DELETE", "/api/v1/sessions/current")}


@pytest.fixture
def live_hub(hub_url: str) -> Iterator[tuple[Hub, str]]:
    import httpx

    with LiveServer(hub_url) as server, httpx.Client(base_url=server.base_url, timeout=30) as client:
        hub = Hub(client, server.engine)
        hub.scene(orders=3)
        yield hub, server.base_url


def fuzz(
    operation: APIOperation, mode: schemathesis.GenerationMode, call: Callable[[Case], Any], failures: list[str]
) -> None:
    """Run ``EXAMPLES[mode]`` cases of ``operation`` through ``call``; what the checks refuse goes to ``failures``."""

    @settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy(generation_mode=mode))
        response = call(case)
        try:
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
        except (AssertionError, BaseExceptionGroup) as exc:
            failures.append(f"{operation.method.upper()} {operation.path} [{mode}]: {exc}"[:600])

    try:
        run()
    except Unsatisfiable:  # nothing to break (no parameters, no body): no negative case exists
        assert mode == schemathesis.GenerationMode.NEGATIVE


def test_fuzzing_every_route_from_the_openapi_document_finds_no_server_error(live_hub: tuple[Hub, str]) -> None:
    hub, base_url = live_hub
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    started = time.monotonic()
    with requests.Session() as http:

        def call(case: Case) -> Any:
            response = case.call(base_url=base_url, session=http, headers=hub.admin)
            statuses[response.status_code] += 1
            return response

        for result in schema.get_all_operations():
            operation = result.ok()
            if (operation.method.upper(), operation.path) not in SKIP:
                for mode in EXAMPLES:
                    fuzz(operation, mode, call, failures)
    took = time.monotonic() - started
    print(
        f"\nschemathesis: {sum(statuses.values())} requests in {took:.1f} s; statuses {dict(sorted(statuses.items()))}"
    )
    assert failures == []
    assert not [code for code in statuses if code >= 500]
    assert sum(statuses.values()) > 100  # it really ran
