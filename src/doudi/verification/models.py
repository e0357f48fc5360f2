"""The household's written authorisation to be checked, and what it covers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Authorisation(models.Model):
    """A signed authorisation: who signed, for whom, which kinds, how long.

    `data_kinds` lists feed kinds of doudi.exchange.kinds.FeedKind. It holds
    from `signed_on` to `valid_until`, both included, unless revoked.
    """

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="authorisations"
    )
    signed_by = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed by"),
    )
    members = models.ManyToManyField(
        "registry.Person", related_name="authorisations", verbose_name=_("members")
    )
    data_kinds = models.JSONField(_("kinds of records"), default=list)
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("authorisation")
        verbose_name_plural = _("authorisations")
        indexes = [models.Index(fields=["household", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("signed_on")),
                name="authorisation_ends_after_signing",
            ),
        ]

    def __str__(self) -> str:
        return f"authorisation {self.pk} of {self.household_id}"


class RequestPurpose(models.TextChoices):
    APPLICATION = "application", _("Application")
    REVIEW = "review", _("Review")


class RequestStatus(models.TextChoices):
    COMPLETED = "completed", _("Completed")


class Category(models.TextChoices):
    INCOME = "income", _("Income")
    ASSET = "asset", _("Assets")
    SPENDING = "spending", _("Rigid spending")


class Severity(models.TextChoices):
    NONE = "none", _("No discrepancy")
    MINOR = "minor", _("Minor discrepancy")
    MAJOR = "major", _("Major discrepancy")


class VerificationRun(models.Model):
    """One run of the batch verification, which may verify many households."""

    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households verified"), default=0)

    class Meta:
        verbose_name = _("verification run")
        verbose_name_plural = _("verification runs")

    def __str__(self) -> str:
        return f"verification run {self.pk} as of {self.as_of}"


class VerificationRequest(models.Model):
    """A request to check one household's declared figures as of a day.

    A request made by a person has `requested_by`; one made by the batch
    has `run` instead. A refused request is never stored.
    """

    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="verification_requests",
        verbose_name=_("household"),
    )
    as_of = models.DateField(_("as of"))
    purpose = models.CharField(_("purpose"), max_length=12, choices=RequestPurpose)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    run = models.ForeignKey(
        VerificationRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("verification request")
        verbose_name_plural = _("verification requests")
        indexes = [
            models.Index(fields=["household", "as_of"]),
            models.Index(fields=["run"]),
        ]

    def __str__(self) -> str:
        return f"verification {self.pk} of {self.household_id} as of {self.as_of}"


class VerificationReport(models.Model):
    """Declared and verified totals of one request; its items are the detail.

    A single request stores its items as VerificationItem rows and the batch
    in `compact_items`; read them with `storing.stored_items`.

    Income is monthly, assets are values on the day, spending is the sum of
    the 12 months before the day. All money is integer fen.
    """

    request = models.OneToOneField(
        VerificationRequest,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="report",
    )
    declared_income_fen = models.BigIntegerField(_("declared monthly income (fen)"))
    verified_income_fen = models.BigIntegerField(_("verified monthly income (fen)"))
    declared_assets_fen = models.BigIntegerField(_("declared assets (fen)"))
    verified_assets_fen = models.BigIntegerField(_("verified assets (fen)"))
    verified_spending_fen = models.BigIntegerField(
        _("verified rigid spending over 12 months (fen)")
    )
    minor_items = models.PositiveIntegerField(_("minor discrepancies"))
    major_items = models.PositiveIntegerField(_("major discrepancies"))
    severity = models.CharField(
        _("largest discrepancy"), max_length=8, choices=Severity
    )
    # The batch stores a report's items here as one JSON array instead of
    # VerificationItem rows; `storing.ITEM_FIELDS` gives the positions. Empty
    # for a report with item rows.
    compact_items = models.TextField(_("compared items"), blank=True, default="")

    class Meta:
        verbose_name = _("verification report")
        verbose_name_plural = _("verification reports")

    def __str__(self) -> str:
        return f"verification report {self.pk}"


class VerificationItem(models.Model):
    """One compared figure: a member's income of a kind, or a household total.

    `declared_fen` is null where the registry has no declared value of
    that category (spending). `discrepancy_fen` is verified minus declared,
    and `discrepancy_share` is that as a share of the declared value (null
    when nothing, or zero, was declared). `sources` lists the department
    records behind the verified figure: batch id, source code, department
    and the first and last record dates.
    """

    report = models.ForeignKey(
        VerificationReport, on_delete=models.PROTECT, related_name="items"
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.CharField(_("category"), max_length=8, choices=Category)
    item = models.CharField(_("item"), max_length=32)
    declared_fen = models.BigIntegerField(_("declared (fen)"), null=True, blank=True)
    verified_fen = models.BigIntegerField(_("verified (fen)"))
    discrepancy_fen = models.BigIntegerField(
        _("discrepancy (fen)"), null=True, blank=True
    )
    discrepancy_share = models.DecimalField(
        _("discrepancy share"), max_digits=24, decimal_places=4, null=True, blank=True
    )
    severity = models.CharField(_("discrepancy"), max_length=8, choices=Severity)
    sources = models.JSONField(_("sources"), default=list)

    class Meta:
        verbose_name = _("verification item")
        verbose_name_plural = _("verification items")
        indexes = [models.Index(fields=["report", "category"])]

    def __str__(self) -> str:
        return f"{self.category}/{self.item} of report {self.report_id}"
