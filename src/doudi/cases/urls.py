from django.urls import path

from doudi.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new_case, name="new_case"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/survey/", views.survey, name="survey"),
    path("<int:pk>/act/<str:action>/", views.act, name="act"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("notices/<str:street_code>/", views.notice_board, name="notice_board"),
]
