from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "doudi.payments"
    label = "payments"
    verbose_name = _("Awards and payments")

    def ready(self) -> None:
        from doudi.payments import stages  # noqa: F401  registers the cycle stage
