from django.urls import path

from doudi.policychanges import views

app_name = "policychanges"
urlpatterns = [
    path("", views.parameter_list, name="parameters"),
    path("parameters/<str:name>/", views.parameter_detail, name="parameter_detail"),
    path("propose/", views.propose, name="propose"),
    path("changes/", views.change_list, name="change_list"),
    path("changes/<int:pk>/", views.change_detail, name="change_detail"),
    path(
        "changes/<int:pk>/approve",
        views.decide,
        {"decision": "approve"},
        name="approve",
    ),
    path(
        "changes/<int:pk>/reject", views.decide, {"decision": "reject"}, name="reject"
    ),
    path(
        "changes/<int:pk>/withdraw",
        views.decide,
        {"decision": "withdraw"},
        name="withdraw",
    ),
    path("export.yaml", views.export_yaml, name="export"),
    path("simulate/", views.simulate, name="simulate"),
]
