from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "doudi.workdays"
    label = "workdays"
    verbose_name = _("Working-day calendar")

    def ready(self) -> None:
        from doudi.workdays import calendar
        from doudi.workdays.source import DatabaseScheduleSource

        calendar.use_schedule_source(DatabaseScheduleSource())
