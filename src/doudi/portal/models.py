"""Resident accounts, sign-in codes, help requests and their timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from doudi.portal.choices import (
    ContactMethod,
    Destination,
    EventKind,
    HelpKind,
    LinkMethod,
    RequestStatus,
    Urgency,
    Who,
)
from doudi.privacy.fields import EncryptedTextField


class PortalAccount(models.Model):
    """A resident who signed in with a phone number and a one-time code.

    The account exists from the first sign-in. `person` and `user` stay
    empty until the phone is linked to a registry person, by an ID and name
    match or a community worker's confirmation. `user` is then the
    resident's `privacy.User` (role RESIDENT), which opens cases.
    """

    phone = EncryptedTextField(_("phone"))
    phone_index = models.CharField(max_length=32, unique=True, editable=False)
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portal_accounts",
        verbose_name=_("person"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portal_accounts",
    )
    link_method = models.CharField(
        _("linked by"), max_length=20, choices=LinkMethod, blank=True
    )
    linked_at = models.DateTimeField(_("linked at"), null=True, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=True, user__isnull=True, linked_at=None)
                | Q(person__isnull=False, user__isnull=False, linked_at__isnull=False),
                name="portal_account_linked_together",
            )
        ]

    def __str__(self) -> str:
        return f"{_('Portal account')} {self.pk}"

    @property
    def is_linked(self) -> bool:
        return self.person_id is not None


class SignInCode(models.Model):
    """A one-time code sent to a phone, stored only as a keyed hash.

    Rows are keyed by the phone's blind index, so a code can be sent before
    any account exists and the table never contains the number itself.
    """

    phone_index = models.CharField(max_length=32, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone_index", "created_at"])]

    def __str__(self) -> str:
        return f"sign-in code {self.pk}"


class HelpRequest(models.Model):
    """A request for help, a draft until the resident sends it.

    `idempotency_key` comes from the form, so the same form sent twice finds
    the same row. Free-text fields are encrypted.
    """

    account = models.ForeignKey(
        PortalAccount, on_delete=models.PROTECT, related_name="help_requests"
    )
    idempotency_key = models.UUIDField()
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus, default=RequestStatus.DRAFT
    )
    who = models.CharField(_("who needs help"), max_length=8, choices=Who, blank=True)
    kind = models.CharField(
        _("kind of help"), max_length=16, choices=HelpKind, blank=True
    )
    urgency = models.CharField(
        _("how urgent"), max_length=12, choices=Urgency, blank=True
    )
    contact_method = models.CharField(
        _("how to reach you"), max_length=12, choices=ContactMethod, blank=True
    )
    contact_phone = EncryptedTextField(_("other phone"), null=True, blank=True)
    details = EncryptedTextField(_("details"), null=True, blank=True)
    # The household the account was linked to when the request was sent.
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The community that handles the request. Empty means the intake desk,
    # which every community worker can read (the resident is not linked).
    region = models.ForeignKey(
        "registry.Region", on_delete=models.PROTECT, null=True, blank=True
    )
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community worker who helped"),
    )
    destination = models.CharField(
        _("sent to"), max_length=20, choices=Destination, blank=True
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portal_requests",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    routed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"], name="one_request_per_key"
            )
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["account", "created_at"]),
            models.Index(fields=["region", "status"]),
        ]

    def __str__(self) -> str:
        return f"{_('Help request')} {self.pk}"


class HelpRequestDocument(models.Model):
    """A document sent with a request, kept under DATA_DIR outside the web root."""

    request = models.ForeignKey(
        HelpRequest, on_delete=models.PROTECT, related_name="documents"
    )
    original_name = EncryptedTextField(_("file name"))
    stored_name = models.CharField(max_length=64, unique=True)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"document {self.pk} of request {self.request_id}"


class RequestEvent(models.Model):
    """One step of a request's timeline, shown to the resident in plain words."""

    request = models.ForeignKey(
        HelpRequest, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=16, choices=EventKind)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} on request {self.request_id}"
