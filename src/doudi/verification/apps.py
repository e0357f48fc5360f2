from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "doudi.verification"
    label = "verification"
    verbose_name = _("Economic verification")

    def ready(self) -> None:
        from doudi.verification import stages  # noqa: F401  registers cycle stages
