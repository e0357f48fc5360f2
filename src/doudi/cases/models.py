"""Requests for help and the workflow that carries them to a decision."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from doudi.assessments.models import Scheme


class Channel(models.TextChoices):
    PORTAL = "portal", _("Resident portal")
    WALK_IN = "walk_in", _("Walk-in, entered by a community worker")
    WARNING = "warning", _("Early warning")
    REFERRAL = "referral", _("Referral from another department")


class Step(models.TextChoices):
    ACCEPT = "accept", _("Acceptance")
    SURVEY = "survey", _("Household survey")
    VERIFICATION = "verification", _("Economic verification")
    STREET_REVIEW = "street_review", _("Street office review")
    PUBLIC_NOTICE = "public_notice", _("Public notice")
    DISTRICT_APPROVAL = "district_approval", _("District approval")
    AWARDED = "awarded", _("Awarded")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Case(models.Model):
    """One request for help for one household and scheme."""

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="cases"
    )
    scheme = models.CharField(_("scheme"), max_length=16, choices=Scheme)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    step = models.CharField(_("step"), max_length=24, choices=Step, default=Step.ACCEPT)
    opened_at = models.DateTimeField(_("opened at"))
    # Raised by every action; an action names the version it saw, so that
    # of two people acting on one case at once only the first succeeds.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"case {self.pk}"
