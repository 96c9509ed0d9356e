"""schemathesis fuzzes every API operation against the API's own OpenAPI schema.

Each generated request is sent once per role of the access world (anonymous, a shopper, the
seller, a requester, a Pejabat Pengadaan, a treasurer, a PA/KPA and an auditor), each with a
token of every scope. Every answer must be no server error and must match the schema: its
status code documented, its content type and its body as the schema says. Examples are bounded
(PEKEN_FUZZ_EXAMPLES per operation) so the run stays short; writes roll back with the test.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import Scope
from api.services import api_token_create
from peken.wsgi import application
from tests.access_world import access_world
from tests.api_access_catalogue import world_extend as catalogue_world
from tests.api_access_procurement import world_extend as procurement_world
from tests.api_access_seller import world_extend as seller_world
from tests.test_api_access import api_routes

ROLES = ("shopper", "seller", "a_requester", "a_pp", "a_bendahara", "a_pa", "auditor")
EXAMPLES = int(os.environ.get("PEKEN_FUZZ_EXAMPLES", "12"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db):
    # as Django's test client does: the test's transaction must outlive each request
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def role_headers(db) -> dict[str, dict[str, str]]:
    world = access_world()
    for extend in (catalogue_world, seller_world, procurement_world):
        extend(world)
    headers = {"anonymous": {}}
    for role in ROLES:
        _token, key = api_token_create(user=world["people"][role], name="fuzz", scopes=list(Scope.values))
        headers[role] = {"Authorization": f"Bearer {key}"}
    return headers


def _fuzz(operation, mode: GenerationMode, role_headers: dict) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def each(case):
        for headers in role_headers.values():
            case.call_and_validate(headers=headers, checks=CHECKS)

    each()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_the_api_answers_every_role_as_its_schema_says(api_schema, role_headers, mode):
    """Given any request the schema allows (and, negatively, requests it does not), when each role
    sends it, then no server error and an answer the schema documents, for every operation."""
    failures, operations = [], set()
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations.add(operation.label)
        try:
            _fuzz(operation, mode, role_headers)
        except Exception as failure:  # noqa: BLE001 (each operation's failure is reported, all together)
            failures.append(f"{operation.label}: {failure}")
    routes = sum(len(methods) for _pattern, methods in api_routes().values())
    assert len(operations) == routes, "every route and method of the API is in the schema and fuzzed"
    assert not failures, "\n\n".join(failures)
