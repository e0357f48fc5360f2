"""A proposed dated value of a policy parameter and the decision on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ChangeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ParameterChange(models.Model):
    """One officer's proposal of a dated value, decided by a second officer.

    ``value`` is the JSON form from ``values.to_json`` (decimals as text).
    ``simulation`` is the summary shown when the change was proposed, kept so
    that the approver and the audit trail see what was shown. Approved and
    rejected changes name the deciding officer, who must not be the proposer.
    A withdrawn change has no ``decided_by``: only the proposer withdraws.
    Only services.py changes the status.
    """

    city = models.CharField(_("city"), max_length=64)
    name = models.CharField(_("parameter"), max_length=80)
    district_code = models.CharField(
        _("district"), max_length=12, blank=True, default=""
    )
    effective_from = models.DateField(_("effective from"))
    value = models.JSONField(_("value"))
    source = models.CharField(_("source"), max_length=500)
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ChangeStatus,
        default=ChangeStatus.PROPOSED,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proposed_parameter_changes",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_parameter_changes",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    simulation = models.JSONField(_("simulation when proposed"))

    class Meta:
        verbose_name = _("parameter change")
        verbose_name_plural = _("parameter changes")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status__in=[ChangeStatus.PROPOSED, ChangeStatus.WITHDRAWN])
                    & Q(decided_by__isnull=True)
                )
                | (
                    Q(status__in=[ChangeStatus.APPROVED, ChangeStatus.REJECTED])
                    & Q(decided_by__isnull=False)
                    & ~Q(decided_by=F("proposed_by"))
                ),
                name="parameter_change_second_officer_decides",
            ),
            models.CheckConstraint(
                condition=Q(status=ChangeStatus.PROPOSED) | Q(decided_at__isnull=False),
                name="parameter_change_decision_dated",
            ),
            # One open proposal per parameter, level and date: proposing the
            # same change again returns the open one instead of a duplicate.
            models.UniqueConstraint(
                fields=["city", "name", "district_code", "effective_from"],
                condition=Q(status=ChangeStatus.PROPOSED),
                name="one_open_change_per_parameter_and_date",
            ),
        ]
        indexes = [models.Index(fields=["city", "status", "decided_at"])]

    def __str__(self) -> str:
        level = self.district_code or self.city
        return f"{self.name} {level} {self.effective_from} ({self.status})"
