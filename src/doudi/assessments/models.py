"""The policy engine's monthly recommendation for each household and scheme."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scheme(models.TextChoices):
    DIBAO = "dibao", _("Minimum living allowance (dibao)")
    TEKUN = "tekun", _("Extreme poverty support (tekun)")
    EDGE = "edge", _("Low-income margin household")
    RIGID = "rigid", _("Rigid-spending hardship")
    TEMPORARY = "temporary", _("Temporary assistance")


class Assessment(models.Model):
    """One household's assessment for one scheme in one month.

    The engine recommends; a person decides. `trace` keeps the values each
    rule used; the parameters behind them are stored once per district and
    month in `ParameterRecord`. The explanation is rendered when someone
    opens it.
    """

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="assessments"
    )
    month = models.DateField(_("month"))
    scheme = models.CharField(_("scheme"), max_length=16, choices=Scheme)
    district_code = models.CharField(_("district"), max_length=12)
    eligible = models.BooleanField(_("may qualify"))
    amount_fen = models.BigIntegerField(_("monthly amount (fen)"))
    recommended_tier = models.CharField(
        _("recommended tier"), max_length=32, blank=True
    )
    trace = models.JSONField(_("trace"))
    assessed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "month", "scheme"], name="one_assessment_per_month"
            )
        ]
        indexes = [models.Index(fields=["month", "scheme", "eligible"])]

    def __str__(self) -> str:
        return f"{self.scheme} {self.household_id} {self.month:%Y-%m}"


class ParameterRecord(models.Model):
    """The parameters one month's assessment used in one district, with sources."""

    month = models.DateField(_("month"))
    district_code = models.CharField(_("district"), max_length=12)
    rows = models.JSONField(_("parameters"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "district_code"], name="one_parameter_record"
            )
        ]

    def __str__(self) -> str:
        return f"parameters {self.district_code} {self.month:%Y-%m}"
