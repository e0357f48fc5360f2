"""Residents' notification preferences, inbox messages and their deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doudi.notifications.choices import Channel, DeliveryStatus, Language
from doudi.privacy.fields import EncryptedTextField


class Preference(models.Model):
    """A resident's channels, quiet hours and language.

    Quiet hours are local times in the site's time zone. A start later than
    the end wraps past midnight (22:00 to 07:00).
    """

    person = models.OneToOneField(
        "registry.Person",
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("person"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language, default=Language.CHINESE
    )
    sms = models.BooleanField(_("text message"), default=True)
    email = models.BooleanField(_("email"), default=False)
    wechat = models.BooleanField(_("WeChat"), default=False)
    email_address = EncryptedTextField(_("email address"), null=True, blank=True)
    wechat_openid = EncryptedTextField(_("WeChat OpenID"), null=True, blank=True)
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{_('Notification preference')} {self.pk}"


class Message(models.Model):
    """One notification to one recipient, shown in the recipient's inbox.

    The recipient is a resident (`person`) or a staff member (`user`).
    `key` is the caller's idempotency key, unique per recipient, so a
    repeated call creates nothing new.
    """

    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    key = models.CharField(_("key"), max_length=200)
    template = models.CharField(_("template"), max_length=64)
    language = models.CharField(_("language"), max_length=8, choices=Language)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    # The template's placeholders, which an SMS provider fills into its own
    # registered copy of the text. Sign-in codes never reach this table.
    params = models.JSONField(default=dict)
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(person__isnull=False, user__isnull=True)
                    | models.Q(person__isnull=True, user__isnull=False)
                ),
                name="notification_has_one_recipient",
            ),
            models.UniqueConstraint(
                fields=["person", "key"], name="notification_key_per_person"
            ),
            models.UniqueConstraint(
                fields=["user", "key"], name="notification_key_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Notification')} {self.pk}"


class Delivery(models.Model):
    """One message sent through one outside channel, with its outcome.

    A message has at most one row per channel, each with a unique
    `idempotency_key`. A worker sets SENDING and commits before it calls the
    provider, which lets a later run recognise a send whose result was lost.
    """

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel)
    idempotency_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus,
        default=DeliveryStatus.QUEUED,
    )
    not_before = models.DateTimeField(_("not before"), db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sending_since = models.DateTimeField(null=True, blank=True)
    provider_code = models.CharField(_("provider code"), max_length=64, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    receipt_checked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "channel"], name="delivery_once_per_channel"
            )
        ]
        indexes = [models.Index(fields=["status", "not_before"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} {self.pk}"
