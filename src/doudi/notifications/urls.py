from django.urls import path

from doudi.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("staff/", views.staff_inbox, name="staff_inbox"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("preferences/", views.preferences, name="preferences"),
]
