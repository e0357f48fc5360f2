from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "doudi.monitoring"
    label = "monitoring"
    verbose_name = _("Proactive discovery")

    def ready(self) -> None:
        from doudi.monitoring import stages  # noqa: F401
