"""Imported lists from other cities, linkage runs and the pairs they found."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doudi.privacy.fields import EncryptedTextField


class ImportedList(models.Model):
    """A list of persons assisted elsewhere, imported from a CSV file.

    `rejected` lists the rows not imported as `{"line", "reason"}` items;
    reasons name the field and the fix, never the value.
    """

    label = models.CharField(_("label"), max_length=200)
    source_city = models.CharField(_("source city"), max_length=100)
    checksum = models.CharField(max_length=64, unique=True, editable=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"))
    row_count = models.PositiveIntegerField(_("rows imported"), default=0)
    rejected = models.JSONField(_("rows rejected"), default=list, blank=True)

    class Meta:
        verbose_name = _("imported list")
        verbose_name_plural = _("imported lists")

    def __str__(self) -> str:
        return f"imported list {self.pk}"


class ImportedRow(models.Model):
    imported_list = models.ForeignKey(
        ImportedList, on_delete=models.CASCADE, related_name="rows"
    )
    line = models.PositiveIntegerField(_("line"))
    name = EncryptedTextField(_("name"))
    resident_id = EncryptedTextField(_("resident ID"), null=True, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True, default="")
    address = EncryptedTextField(_("address"), null=True, blank=True)
    scheme = models.CharField(_("assistance received"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        constraints = [
            models.UniqueConstraint(
                fields=["imported_list", "line"], name="one_imported_row_per_line"
            )
        ]

    def __str__(self) -> str:
        return f"imported row {self.pk}"


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class LinkageRun(models.Model):
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus, default=RunStatus.RUNNING
    )
    records = models.PositiveIntegerField(_("records compared"), default=0)
    candidates = models.PositiveIntegerField(_("candidate pairs"), default=0)
    new_pairs = models.PositiveIntegerField(_("new pairs"), default=0)

    class Meta:
        verbose_name = _("linkage run")
        verbose_name_plural = _("linkage runs")

    def __str__(self) -> str:
        return f"linkage run {self.pk}"


class PairStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    CONFIRMED = "confirmed", _("Confirmed duplicate")
    REJECTED = "rejected", _("Not a duplicate")


class DuplicatePair(models.Model):
    """Two records that may be one person enrolled twice.

    `left_key` and `right_key` name the records ("a<award id>p<person id>"
    for a person counted in an award here, "i<row id>" for an imported row)
    with the left one sorting first, so a re-run finds the pair again
    instead of adding it.
    `award_to_stop` is the award a confirmation suspends: the later-granted
    of two local awards, or the local award against an imported row.
    """

    left_key = models.CharField(max_length=24)
    right_key = models.CharField(max_length=24)
    left_person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", null=True
    )
    right_person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", null=True
    )
    imported_row = models.ForeignKey(
        ImportedRow, on_delete=models.PROTECT, related_name="pairs", null=True
    )
    left_award = models.ForeignKey(
        "payments.Award", on_delete=models.PROTECT, related_name="+", null=True
    )
    right_award = models.ForeignKey(
        "payments.Award", on_delete=models.PROTECT, related_name="+", null=True
    )
    award_to_stop = models.ForeignKey(
        "payments.Award", on_delete=models.PROTECT, related_name="+", null=True
    )
    # Region paths of the two households, for scoping ("" for an imported row).
    left_region_path = models.CharField(max_length=80, db_index=True)
    right_region_path = models.CharField(max_length=80, blank=True, db_index=True)
    match_weight = models.FloatField(_("match weight"))
    match_probability = models.FloatField(_("match probability"))
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=PairStatus, default=PairStatus.PENDING
    )
    first_run = models.ForeignKey(
        LinkageRun, on_delete=models.PROTECT, related_name="+"
    )
    last_run = models.ForeignKey(LinkageRun, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True, default="")
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(
                fields=["left_key", "right_key"], name="one_pair_per_records"
            )
        ]
        indexes = [models.Index(fields=["status", "match_weight"])]

    def __str__(self) -> str:
        return f"duplicate pair {self.pk}"
