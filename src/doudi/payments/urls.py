from django.urls import path

from doudi.payments import award_views, views

app_name = "payments"
urlpatterns = [
    path("", views.roll_list, name="roll_list"),
    path("rolls/<int:pk>/", views.roll_detail, name="roll_detail"),
    path("rolls/<int:pk>/compute", views.compute, name="compute"),
    path("rolls/<int:pk>/sign", views.sign, name="sign"),
    path("rolls/<int:pk>/export", views.export, name="export"),
    path("rolls/<int:pk>/results", views.upload_results, name="results"),
    path("awards/", award_views.award_list, name="award_list"),
    path("awards/<int:pk>/", award_views.award_detail, name="award_detail"),
    path("awards/<int:pk>/<slug:name>", award_views.award_act, name="award_act"),
]
