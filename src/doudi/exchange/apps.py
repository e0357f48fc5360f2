from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "doudi.exchange"
    label = "exchange"
    verbose_name = _("Data exchange")

    def ready(self) -> None:
        from doudi.exchange import stages  # noqa: F401  registers cycle stages
