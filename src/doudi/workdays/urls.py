from django.urls import path

from doudi.workdays import views

app_name = "workdays"
urlpatterns = [
    path("", views.schedule_list, name="schedules"),
    path("load/", views.load, name="load"),
]
