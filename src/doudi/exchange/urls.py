from django.urls import path
from django.views.generic import RedirectView

from doudi.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="exchange:batch_list"), name="home"),
    path("sources/", views.source_list, name="source_list"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("upload/", views.upload, name="upload"),
    path("quarantine/", views.quarantine_list, name="quarantine_list"),
    path("quarantine/<int:pk>/", views.quarantined_row, name="quarantined_row"),
    path("quarantine/<int:pk>/reveal", views.reveal_row, name="reveal_row"),
    path("quarantine/<int:pk>/resubmit", views.resubmit_row, name="resubmit_row"),
    path("quarantine/<int:pk>/discard", views.discard_row, name="discard_row"),
    path("unmatched/", views.unmatched_list, name="unmatched_list"),
    path("unmatched/<int:pk>/confirm", views.confirm_unmatched, name="confirm"),
    path("unmatched/<int:pk>/discard", views.discard_unmatched, name="discard"),
]
