"""The fuzzer is part of the suite (issue 11): schemathesis generates requests from our OpenAPI,
valid and invalid, and sends them to the real app (the session's uvicorn server on the embedded
stack), with a small budget (about 25 per operation, some 300 in all). No answer may be a 5xx,
and every answer must be one the schema documents, in its documented shape.
``switchboard soak --fuzz N`` runs the same with ``--checks all`` at a large budget."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import Api

EXAMPLES = 15
"""Per operation and mode (12 operations; valid and invalid data): some 300 requests."""
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def operations(api: Api, local_group: str) -> list[Any]:
    loaded = schemathesis.openapi.from_url(f"{api.base_url}/openapi.json")
    # The event stream of a live call never ends (its errors are the other call routes'); readiness
    # is 503 by design while a component is missing (the test server runs no worker).
    skipped = loaded.exclude(path_regex=r"/stream$|^/readyz$")
    return [r.ok() for r in skipped.get_all_operations()]


def _run(operation: Any, mode: GenerationMode, api: Api, session: requests.Session) -> tuple[int, list[str]]:
    """Sends up to EXAMPLES generated requests; how many, and what failed (the first of each)."""
    sent, failed = 0, []

    @given(operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        phases=[Phase.generate],  # no shrinking, no replay database: a fixed budget
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def one(case: Any) -> None:
        nonlocal sent
        response = case.call(base_url=api.base_url, session=session, timeout=60)
        sent += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a group of failures
            if len(failed) < 3:
                failed.append(f"{operation.label} [{mode.value}] {response.status_code}: {exc}"[:600])

    with contextlib.suppress(Unsatisfiable):  # nothing in the operation can be made invalid
        one()
    return sent, failed


def test_generated_requests_get_no_server_error_and_documented_answers(
    operations: list[Any], api: Api
) -> None:
    sent, failed = 0, []
    with requests.Session() as session:  # one keep-alive connection, as a client holds it
        session.headers.update(api.headers)
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                n, failures = _run(operation, mode, api, session)
                sent, failed = sent + n, failed + failures
    print(f"fuzz: {sent} requests over {len(operations)} operations")  # shown with -s
    assert not failed, "\n".join(failed)
    assert sent >= 10 * len(operations), f"only {sent} requests for {len(operations)} operations"
