from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyChangesConfig(AppConfig):
    name = "doudi.policychanges"
    label = "policychanges"
    verbose_name = _("Policy changes")
