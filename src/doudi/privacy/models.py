"""Staff accounts, and the append-only audit log with its hash chain."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from doudi.privacy.choices import OBJECT_TYPE_LABELS, AuditAction, Purpose, Role


class User(AbstractUser):
    """A staff member bound to a region, or a resident bound to a person."""

    role = models.CharField(_("role"), max_length=32, choices=Role)
    region = models.ForeignKey(
        "registry.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("region"),
    )
    person = models.OneToOneField(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account",
        verbose_name=_("person"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role=Role.RESIDENT, person__isnull=False)
                    | (~models.Q(role=Role.RESIDENT) & models.Q(region__isnull=False))
                ),
                name="staff_have_region_residents_have_person",
            )
        ]


class AuditEntry(models.Model):
    """One audited event. Rows are never updated or deleted.

    `content_hash` is computed from the other columns when the row is
    written. The chain that makes removal or edits detectable is in
    `AuditLink`, written later in batches so that requests do not wait on it.
    Detail contains identifiers and field names only, never personal values.
    """

    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    role = models.CharField(_("role"), max_length=32, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction)
    object_type = models.CharField(_("record type"), max_length=64)
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose)
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    record_count = models.PositiveIntegerField(_("records"), null=True, blank=True)
    checksum = models.CharField(_("checksum"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    content_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id} ({self.actor_label})"

    @property
    def object_type_label(self) -> str:
        label = OBJECT_TYPE_LABELS.get(self.object_type)
        return str(label) if label is not None else self.object_type


class AuditLink(models.Model):
    """A link of the audit hash chain: entry `entry_id` sealed at `seq`.

    `entry_id` is a plain integer, not a foreign key, so a deleted entry
    leaves a dangling link that verification reports.
    """

    seq = models.BigIntegerField(primary_key=True)
    entry_id = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    link_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"link {self.seq} → entry {self.entry_id}"
