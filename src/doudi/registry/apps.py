from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "doudi.registry"
    label = "registry"
    verbose_name = _("Social registry")

    def ready(self) -> None:
        from doudi.registry import stages  # noqa: F401  registers cycle stages
