"""Awards of assistance, their life events, reviews and monthly payment rolls."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from doudi.assessments.models import Scheme
from doudi.privacy.fields import EncryptedTextField


class AwardStatus(models.TextChoices):
    ACTIVE = "active", _("In payment")
    SUSPENDED = "suspended", _("Suspended")
    GRADUAL_EXIT = "gradual_exit", _("Gradual exit")
    TERMINATED = "terminated", _("Terminated")


class Award(models.Model):
    """Assistance granted to a household under one scheme, paid monthly.

    Money is integer fen. `start_month` and `end_month` are first days of
    months: the award is in payment from `start_month` through `end_month`
    (both included); an open award has no `end_month`. `starts_on` and
    `ends_on` are the first and last days in payment inside those months.
    Only the by-day prorating rule reads them. Because payment starts from
    the month after approval, `starts_on` is the first day of `start_month`.
    `addons` lists `{"code", "label", "amount_fen"}` items paid on top of
    `amount_fen` every month.
    """

    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("household"),
    )
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award",
        verbose_name=_("case"),
    )
    scheme = models.CharField(_("scheme"), max_length=16, choices=Scheme)
    amount_fen = models.BigIntegerField(_("monthly amount (fen)"))
    addons = models.JSONField(_("add-ons"), default=list, blank=True)
    addons_fen = models.BigIntegerField(_("add-ons per month (fen)"), default=0)
    approved_on = models.DateField(_("approved on"))
    start_month = models.DateField(_("first month paid"))
    starts_on = models.DateField(_("first day paid"))
    end_month = models.DateField(_("last month paid"), null=True, blank=True)
    ends_on = models.DateField(_("last day paid"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AwardStatus, default=AwardStatus.ACTIVE
    )
    status_since = models.DateField(_("status since"))
    status_reason = models.TextField(_("reason"), blank=True, default="")
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)")
    )
    next_review_on = models.DateField(_("next review due"))
    district_code = models.CharField(_("district"), max_length=12)
    # The bank needs the real account, so the holder's name and the account
    # number are stored encrypted, read back only by the bank file export.
    # Both are in one token (see `doudi.payments.payee`), so the export
    # decrypts once per line. Pages show the last four digits.
    payee = EncryptedTextField(_("payee account"), null=True, blank=True)
    bank_account_last4 = models.CharField(max_length=4, blank=True, default="")
    bank_code = models.CharField(_("bank code"), max_length=12, blank=True, default="")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"))
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        indexes = [
            models.Index(fields=["district_code", "status"]),
            models.Index(fields=["household", "status"]),
            models.Index(fields=["next_review_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__gte=0) & Q(addons_fen__gte=0),
                name="award_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True)
                | Q(end_month__gte=models.F("start_month")),
                name="award_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(end_month__isnull=False),
                name="award_last_day_has_month",
            ),
        ]

    def __str__(self) -> str:
        return f"award {self.pk}"

    @property
    def monthly_total_fen(self) -> int:
        return self.amount_fen + self.addons_fen


class EventKind(models.TextChoices):
    GRANTED = "granted", _("Granted")
    SUSPENDED = "suspended", _("Suspended")
    RESUMED = "resumed", _("Resumed")
    GRADUAL_EXIT = "gradual_exit", _("Gradual exit started")
    TERMINATED = "terminated", _("Terminated")
    ENDED = "ended", _("Payment period ended")
    AMOUNT_CHANGED = "amount_changed", _("Amount changed")
    ACCOUNT_CHANGED = "account_changed", _("Bank account changed")


class AwardEvent(models.Model):
    """One change of an award's status or payee, with its date and reason."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=EventKind)
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"), blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("award event")
        verbose_name_plural = _("award events")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} of award {self.award_id} on {self.effective_on}"


class ChangeCategory(models.TextChoices):
    INCOME = "income", _("Income")
    MEMBERS = "members", _("Household members")
    ASSETS = "assets", _("Assets")
    HEALTH = "health", _("Health or disability")
    ADDRESS = "address", _("Address")
    OTHER = "other", _("Other")


