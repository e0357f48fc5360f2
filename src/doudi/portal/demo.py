"""The demo resident's phone: linked to the demo resident's household.

Development only, like the other demo accounts. The number is synthetic; its
sign-in codes are written to the SMS outbox file like every other message.
"""

from __future__ import annotations

from typing import Final

from doudi.portal import linking, signin
from doudi.portal.models import PortalAccount
from doudi.privacy.models import User

DEMO_PHONE: Final = "+8613900000001"


def ensure_demo_phone(worker: User, resident: User) -> str:
    """Link the demo phone to the demo resident's person; return the number."""
    assert resident.person is not None
    account, _ = PortalAccount.objects.get_or_create(
        phone_index=signin.phone_index(DEMO_PHONE), defaults={"phone": DEMO_PHONE}
    )
    linking.confirm_link(worker, account, str(resident.person.resident_id))
    return DEMO_PHONE
