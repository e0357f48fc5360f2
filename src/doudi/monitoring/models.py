"""Warnings raised by scans of the registry's facts, and the scans themselves."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WarningKind(models.TextChoices):
    SIGNAL = "signal", _("Signal of difficulty")
    MISSED = "missed", _("May qualify: verify")
    EXIT = "exit", _("May no longer qualify: re-check")


class WarningStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    # Its own context: "Visited" alone is already translated as a visit date.
    VISITED = "visited", pgettext_lazy("warning status", "Visited")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed: no need")


OPEN_STATUSES = (WarningStatus.NEW, WarningStatus.ASSIGNED, WarningStatus.VISITED)


class Outcome(models.TextChoices):
    """The four ways a resolved warning ends, as the national rules name them."""

    BENEFIT_DELIVERED = "benefit_delivered", _("Benefit delivered")
    NEW_CASE = "new_case", _("Pushed to the responsible agency as a new case")
    CASE_BY_CASE = "case_by_case", _("Referred for a case-by-case decision")
    RECHECK = "recheck", _("Re-check of current assistance")


class ScanKind(models.TextChoices):
    FULL = "full", _("Whole city")
    INCREMENTAL = "incremental", _("Changed facts only")


class ScanRun(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=ScanKind)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The newest fact (by primary key) and recording time the scan saw; the
    # next incremental scan reads what came after.
    fact_watermark = models.BigIntegerField(default=0)
    recorded_watermark = models.DateTimeField(null=True, blank=True)
    households_scanned = models.PositiveIntegerField(default=0)
    warnings_created = models.PositiveIntegerField(default=0)
    warnings_updated = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} scan {self.pk}"


class SignalWeight(models.Model):
    """A policy officer's weight for a signal, in place of the YAML default."""

    code = models.CharField(_("signal"), max_length=64, unique=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("signal weight")
        verbose_name_plural = _("signal weights")

    def __str__(self) -> str:
        return f"{self.code}: {self.weight}"


class Warning(models.Model):
    """One reason to look at one household: a signal, missed or exit check.

    `reason_code` is the signal's code, or `missed:<scheme>` / `exit:<scheme>`.
    At most one open warning exists per household and reason; a later scan
    updates it (score, details, last seen) instead of adding another.
    """

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="warnings"
    )
    # The household's community when the warning was raised, for scoping.
    region = models.ForeignKey(
        "registry.Region", on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=80, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=WarningKind)
    reason_code = models.CharField(_("reason"), max_length=64)
    category = models.CharField(_("monitoring category"), max_length=32, blank=True)
    risk_score = models.DecimalField(_("risk score"), max_digits=8, decimal_places=2)
    # Codes and figures behind the reason (no names or ID numbers): which
    # facts fired, the engine's tier and amount for missed and exit checks.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=WarningStatus, default=WarningStatus.NEW
    )
    outcome = models.CharField(_("outcome"), max_length=32, choices=Outcome, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    first_seen_at = models.DateTimeField(_("first raised"))
    last_seen_at = models.DateTimeField(_("last confirmed by a scan"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    respond_by = models.DateField(_("respond by"))
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    scan = models.ForeignKey(
        ScanRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "reason_code"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="one_open_warning_per_household_reason",
            )
        ]
        indexes = [
            models.Index(fields=["status", "region_path"]),
            models.Index(fields=["reason_code", "status"]),
        ]

    def __str__(self) -> str:
        return f"warning {self.pk} ({self.reason_code})"


class WarningEvent(models.Model):
    """One step in a warning's life, for its timeline and the audit."""

    warning = models.ForeignKey(
        Warning, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("time"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} on warning {self.warning_id}"
