from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "doudi.workdays"
    label = "workdays"
    verbose_name = _("Working-day calendar")
