"""Fuzz the HTTP API from its own OpenAPI schema: no input may cause a 5xx.

Schemathesis generates requests from the schema (odd unicode in `q`, huge
or negative offsets, unknown ids) and checks every response against the
documented status codes and shapes.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis import checks

from doudi.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(autouse=True)
def _connection_kept_across_requests():
    """Keep the test transaction's connection, as Django's test client does.

    The WSGI handler closes old connections at each request's start and end,
    which on PostgreSQL would close the connection holding the test's
    transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def session_cookie(users, household, far_household):
    client = Client()
    client.force_login(users["owner"])
    return {"sessionid": client.cookies["sessionid"].value}


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_survives_generated_requests(case, session_cookie):
    # The signed-in session replaces any generated cookie, so the check that
    # generated credentials are rejected does not apply here. The scoping
    # tests cover requests without a session.
    case.cookies = {**(case.cookies or {}), **session_cookie}
    case.call_and_validate(excluded_checks=[checks.ignored_auth])
