"""Schemathesis against /openapi.json on a demo database, over real HTTP.

For every operation it generates valid and invalid requests (hypothesis,
through schemathesis' strategies) and checks: no server error, status codes,
content types and bodies match the schema, and the event log grows only
when the answer is 2xx. (Schemathesis' own pytest plugin does not run under
pytest 9 yet, so the test drives its strategies directly.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from ledger.api.app import create_app
from ledger.config import Settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def operations() -> list[tuple[str, str]]:
    """Every (method, path) of the API, read from its schema."""
    app = create_app(Settings("sqlite:///:memory:"))
    try:
        paths = app.openapi()["paths"]
    finally:
        app.state.ledger.close()
    return [(method.upper(), path) for path, ops in paths.items() for method in ops]


@pytest.fixture(scope="module")
def api_schema(demo_api: Any) -> Any:
    return schemathesis.openapi.from_url(f"{demo_api.url}/openapi.json")


@pytest.mark.parametrize(("method", "path"), operations())
def test_the_api_keeps_its_contract(api_schema: Any, demo_api: Any, method: str, path: str) -> None:
    operation = api_schema[path][method]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def holds(case: Any) -> None:
        before = demo_api.size()
        response = case.call_and_validate(
            base_url=demo_api.url, headers=demo_api.auth, checks=CHECKS
        )
        if not 200 <= response.status_code < 300:
            assert demo_api.size() == before, (response.status_code, response.text)

    holds()
