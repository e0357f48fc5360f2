"""Recipients' addresses on each channel, read at send time.

Addresses are not copied into the notification tables, so a corrected
phone number or email applies to messages still waiting.
"""

from __future__ import annotations

from django.db.models import F

from doudi.notifications.choices import Channel
from doudi.notifications.models import Message, Preference
from doudi.portal.models import PortalAccount
from doudi.registry.models import Person


def resident_phone(person: Person) -> str | None:
    """Return the phone the resident last signed in with, else the registry's.

    A phone linked through the portal was proven by a one-time code, so it
    is preferred to the number in the registry.
    """
    newest_first = F("last_signed_in_at").desc(nulls_last=True)
    account = (
        PortalAccount.objects.filter(person=person)
        .order_by(newest_first, "-pk")
        .first()
    )
    if account is not None and account.phone:
        return str(account.phone)
    return person.phone or None


def address_for(message: Message, channel: str) -> str | None:
    if message.user is not None:
        return message.user.email or None if channel == Channel.EMAIL else None
    person = message.person
    if person is None:
        return None
    if channel == Channel.SMS:
        return resident_phone(person)
    preference = Preference.objects.filter(person=person).first()
    if preference is None:
        return None
    if channel == Channel.EMAIL:
        return preference.email_address or None
    if channel == Channel.WECHAT:
        return preference.wechat_openid or None
    return None
