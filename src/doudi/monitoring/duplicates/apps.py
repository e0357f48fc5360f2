from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuplicatesConfig(AppConfig):
    name = "doudi.monitoring.duplicates"
    label = "duplicates"
    verbose_name = _("Duplicate assistance")

    def ready(self) -> None:
        from doudi.monitoring.duplicates import stages  # noqa: F401
