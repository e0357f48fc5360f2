"""Test helpers: a browser session of a resident linked to a registry person.

The portal signs residents in by a code sent to their phone. Tests of the
menu and of feedback start from a signed-in, linked resident, so they make
the account and put it in the session directly.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.test import Client

from doudi.portal import linking
from doudi.portal.accounts import ACCOUNT_KEY
from doudi.portal.models import PortalAccount
from doudi.portal.signin import phone_index


def linked_account(phone: str, resident_id: str, name: str) -> PortalAccount:
    """Create a portal account for `phone` linked to the person with that ID."""
    account = PortalAccount.objects.create(phone=phone, phone_index=phone_index(phone))
    return linking.link_by_identity(account, resident_id, name)


def unlinked_account(phone: str) -> PortalAccount:
    return PortalAccount.objects.create(phone=phone, phone_index=phone_index(phone))


def portal_client(account: PortalAccount, language: str = "en") -> Client:
    """Return a client whose session is signed in to the portal as `account`."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    session = client.session
    session[ACCOUNT_KEY] = account.pk
    session.save()
    return client


def portal_session_key(account: PortalAccount) -> str:
    """Store a portal session for `account` and return its key, for a browser."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[ACCOUNT_KEY] = account.pk
    store.create()
    return str(store.session_key)
