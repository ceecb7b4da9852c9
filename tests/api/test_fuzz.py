"""Fuzz the whole JSON API from its OpenAPI schema with schemathesis (issue #10 item 2): for every
operation, generated valid and invalid requests as a signed-in sales rep must never give a 5xx, must
answer only status codes and bodies the schema declares, and invalid payloads must be refused.

Bounded for CI: FUZZ_EXAMPLES examples per operation (env, default 3). It runs on SQLite only (the
operations and their schema do not depend on the engine; the PostgreSQL run would double its minutes
in CI): set FUZZ_POSTGRES=1 to run it there too."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import connection
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))

pytestmark = pytest.mark.skipif(
    connection.vendor == "postgresql" and not os.environ.get("FUZZ_POSTGRES"),
    reason="the API fuzz runs with the SQLite suite (FUZZ_POSTGRES=1 to run it here)",
)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_operation(case, world, token_for):
    token = token_for(world.rep)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        # Valid data may still be refused by business rules (an unknown id is 404, a duplicate 409,
        # a refused transition 422), so "positive data is accepted" does not hold for this API.
        excluded_checks=[st_checks.positive_data_acceptance],
    )
