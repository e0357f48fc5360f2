from django.urls import path

from doudi.feedback import views

app_name = "feedback"
urlpatterns: list[object] = [
    path("", views.choose, name="choose"),
    path("rate/<str:kind>/<str:reference>/", views.rate, name="rate"),
    path("sent/<int:pk>/", views.sent, name="sent"),
    path("ratings/", views.ratings, name="ratings"),
]