class ReportedChange(models.Model):
    """A change in its circumstances that the household reported.

    The description may name people, so it is stored encrypted;
    `description_index` is its keyed hash, which finds a repeated report.
    """

    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, related_name="reported_changes"
    )
    category = models.CharField(_("category"), max_length=16, choices=ChangeCategory)
    reported_on = models.DateField(_("reported on"))
    description = EncryptedTextField(_("description"))
    description_index = models.CharField(max_length=64, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("reported change")
        verbose_name_plural = _("reported changes")
        constraints = [
            models.UniqueConstraint(
                fields=["award", "category", "reported_on", "description_index"],
                name="one_record_per_reported_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} change of award {self.award_id}"


class ReviewKind(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled review")
    DEATH = "death", _("Re-check after a member's death")
    REPORTED_CHANGE = "reported_change", _("Review of a reported change")


class ReviewStatus(models.TextChoices):
    DUE = "due", _("Due")
    DONE = "done", _("Done")


class ReviewOutcome(models.TextChoices):
    CONTINUED = "continued", _("Continued unchanged")
    AMOUNT_CHANGED = "amount_changed", _("Amount changed")
    SUSPENDED = "suspended", _("Suspended")
    GRADUAL_EXIT = "gradual_exit", _("Gradual exit")
    TERMINATED = "terminated", _("Terminated")


class Review(models.Model):
    """A review of an award that must be done by `due_on`.

    A scheduled review is unique per award and due date, a re-check per
    award and deceased member, a change review per reported change, so
    scheduling one again finds the first.
    """

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(_("kind"), max_length=16, choices=ReviewKind)
    due_on = models.DateField(_("due by"))
    status = models.CharField(
        _("status"), max_length=8, choices=ReviewStatus, default=ReviewStatus.DUE
    )
    deceased = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deceased member"),
    )
    change = models.OneToOneField(
        ReportedChange,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review",
    )
    created_at = models.DateTimeField(_("scheduled at"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ReviewOutcome, blank=True, default=""
    )
    note = models.TextField(_("note"), blank=True, default="")

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "due_on"],
                condition=Q(kind="scheduled"),
                name="one_scheduled_review_per_due_date",
            ),
            models.UniqueConstraint(
                fields=["award", "deceased"],
                condition=Q(kind="death"),
                name="one_recheck_per_death",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} review of award {self.award_id} due {self.due_on}"


class RollStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    EXPORTED = "exported", _("Exported to the bank")
    RECONCILED = "reconciled", _("Reconciled")


class PaymentRoll(models.Model):
    """The payments of one district for one month.

    A draft is computed again as often as needed; once signed its lines
    never change, only their bank results are recorded. `computed_by` is
    empty when the monthly cycle computed it.
    """

    district_code = models.CharField(_("district"), max_length=12)
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=12, choices=RollStatus, default=RollStatus.DRAFT
    )
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    total_fen = models.BigIntegerField(_("total (fen)"), default=0)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("computed by"),
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    export_checksum = models.CharField(max_length=64, blank=True, default="")
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("payment roll")
        verbose_name_plural = _("payment rolls")
        ordering = ["-month", "district_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["district_code", "month"], name="one_roll_per_district_month"
            ),
            models.CheckConstraint(
                condition=Q(total_fen__gte=0), name="roll_total_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"roll {self.district_code} {self.month:%Y-%m}"


class LineStatus(models.TextChoices):
    # Pending on a draft or signed roll, sent once the roll is exported.
    PENDING = "pending", _("Awaiting payment")
    HELD = "held", _("Held: no bank account")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class PaymentLine(models.Model):
    """One payment of one award for one month (`period`) on a roll.

    A line for the roll's own month has no `retry_of`. A line that pays a
    failed or held line again sits on a later roll and names it in
    `retry_of`. Each line is retried at most once, so a retry that fails
    again is retried by its own retry line.

    Lines are written only by the roll's INSERT … SELECT from the locked roll
    and existing awards, so `roll` and `award` have no database constraint
    and no index of their own: on PostgreSQL a constraint costs a trigger
    per inserted row, most of a roll's time. Django's PROTECT still stops
    deleting an award or roll that has lines. Look-ups by roll use the
    (roll, status) index, by award the (award, period) unique indexes.
    """

    roll = models.ForeignKey(
        PaymentRoll,
        on_delete=models.PROTECT,
        related_name="lines",
        db_index=False,
        db_constraint=False,
    )
    award = models.ForeignKey(
        Award,
        on_delete=models.PROTECT,
        related_name="payment_lines",
        db_index=False,
        db_constraint=False,
    )
    period = models.DateField(_("paid for month"))
    scheme = models.CharField(_("scheme"), max_length=16, choices=Scheme)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    days_paid = models.PositiveSmallIntegerField(_("days paid"))
    retry_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retries",
        db_index=False,
        db_constraint=False,
    )
    status = models.CharField(
        _("status"), max_length=8, choices=LineStatus, default=LineStatus.PENDING
    )
    reason_code = models.CharField(
        _("reason code"), max_length=8, blank=True, default=""
    )
    bank_reference = models.CharField(
        _("bank reference"), max_length=64, blank=True, default=""
    )
    settled_at = models.DateTimeField(_("result recorded at"), null=True, blank=True)
    needs_person = models.BooleanField(_("needs a person"), default=False)

    class Meta:
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        indexes = [
            models.Index(fields=["roll", "status"]),
            models.Index(
                fields=["status"],
                condition=Q(status__in=["failed", "held"]),
                name="paymentline_unsettled",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "period"],
                condition=Q(retry_of__isnull=True),
                name="one_regular_line_per_award_month",
            ),
            models.UniqueConstraint(
                fields=["award", "period"],
                condition=Q(status="paid"),
                name="award_month_paid_once",
            ),
            models.UniqueConstraint(
                fields=["retry_of"],
                condition=Q(retry_of__isnull=False),
                name="line_retried_once",
            ),
            models.CheckConstraint(
                condition=Q(amount_fen__gte=0), name="line_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"line {self.pk} of roll {self.roll_id}"


class ResultsImport(models.Model):
    """A bank results file imported for a roll, identified by its SHA-256."""

    roll = models.ForeignKey(
        PaymentRoll, on_delete=models.PROTECT, related_name="imports"
    )
    checksum = models.CharField(max_length=64)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    paid = models.PositiveIntegerField(_("paid"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    unchanged = models.PositiveIntegerField(_("already recorded"), default=0)
    unknown_line_ids = models.JSONField(_("unknown line ids"), default=list)
    conflicts = models.JSONField(_("conflicting results"), default=list)

    class Meta:
        verbose_name = _("bank results import")
        verbose_name_plural = _("bank results imports")
        constraints = [
            models.UniqueConstraint(
                fields=["roll", "checksum"], name="one_import_per_results_file"
            )
        ]

    def __str__(self) -> str:
        return f"results {self.checksum[:8]} of roll {self.roll_id}"
