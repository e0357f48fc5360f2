from django.urls import path

from doudi.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.warning_list, name="warning_list"),
    path("<int:pk>/", views.warning_detail, name="warning_detail"),
    path("<int:pk>/act/<str:action>/", views.act, name="act"),
    path("signals/", views.signals, name="signals"),
    path("signals/preview/", views.preview_weights, name="preview_weights"),
    path("signals/weights/", views.save_weights, name="save_weights"),
]
