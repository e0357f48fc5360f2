from django.urls import include, path

from doudi.portal import views, views_link, views_requests, views_staff

app_name = "portal"
urlpatterns: list[object] = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.enter_code, name="enter_code"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("link/", views_link.link, name="link"),
    path("help/", views_requests.help_new, name="help_new"),
    path("help/<uuid:key>/", views_requests.help_form, name="help_form"),
    path("help/<uuid:key>/draft/", views_requests.save_draft, name="help_draft"),
    path("help/<uuid:key>/send/", views_requests.submit, name="help_submit"),
    path("requests/", views_requests.request_list, name="request_list"),
    path("requests/<int:pk>/", views_requests.request_detail, name="request_detail"),
    path("staff/requests/", views_staff.intake_queue, name="staff_queue"),
    path(
        "staff/requests/<int:pk>/",
        views_staff.intake_request,
        name="staff_request",
    ),
    path("staff/documents/<int:pk>/", views_staff.document, name="staff_document"),
    path("staff/assist/", views_staff.assist, name="staff_assist"),
    # The personal menu, the benefit screener and their pages.
    path("", include("doudi.portal.urls_menu")),
]
