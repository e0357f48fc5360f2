from django.urls import path

from doudi.verification import views

app_name = "verification"
urlpatterns = [
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/verify", views.verify, name="verify"),
    path("authorisations/<int:pk>/revoke", views.revoke, name="revoke"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>.pdf", views.report_pdf, name="report_pdf"),
]
