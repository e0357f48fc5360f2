from django.urls import path

from doudi.services import views

app_name = "services"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_new, name="organization_new"),
    path(
        "organizations/<uuid:pk>/",
        views.organization_detail,
        name="organization_detail",
    ),
    path(
        "organizations/<uuid:pk>/edit/",
        views.organization_edit,
        name="organization_edit",
    ),
    path(
        "organizations/<uuid:pk>/services/new/", views.service_new, name="service_new"
    ),
    path(
        "organizations/<uuid:pk>/locations/new/",
        views.location_new,
        name="location_new",
    ),
    path(
        "organizations/<uuid:pk>/phones/new/",
        views.organization_phone_new,
        name="organization_phone_new",
    ),
    path("locations/<uuid:pk>/edit/", views.location_edit, name="location_edit"),
    path("phones/<uuid:pk>/delete/", views.phone_delete, name="phone_delete"),
    path("transfer/", views.transfer, name="transfer"),
    path("export/catalogue.json", views.export_json, name="export_json"),
    path("export/catalogue-csv.zip", views.export_csv, name="export_csv"),
    path("<uuid:pk>/", views.service_detail, name="service_detail"),
    path("<uuid:pk>/edit/", views.service_edit, name="service_edit"),
    path("<uuid:pk>/schedules/new/", views.schedule_new, name="schedule_new"),
    path(
        "<uuid:pk>/schedules/<uuid:schedule_pk>/delete/",
        views.schedule_delete,
        name="schedule_delete",
    ),
    path("<uuid:pk>/phones/new/", views.service_phone_new, name="service_phone_new"),
]
