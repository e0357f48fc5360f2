from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from doudi.interop.api import api
from doudi.privacy.views import sign_out

admin.site.site_header = "doudi"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="registry:household_list"), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/", include("doudi.privacy.urls")),
    path("registry/", include("doudi.registry.urls")),
    path("api/", api.urls),
    # The admin's own sign-out would skip the audit entry; use the project's.
    path("admin/logout/", sign_out, name="admin_logout"),
    path("admin/", admin.site.urls),
]
