"""Data sources, the batches they deliver, and what became of each row.

Every delivered row ends in exactly one place: a stored fact (with the
batch and row it came from), the quarantine (with the reason and the raw
row, encrypted), or the unmatched queue (with candidate persons). A batch is
stored whole or not at all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from doudi.exchange.kinds import FeedKind
from doudi.privacy.fields import EncryptedTextField


class DeliveryMode(models.TextChoices):
    FILE = "file", _("Files in the inbox or uploaded")
    PUSH = "push", _("Pushed to our API")
    QUERY = "query", _("Queried from the department's API")


class DataSource(models.Model):
    """A department system that sends us records, and how it reaches us."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    department = models.CharField(_("department"), max_length=200)
    kinds = models.JSONField(_("kinds of records"), default=list)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    schema_version = models.CharField(_("schema version"), max_length=16, default="1")
    delivery_mode = models.CharField(
        _("delivery mode"), max_length=8, choices=DeliveryMode
    )
    # SHA-256 of the push token. The token itself is shown once when issued.
    push_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    query_url = models.URLField(_("query API address"), blank=True)
    query_secret = EncryptedTextField(_("query API secret"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.department})"


class Channel(models.TextChoices):
    INBOX = "inbox", _("Inbox folder")
    UPLOAD = "upload", _("Uploaded by an operator")
    PUSH = "push", _("Push API")
    QUERY = "query", _("Query to the department")
    RESUBMIT = "resubmit", _("Corrected rows re-submitted")


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (.xlsx)"
    JSONL = "jsonl", "JSON Lines"
    PARQUET = "parquet", "Parquet"
    JSON = "json", "JSON"
    # A file whose name has no supported extension. Its batch is rejected.
    OTHER = "other", _("Other")


class BatchStatus(models.TextChoices):
    STORED = "stored", _("Stored")
    REJECTED = "rejected", _("Rejected whole")


class Batch(models.Model):
    """One delivery. Re-delivering the same bytes finds this row again."""

    source = models.ForeignKey(
        DataSource, on_delete=models.PROTECT, related_name="batches"
    )
    kind = models.CharField(_("kind of records"), max_length=32, choices=FeedKind)
    checksum = models.CharField(_("SHA-256 checksum"), max_length=64)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_format = models.CharField(_("format"), max_length=8, choices=FileFormat)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=BatchStatus)
    error = models.TextField(_("why it was rejected"), blank=True)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects batch"),
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_stored = models.PositiveIntegerField(_("rows stored"), default=0)
    rows_quarantined = models.PositiveIntegerField(_("rows quarantined"), default=0)
    rows_unmatched = models.PositiveIntegerField(_("rows unmatched"), default=0)
    # Rows equal to an earlier row of the same batch, stored once.
    rows_duplicate = models.PositiveIntegerField(_("duplicate rows"), default=0)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "checksum"], name="one_batch_per_delivery"
            ),
        ]
        indexes = [models.Index(fields=["source", "kind", "received_at"])]

    def __str__(self) -> str:
        return f"batch {self.pk} of {self.source_id} ({self.kind})"


class FactCategory(models.TextChoices):
    INCOME = "income", _("Income")
    ASSET = "asset", _("Asset")
    SPENDING = "spending", _("Spending")
    EVENT = "event", _("Event")
    STATUS = "status", _("Status")


