from django.urls import include, path

app_name = "portal"
urlpatterns: list[object] = [
    # The personal menu, the benefit screener and their pages.
    path("", include("doudi.portal.urls_menu")),
]
