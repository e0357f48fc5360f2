from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "doudi.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from doudi.cases import stages  # noqa: F401  registers cycle stages
        from doudi.cases.deadlines import refresh_provisional
        from doudi.workdays.services import AFTER_LOAD

        # A newly loaded holiday schedule makes provisional deadlines final.
        AFTER_LOAD.append(refresh_provisional)
