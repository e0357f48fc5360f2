from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "doudi.assessments"
    label = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from doudi.assessments import stages  # noqa: F401  registers cycle stages
