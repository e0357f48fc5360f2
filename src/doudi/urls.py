from django.contrib import admin
from django.urls import include, path

from doudi.core.views import home
from doudi.interop.api import api
from doudi.privacy.views import sign_out

admin.site.site_header = "doudi"

urlpatterns = [
    path("", home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/", include("doudi.privacy.urls")),
    path("registry/", include("doudi.registry.urls")),
    path("verification/", include("doudi.verification.urls")),
    path("policy/", include("doudi.policychanges.urls")),
    path("exchange/", include("doudi.exchange.urls")),
    path("cases/", include("doudi.cases.urls")),
    path("payments/", include("doudi.payments.urls")),
    path("workdays/", include("doudi.workdays.urls")),
    path("services/", include("doudi.services.urls")),
    path("monitoring/", include("doudi.monitoring.urls")),
    path("duplicates/", include("doudi.monitoring.duplicates.urls")),
    path("notifications/", include("doudi.notifications.urls")),
    path("portal/", include("doudi.portal.urls")),
    path("portal/feedback/", include("doudi.feedback.urls")),
    path("api/", api.urls),
    # The admin's own sign-out would skip the audit entry; use the project's.
    path("admin/logout/", sign_out, name="admin_logout"),
    path("admin/", admin.site.urls),
]
