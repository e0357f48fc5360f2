from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StageStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class StageRun(models.Model):
    """One stage of the monthly cycle for one month: its status and summary."""

    month = models.DateField(_("month"))
    stage = models.CharField(_("stage"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=StageStatus)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "stage"], name="one_run_per_stage_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.month:%Y-%m} {self.status}"
