from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from doudi.interop.api import api

admin.site.site_header = "doudi"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="registry:household_list"), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/", include("doudi.privacy.urls")),
    path("registry/", include("doudi.registry.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
