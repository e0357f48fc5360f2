"""The policy engine's monthly recommendation for each household and scheme."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Scheme(models.TextChoices):
    DIBAO = "dibao", _("Minimum living allowance (dibao)")
    TEKUN = "tekun", _("Extreme poverty support (tekun)")
    EDGE = "edge", _("Low-income margin household")
    RIGID = "rigid", _("Rigid-spending hardship")
    TEMPORARY = "temporary", _("Temporary assistance")


class AssessmentRun(models.Model):
    """The stored assessment of one month: when it ran and on which day's data.

    A re-run of the month deletes the run with its assessments and trace
    chunks and stores a new one, in one transaction. Rows are keyed by the
    run, not the month, so that no new row shares a key with a row deleted
    in the same transaction, which on PostgreSQL costs a heap visit per row.
    """

    month = models.DateField(_("month"), unique=True)
    as_of = models.DateField(_("registry as of"))
    households = models.PositiveIntegerField(_("households"))
    assessed_at = models.DateTimeField(_("assessed at"))

    class Meta:
        verbose_name = _("assessment run")
        verbose_name_plural = _("assessment runs")

    def __str__(self) -> str:
        return f"assessment run {self.month:%Y-%m}"


class Assessment(models.Model):
    """One household's assessment for one scheme in one month.

    The engine recommends; a person decides. The values each rule used are
    in the run's `TraceChunk`, and the parameters behind them in
    `ParameterRecord`; the explanation is rendered when someone opens it.
    The stage writes a run's rows in key order. Look a household up with all
    three key fields.
    """

    pk = models.CompositePrimaryKey("run", "scheme", "household")
    # No database constraints and no indexes of their own: lookups go through
    # the key, and a constraint costs a locking check per row (on PostgreSQL,
    # most of the stage's time). The stage writes only ids it has just read
    # from the registry and deletes a run's rows itself. Django's PROTECT
    # still stops a household's deletion, by scanning this table.
    run = models.ForeignKey(
        AssessmentRun,
        on_delete=models.DO_NOTHING,
        related_name="assessments",
        db_index=False,
        db_constraint=False,
    )
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="assessments",
        db_index=False,
        db_constraint=False,
    )
    month = models.DateField(_("month"))
    scheme = models.CharField(_("scheme"), max_length=16, choices=Scheme)
    district_code = models.CharField(_("district"), max_length=12)
    eligible = models.BooleanField(_("may qualify"))
    amount_fen = models.BigIntegerField(_("monthly amount (fen)"))
    recommended_tier = models.CharField(
        _("recommended tier"), max_length=32, blank=True
    )

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [
            models.Index(
                fields=["month", "scheme"],
                condition=Q(eligible=True),
                name="assessment_may_qualify",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.household_id} {self.month:%Y-%m}"


class TraceChunk(models.Model):
    """The rules' trace of one run for a range of households, as Parquet.

    One row per household from `first_household_id` to `last_household_id`,
    with the trace shared by all schemes and each scheme's own columns
    prefixed by the scheme's name (see `doudi.assessments.storage`).
    """

    run = models.ForeignKey(
        AssessmentRun, on_delete=models.CASCADE, related_name="trace_chunks"
    )
    first_household_id = models.BigIntegerField()
    last_household_id = models.BigIntegerField()
    parquet = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "first_household_id"], name="one_trace_chunk_start"
            )
        ]

    def __str__(self) -> str:
        return (
            f"trace of run {self.run_id} households "
            f"{self.first_household_id}-{self.last_household_id}"
        )


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
