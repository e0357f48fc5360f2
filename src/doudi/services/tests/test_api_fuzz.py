"""Fuzz the HSDS read API from its OpenAPI schema: no input may cause a 5xx.

Schemathesis generates requests from the router's schema (odd text in
`search`, out-of-range pages, malformed ids and codes) and checks each
response against the documented status codes and shapes.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from doudi.services.tests.urls import test_api
from doudi.wsgi import application

schema = schemathesis.openapi.from_dict(
    test_api.get_openapi_schema(path_prefix="/hsds-test")
)
schema.app = application

pytestmark = pytest.mark.urls("doudi.services.tests.urls")


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


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_survives_generated_requests(case, catalogue):
    # Each example starts with an empty throttle, so that generated requests
    # test the endpoints rather than the rate limit.
    cache.clear()
    case.call_and_validate()
