"""Link a portal account to a registry person, by ID match or by a worker.

A phone is linked only after the resident's ID number and name both match
one registry person (looked up by their blind indexes), or after a community
worker of the person's community confirms it. Each link is audited. Failed
matches say only that nothing matched, and are limited per account, so the
form cannot be used to test whether an ID is in the registry.
"""

from __future__ import annotations

import logging
from typing import Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.portal import ratelimit
from doudi.portal.choices import LinkMethod
from doudi.portal.limits import limit
from doudi.portal.models import PortalAccount
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User
from doudi.registry import resident_id
from doudi.registry.models import Person
from doudi.registry.services import name_index, resident_id_index

logger = logging.getLogger(__name__)

DAY: Final = 86400
OBJECT_TYPE: Final = "portal.account"


def find_person(raw_id: str, name: str | None = None) -> Person | None:
    """Return the person with this resident ID (and name, if given), or None."""
    try:
        canonical = resident_id.normalize(raw_id)
    except resident_id.InvalidResidentId:
        raise ValidationError(
            _(
                "The resident ID is not valid: enter the 18 characters printed "
                "on the ID card, with X as the last one if the card shows it."
            ),
            code="invalid_id",
        ) from None
    people = Person.objects.filter(resident_id_index=resident_id_index(canonical))
    if name is not None:
        people = people.filter(name_index=name_index(name))
    return people.first()


def link_by_identity(
    account: PortalAccount,
    raw_id: str,
    name: str,
    request: HttpRequest | None = None,
) -> PortalAccount:
    """Link the account to the person whose resident ID and name both match."""
    if account.is_linked:
        return account
    subject = str(account.pk)
    window = DAY
    if ratelimit.exceeded(
        "link-fail",
        subject,
        limit=limit("PORTAL_LINK_FAILURES_PER_DAY"),
        window_seconds=window,
    ):
        raise ValidationError(
            _("Too many attempts today. Ask your community worker to link your phone."),
            code="throttled",
        )
    person = find_person(raw_id, name.strip()) if name.strip() else None
    if person is None:
        ratelimit.hit("link-fail", subject, limit=1 << 30, window_seconds=window)
        _audit(
            None, account, AuditAction.DENIED, request, {"method": LinkMethod.ID_MATCH}
        )
        raise ValidationError(
            _(
                "The ID number and name do not match our records. Check both "
                "against the ID card, or ask your community worker for help."
            ),
            code="no_match",
        )
    return _link(account, person, LinkMethod.ID_MATCH, None, request)


def confirm_link(
    worker: User,
    account: PortalAccount,
    raw_id: str,
    request: HttpRequest | None = None,
) -> PortalAccount:
    """Link the account to a person in the worker's community, on the worker's word."""
    if worker.role != Role.COMMUNITY_WORKER or worker.region is None:
        raise PermissionDenied(_("Only a community worker can confirm a link."))
    person = find_person(raw_id)
    if person is None or not _in_region(person, worker):
        _audit(worker, account, AuditAction.DENIED, request, {"method": "worker"})
        raise ValidationError(
            _(
                "No person with this resident ID lives in your community. "
                "Check the ID card, or register the household first."
            ),
            code="not_found",
        )
    return _link(account, person, LinkMethod.WORKER_CONFIRMED, worker, request)


def _in_region(person: Person, worker: User) -> bool:
    assert worker.region is not None
    return person.memberships.filter(
        end_date__isnull=True,
        household__region__path__startswith=worker.region.path,
    ).exists()


@transaction.atomic
def _link(
    account: PortalAccount,
    person: Person,
    method: LinkMethod,
    worker: User | None,
    request: HttpRequest | None,
) -> PortalAccount:
    account = PortalAccount.objects.select_for_update().get(pk=account.pk)
    if account.is_linked:
        return account
    account.person = person
    account.user = resident_user(person)
    account.link_method = method
    account.linked_at = timezone.now()
    account.linked_by = worker
    account.save(
        update_fields=["person", "user", "link_method", "linked_at", "linked_by"]
    )
    actor = worker or account.user
    _audit(
        actor,
        account,
        AuditAction.UPDATE,
        request,
        {"person": person.pk, "method": method},
    )
    logger.info(
        "portal account %s linked to person %s (%s)", account.pk, person.pk, method
    )
    return account


def resident_user(person: Person) -> User:
    """Return the person's resident user, created on first link."""
    existing = User.objects.filter(person=person).first()
    if existing is not None:
        if existing.role != Role.RESIDENT:
            raise PermissionDenied(
                _("This person's account is not a resident account.")
            )
        return existing
    user = User(username=f"resident-{person.pk}", role=Role.RESIDENT, person=person)
    user.set_unusable_password()
    user.save()
    return user


def _audit(
    actor: User | None,
    account: PortalAccount,
    action: AuditAction,
    request: HttpRequest | None,
    detail: dict[str, object],
) -> None:
    purpose = (
        Purpose.CASE_WORK
        if actor and actor.role != Role.RESIDENT
        else Purpose.OWN_RECORD
    )
    audit.record(
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=account.pk,
        purpose=purpose,
        request=request,
        detail={key: str(value) for key, value in detail.items()},
    )