class ExchangeFact(models.Model):
    """A normalised fact from a department, with its provenance.

    `category` and `item` use the policy engine's vocabulary. For `income`,
    `item` is an income kind of doudi.policy.inputs.INCOME_KINDS and
    `amount_fen` is monthly. For `asset`, `item` is an asset kind of
    ASSET_KINDS (plus `business` and `housing_fund`) and `amount_fen` is the
    value, with `quantity` the floor area in square metres for housing or the
    count of vehicles. For `spending`, `item` is a spending kind of
    SPENDING_KINDS and `amount_fen` is the amount paid on `valid_from`.
    `event` and `status` carry their value in `code`. A correcting batch sets
    `superseded_by` on the facts it replaces, so history is kept.
    """

    # Facts are loaded in the millions, so each costs as little as it can.
    # The foreign keys have no indexes of their own: the two composite
    # indexes below start with them, and superseded_by is indexed only where
    # it is set. They have no database constraints either, because the
    # per-row check (on PostgreSQL a row lock on the person) costs about as
    # much as the insert. The pipeline writes only ids it read in the same run,
    # persons and batches are never deleted, and Django's PROTECT still
    # stops a deletion by looking here first.
    batch = models.ForeignKey(
        Batch,
        on_delete=models.PROTECT,
        related_name="facts",
        db_index=False,
        db_constraint=False,
    )
    row_number = models.PositiveIntegerField(_("row"))
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="exchange_facts",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(_("kind of records"), max_length=32, choices=FeedKind)
    category = models.CharField(_("category"), max_length=8, choices=FactCategory)
    item = models.CharField(_("item"), max_length=32)
    amount_fen = models.BigIntegerField(_("amount (fen)"), null=True, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    code = models.CharField(_("value"), max_length=32, blank=True, default="")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        Batch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_facts",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("department fact")
        verbose_name_plural = _("department facts")
        indexes = [
            models.Index(fields=["person", "category", "valid_from"]),
            models.Index(fields=["batch", "row_number"]),
            models.Index(
                fields=["superseded_by"],
                condition=Q(superseded_by__isnull=False),
                name="exchange_fact_superseded",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="exchange_fact_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.item} of {self.person_id} from {self.valid_from}"


class RowStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an operator")
    RESUBMITTED = "resubmitted", _("Corrected and re-submitted")
    CONFIRMED = "confirmed", _("Matched by an operator")
    DISCARDED = "discarded", _("Discarded")


class QuarantineReason(models.TextChoices):
    UNKNOWN_REGION = "unknown_region", _("Unknown region code")
    NEGATIVE_AMOUNT = "negative_amount", _("Negative amount")
    FUTURE_DATE = "future_date", _("Date in the future")
    MISSING_VALUE = "missing_value", _("Missing required value")
    UNDECODABLE_TEXT = "undecodable_text", _("Undecodable text")
    INVALID_VALUE = "invalid_value", _("Invalid value")
    NOT_AUTHORISED = "not_authorised", _("No authorisation for this person")


class UnmatchedReason(models.TextChoices):
    MISSING_ID = "missing_id", _("Resident ID missing")
    INVALID_ID = "invalid_id", _("Resident ID invalid")
    NOT_FOUND = "not_found", _("No person with this resident ID")


class QuarantinedRow(models.Model):
    """A row that could not be interpreted, kept whole with the reason."""

    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="quarantined"
    )
    row_number = models.PositiveIntegerField(_("row"))
    # The raw row as JSON text. It contains personal data, so it is encrypted.
    raw = EncryptedTextField(_("raw row"))
    reason = models.CharField(_("reason"), max_length=32)
    # Names the field and the problem, never the personal value itself.
    message = models.TextField(_("what is wrong"))
    # The column at fault, so the message is written again in the reader's
    # language. It is empty where the message needs no column.
    field = models.CharField(_("column"), max_length=64, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=12, choices=RowStatus, default=RowStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resubmitted_in = models.ForeignKey(
        Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("quarantined row")
        verbose_name_plural = _("quarantined rows")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "row_number"], name="one_quarantine_per_row"
            ),
        ]
        indexes = [models.Index(fields=["status", "batch"])]

    def __str__(self) -> str:
        return f"row {self.row_number} of batch {self.batch_id} ({self.reason})"

    @property
    def shown_message(self) -> str:
        """The message in the reader's language, from the reason and column."""
        from doudi.exchange.wording import row_message

        return row_message(self)


class UnmatchedRecord(models.Model):
    """A valid row whose person could not be found by resident ID."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="unmatched")
    row_number = models.PositiveIntegerField(_("row"))
    raw = EncryptedTextField(_("raw row"))
    reason = models.CharField(_("reason"), max_length=32)
    # Person ids with the same name index and birth date, for the operator.
    candidates = models.JSONField(_("candidate persons"), default=list)
    status = models.CharField(
        _("status"), max_length=12, choices=RowStatus, default=RowStatus.OPEN
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("unmatched record")
        verbose_name_plural = _("unmatched records")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "row_number"], name="one_unmatched_per_row"
            ),
        ]
        indexes = [models.Index(fields=["status", "batch"])]

    def __str__(self) -> str:
        return f"unmatched row {self.row_number} of batch {self.batch_id}"
