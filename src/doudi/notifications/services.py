"""Notify residents and staff, and change what residents receive.

Other apps call `notify_resident` and `notify_staff`. Both are idempotent
on (recipient, key): a repeated call with the same key creates and sends
nothing new, so callers may retry freely. Sending happens after the
caller's transaction commits, in Celery tasks.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from doudi.notifications.choices import Channel, DeliveryStatus, Language
from doudi.notifications.models import Delivery, Message, Preference
from doudi.notifications.rendering import Rendered, TemplateError, get_template, render
from doudi.notifications.schedule import release_time
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User
from doudi.registry.models import Person

logger = logging.getLogger(__name__)

MAX_KEY_LENGTH = 200


class RecipientNotFound(ValueError):
    """No person or staff account has the given id."""


def _check_request(template: str, key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(
            f"invalid notification key {key!r}: pass 1 to {MAX_KEY_LENGTH} "
            "characters that name the event, such as 'case-42-step-survey'"
        )
    if not get_template(template).inbox:
        raise TemplateError(
            f"template {template!r} is not stored in an inbox: "
            "send it with doudi.notifications.outbound.send_sms"
        )


def idempotency_key(recipient: str, key: str, channel: str) -> str:
    """Return the delivery key, the same for the same recipient, event and channel."""
    return hashlib.sha256(f"{recipient}|{key}|{channel}".encode()).hexdigest()[:40]


def preference_for(person: Person) -> Preference:
    """Return the person's saved preference, or the defaults unsaved."""
    found = Preference.objects.filter(person=person).first()
    return found or Preference(person=person)


def chosen_channels(preference: Preference) -> list[Channel]:
    flags = {
        Channel.SMS: preference.sms,
        Channel.EMAIL: preference.email,
        Channel.WECHAT: preference.wechat,
    }
    return [channel for channel, chosen in flags.items() if chosen]


def _send_time(preference: Preference, rendered: Rendered, now: datetime) -> datetime:
    if rendered.template.urgent:
        return now
    zone = ZoneInfo(settings.TIME_ZONE)
    return release_time(now, zone, preference.quiet_start, preference.quiet_end)


@dataclass(frozen=True)
class _Recipient:
    person: Person | None
    user: User | None
    label: str


def _create(
    recipient: _Recipient,
    rendered: Rendered,
    key: str,
    channels: list[Channel],
    not_before: datetime,
) -> Message | None:
    """Store the message and its deliveries; return None if the key was used."""
    with transaction.atomic():
        message, created = Message.objects.get_or_create(
            person=recipient.person,
            user=recipient.user,
            key=key,
            defaults={
                "template": rendered.template.name,
                "language": rendered.language,
                "subject": rendered.subject,
                "body": rendered.body,
                "params": rendered.params,
                "urgent": rendered.template.urgent,
            },
        )
        if not created:
            return None
        for channel in channels:
            Delivery.objects.create(
                message=message,
                channel=channel,
                idempotency_key=idempotency_key(recipient.label, key, channel),
                not_before=not_before,
            )
        audit.record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="notifications.message",
            object_id=message.pk,
            purpose=Purpose.SYSTEM,
            detail={"template": rendered.template.name, "channels": list(channels)},
        )
        transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id: int) -> None:
    # Imported here to avoid an import cycle: the delivery engine reads the
    # portal's accounts, and the portal calls this module.
    from doudi.notifications.tasks import send_delivery

    due = Delivery.objects.filter(
        message_id=message_id,
        status=DeliveryStatus.QUEUED,
        not_before__lte=timezone.now(),
    ).values_list("pk", flat=True)
    for delivery_id in due:
        try:
            send_delivery.delay(delivery_id)
        except Exception:
            # The caller's change is committed, so a failed hand-over must not
            # undo its response: the periodic dispatch sends it later.
            logger.exception("delivery %s could not be queued", delivery_id)


