from django.urls import path

from doudi.monitoring.duplicates import views

app_name = "duplicates"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("pairs/<int:pk>/", views.pair_detail, name="pair_detail"),
    path("pairs/<int:pk>/reveal", views.pair_reveal, name="pair_reveal"),
    path("pairs/<int:pk>/decide", views.pair_decide, name="pair_decide"),
]
