"""Official holiday schedules that a city administrator loaded, one per year."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    WORKING_DAY = "working_day", _("Adjusted working day")


class LoadOutcome(models.TextChoices):
    CREATED = "created", _("Loaded for the first time")
    REPLACED = "replaced", _("Replaced the schedule loaded before")
    UNCHANGED = "unchanged", _("Unchanged: the same schedule was already loaded")


class OfficialSchedule(models.Model):
    """The State Council's schedule of one year as an administrator loaded it.

    A loaded schedule replaces the ``chinese_calendar`` package's days for its
    year. ``revision`` counts the loads that changed it (1 for the first), and
    ``content_hash`` is the SHA-256 of the days and source, so that loading
    the same file again is recognised and changes nothing. Only services.py
    writes these rows.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=500)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("loaded by"),
    )
    loaded_at = models.DateTimeField(_("loaded at"))
    revision = models.PositiveIntegerField(_("revision"), default=1)
    content_hash = models.CharField(_("content hash"), max_length=64)

    class Meta:
        ordering = ["year"]
        verbose_name = _("official holiday schedule")
        verbose_name_plural = _("official holiday schedules")

    def __str__(self) -> str:
        return str(self.year)


class SpecialDay(models.Model):
    """A public holiday or an adjusted working day (调休) of a loaded year."""

    schedule = models.ForeignKey(
        OfficialSchedule,
        on_delete=models.CASCADE,
        related_name="days",
        verbose_name=_("schedule"),
    )
    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["day"]
        verbose_name = _("special day")
        verbose_name_plural = _("special days")

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.kind} {self.name}"