def notify_resident(
    person_id: int, template: str, context: dict[str, str], key: str
) -> None:
    """Put a message in the resident's inbox and send it on their chosen channels.

    Channels follow the resident's preference (text message by default).
    Outside urgent templates, a message due in the resident's quiet hours
    waits until they end. Raises RecipientNotFound, TemplateError or
    ValueError with the bad value.
    """
    _check_request(template, key)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise RecipientNotFound(
            f"person {person_id} not found: pass a registry Person id"
        )
    preference = preference_for(person)
    rendered = render(template, preference.language, context)
    not_before = _send_time(preference, rendered, timezone.now())
    recipient = _Recipient(person=person, user=None, label=f"person:{person.pk}")
    _create(recipient, rendered, key, chosen_channels(preference), not_before)


def notify_staff(
    user_id: int, template: str, context: dict[str, str], key: str
) -> None:
    """Put a message in a staff member's inbox, and email it if they have an email.

    Staff messages use the site's default language and have no quiet hours.
    """
    _check_request(template, key)
    user = User.objects.filter(pk=user_id).exclude(role=Role.RESIDENT).first()
    if user is None:
        raise RecipientNotFound(f"staff user {user_id} not found: pass a staff User id")
    rendered = render(template, settings.LANGUAGE_CODE, context)
    channels = [Channel.EMAIL] if user.email else []
    recipient = _Recipient(person=None, user=user, label=f"user:{user.pk}")
    _create(recipient, rendered, key, channels, timezone.now())


def _own_messages(user: User) -> QuerySet[Message]:
    if user.role == Role.RESIDENT:
        if user.person_id is None:
            return Message.objects.none()
        return Message.objects.filter(person_id=user.person_id)
    return Message.objects.filter(user=user)


def inbox(user: User) -> list[Message]:
    """Return the user's messages, newest first (a resident's are their person's)."""
    return list(_own_messages(user))


def owned_message(user: User, message_id: int) -> Message:
    """Return the user's message `message_id`; raise PermissionDenied if not theirs."""
    found = _own_messages(user).filter(pk=message_id).first()
    if found is None:
        raise PermissionDenied("message not found in this user's inbox")
    return found


def mark_read(user: User, message_id: int) -> Message:
    """Mark one of the user's messages read; marking it again changes nothing."""
    message = owned_message(user, message_id)
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
        audit.record(
            actor=user,
            action=AuditAction.UPDATE,
            object_type="notifications.message",
            object_id=message.pk,
            purpose=Purpose.OWN_RECORD,
            detail={"fields": ["read_at"]},
        )
    return message


@dataclass(frozen=True)
class PreferenceChange:
    language: Language
    sms: bool
    email: bool
    wechat: bool
    email_address: str
    wechat_openid: str
    quiet_start: time | None
    quiet_end: time | None


def _require_resident(user: User) -> Person:
    if user.role != Role.RESIDENT or user.person is None:
        raise PermissionDenied("only a signed-in resident may change these preferences")
    return user.person


def _check_change(change: PreferenceChange) -> None:
    if change.email and not change.email_address:
        raise ValueError("email chosen without an email address: enter the address")
    if change.wechat and not change.wechat_openid:
        raise ValueError("WeChat chosen without a WeChat OpenID: link WeChat first")
    if (change.quiet_start is None) != (change.quiet_end is None):
        raise ValueError("quiet hours need both a start and an end, or neither")


def _stored_values(change: PreferenceChange) -> dict[str, object]:
    values: dict[str, object] = dict(vars(change))
    # An empty address is stored as NULL, like a preference never set.
    values["email_address"] = change.email_address or None
    values["wechat_openid"] = change.wechat_openid or None
    return values


def update_preferences(user: User, change: PreferenceChange) -> Preference:
    """Save the signed-in resident's own channels, quiet hours and language."""
    person = _require_resident(user)
    _check_change(change)
    preference = preference_for(person)
    values = _stored_values(change)
    changed = [
        name for name, value in values.items() if getattr(preference, name) != value
    ]
    for name, value in values.items():
        setattr(preference, name, value)
    with transaction.atomic():
        preference.save()
        audit.record(
            actor=user,
            action=AuditAction.UPDATE,
            object_type="notifications.preference",
            object_id=preference.pk,
            purpose=Purpose.OWN_RECORD,
            detail={"fields": changed},
        )
    return preference
