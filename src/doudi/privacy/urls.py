from django.urls import path

from doudi.privacy import views

app_name = "privacy"
urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("audit/", views.audit_log, name="audit_log"),
]
