"""Every change in the verification app goes through these functions.

Each checks the actor's role and region scope and writes the audit entry.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.exchange.kinds import FeedKind
from doudi.exchange.models import Batch
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User
from doudi.registry.models import Household, HouseholdAsset, Person, PersonFact
from doudi.verification import figures
from doudi.verification.authorisations import member_ids, refusal_reason
from doudi.verification.models import (
    Authorisation,
    RequestPurpose,
    RequestStatus,
    VerificationRequest,
)
from doudi.verification.queries import REPORT_ROLES
from doudi.verification.storing import store_single

logger = logging.getLogger(__name__)

# Community staff take the household's signature, so only they record it.
AUTHORISATION_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.STREET_REVIEWER})
# An authorisation lasts at most a year, so the household signs again at
# each yearly review and its consent never outlives the assistance period
# it was given for.
MAX_VALIDITY_MONTHS = 12
ADULT_AGE = 18


class VerificationRefused(Exception):
    """A verification that may not run. The message states why and what to do."""


def _require_scope(actor: User, household: Household, roles: frozenset[Role]) -> None:
    if not actor.is_active or actor.role not in roles or actor.region is None:
        raise PermissionDenied(_("Your role cannot do this."))
    if not household.region.path.startswith(actor.region.path):
        raise PermissionDenied(_("This household is outside your region."))


@transaction.atomic
def record_authorisation(
    actor: User,
    household: Household,
    *,
    signed_by: Person,
    members: Iterable[Person],
    data_kinds: Iterable[str],
    signed_on: date,
    valid_until: date,
) -> Authorisation:
    """Record a signed authorisation after checking who signed it and for whom.

    The signer must be an adult member on `signed_on`, every listed person a
    member that day, every kind a FeedKind, and `valid_until` after
    `signed_on` by at most MAX_VALIDITY_MONTHS.
    """
    _require_scope(actor, household, AUTHORISATION_ROLES)
    people = sorted({person.pk: person for person in members}.values(), key=_pk)
    kinds = sorted(set(data_kinds))
    _check_dates(signed_on, valid_until)
    _check_people(household, signed_by, people, signed_on)
    _check_kinds(kinds)
    with transaction.atomic():
        # Serialise recordings for the household, so a form sent twice
        # finds the first copy instead of adding a second.
        Household.objects.select_for_update().filter(pk=household.pk).exists()
        existing = _same_authorisation(
            household, signed_by, people, kinds, signed_on, valid_until
        )
        if existing is not None:
            return existing
        authorisation = Authorisation.objects.create(
            household=household,
            signed_by=signed_by,
            data_kinds=kinds,
            signed_on=signed_on,
            valid_until=valid_until,
            recorded_by=actor,
        )
        authorisation.members.set(people)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="verification.authorisation",
        object_id=authorisation.pk,
        purpose=Purpose.VERIFICATION,
        detail={"household": household.pk, "members": len(people), "kinds": kinds},
    )
    return authorisation


def _pk(person: Person) -> int:
    return person.pk


def _same_authorisation(
    household: Household,
    signed_by: Person,
    people: list[Person],
    kinds: list[str],
    signed_on: date,
    valid_until: date,
) -> Authorisation | None:
    """Return a live authorisation with exactly these terms, if one is recorded."""
    wanted = {person.pk for person in people}
    for item in Authorisation.objects.filter(
        household=household,
        signed_by=signed_by,
        signed_on=signed_on,
        valid_until=valid_until,
        revoked_at__isnull=True,
    ):
        if sorted(item.data_kinds) == kinds and wanted == set(
            item.members.values_list("pk", flat=True)
        ):
            return item
    return None


def _check_dates(signed_on: date, valid_until: date) -> None:
    if signed_on > timezone.localdate():
        raise ValidationError(_("The signing date cannot be in the future."))
    if valid_until <= signed_on:
        raise ValidationError(_("The end date must be after the signing date."))
    if valid_until > figures.months_before(signed_on, -MAX_VALIDITY_MONTHS):
        raise ValidationError(
            _("An authorisation lasts at most %(months)d months from signing.")
            % {"months": MAX_VALIDITY_MONTHS}
        )


def _check_people(
    household: Household, signed_by: Person, people: list[Person], signed_on: date
) -> None:
    if not people:
        raise ValidationError(_("Choose the members the authorisation covers."))
    on_day = set(member_ids(household.pk, signed_on))
    if signed_by.pk not in on_day:
        raise ValidationError(
            _("The signer must be a member of the household on the signing date.")
        )
    if signed_by.age_on(signed_on) < ADULT_AGE:
        raise ValidationError(
            _("The signer must be an adult (at least %(age)d) on the signing date.")
            % {"age": ADULT_AGE}
        )
    outside = [person for person in people if person.pk not in on_day]
    if outside:
        raise ValidationError(
            _(
                "Every covered person must be a member of the household on the "
                "signing date; %(count)d is not."
            )
            % {"count": len(outside)}
        )


def _check_kinds(kinds: list[str]) -> None:
    if not kinds:
        raise ValidationError(_("Choose the kinds of records the household allows."))
    unknown = [kind for kind in kinds if kind not in FeedKind.values]
    if unknown:
        raise ValidationError(
            _("Unknown kind of records: %(kinds)s.") % {"kinds": ", ".join(unknown)}
        )


@transaction.atomic
def require_can_revoke(actor: User, authorisation: Authorisation) -> None:
    """Raise PermissionDenied unless `actor` may revoke `authorisation`."""
    household = Household.objects.select_related("region").get(
        pk=authorisation.household_id
    )
    _require_scope(actor, household, AUTHORISATION_ROLES)


def revoke_authorisation(actor: User, authorisation: Authorisation) -> Authorisation:
    """Revoke an authorisation from now on; verifications already made remain."""
    authorisation = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
    household = Household.objects.select_related("region").get(
        pk=authorisation.household_id
    )
    _require_scope(actor, household, AUTHORISATION_ROLES)
    if authorisation.revoked_at is not None:
        raise ValidationError(_("This authorisation has already been revoked."))
    authorisation.revoked_at = timezone.now()
    authorisation.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="verification.authorisation",
        object_id=authorisation.pk,
        purpose=Purpose.VERIFICATION,
        detail={"household": household.pk, "fields": ["revoked_at"]},
    )
    return authorisation


@transaction.atomic
def verify_household(
    actor: User,
    household: Household,
    *,
    as_of: date,
    purpose: RequestPurpose,
) -> VerificationRequest:
    """Verify one household as of a day and store the request with its report.

    Raises VerificationRefused, storing nothing, when no valid authorisation
    covers every member and every kind the check reads.
    """
    _require_scope(actor, household, REPORT_ROLES)
    if as_of > timezone.localdate():
        raise ValidationError(_("The verification date cannot be in the future."))
    reason = refusal_reason(household, as_of)
    if reason is not None:
        logger.info("verification of household %d refused", household.pk)
        raise VerificationRefused(reason)
    with transaction.atomic():
        # Serialise requests for one household, so that a second click does
        # not store a second report of the same data.
        Household.objects.select_for_update().filter(pk=household.pk).first()
        existing = _unchanged_since(household, as_of, purpose)
        if existing is not None:
            return existing
        return _new_request(actor, household, as_of, purpose)


def _unchanged_since(
    household: Household, as_of: date, purpose: RequestPurpose
) -> VerificationRequest | None:
    """Return the latest request for the same day and purpose if no data came since.

    New data is a stored department batch, a declared fact of a member or a
    declared asset of the household recorded after the request.
    """
    latest = (
        VerificationRequest.objects.filter(
            household=household,
            as_of=as_of,
            purpose=purpose,
            status=RequestStatus.COMPLETED,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None:
        return None
    since = latest.created_at
    members = member_ids(household.pk, as_of)
    newer = (
        Batch.objects.filter(received_at__gte=since).exists()
        or PersonFact.objects.filter(
            person_id__in=members, recorded_at__gte=since
        ).exists()
        or HouseholdAsset.objects.filter(
            household=household, recorded_at__gte=since
        ).exists()
    )
    return None if newer else latest


def _new_request(
    actor: User, household: Household, as_of: date, purpose: RequestPurpose
) -> VerificationRequest:
    request = VerificationRequest.objects.create(
        household=household,
        as_of=as_of,
        purpose=purpose,
        requested_by=actor,
        status=RequestStatus.COMPLETED,
        created_at=timezone.now(),
    )
    store_single(request)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="verification.request",
        object_id=request.pk,
        purpose=Purpose.VERIFICATION,
        detail={"household": household.pk, "as_of": as_of.isoformat()},
    )
    return request
