"""URLs for the API tests: the project's, plus the HSDS router on its own API.

The router is mounted on a test API at /hsds-test/v1/hsds/, so the tests do
not depend on where the project's API mounts it.
"""

from django.urls import path
from ninja import NinjaAPI
from ninja.security import django_auth

from doudi.services.api import router
from doudi.urls import urlpatterns as project_urlpatterns

# Signed-in by default like the project's API, so the tests show that the
# router's own `auth=None` makes it public.
test_api = NinjaAPI(
    title="HSDS test", urls_namespace="hsds_test", docs_url=None, auth=django_auth
)
test_api.add_router("/v1/hsds/", router)

PREFIX = "/hsds-test/v1/hsds"

urlpatterns = [path("hsds-test/", test_api.urls), *project_urlpatterns]
