from django.urls import path

from doudi.registry import views

app_name = "registry"
urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("statistics/", views.region_statistics, name="statistics"),
    path("households/export.csv", views.export_households, name="household_export"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path(
        "persons/<int:person_pk>/resident-id",
        views.reveal_resident_id,
        name="reveal_resident_id",
    ),
]
