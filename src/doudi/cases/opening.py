"""Open a case from any channel, accept it, withdraw it, mark it special."""

from __future__ import annotations

import logging
from typing import Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.assessments.models import Scheme
from doudi.cases import deadlines, workflow
from doudi.cases.declaration import Declaration, validate
from doudi.cases.models import Case, CaseAction, CaseKind, Channel, Step
from doudi.cases.registry_record import record_declaration
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import User
from doudi.registry.models import Household, Membership

logger = logging.getLogger(__name__)

# The role that opens a case through each channel. A resident applies online
# for their own household, and the community worker enters the other channels.
OPENER_ROLES: Final = {
    Channel.PORTAL: Role.RESIDENT,
    Channel.WALK_IN: Role.COMMUNITY_WORKER,
    Channel.WARNING: Role.COMMUNITY_WORKER,
    Channel.REFERRAL: Role.COMMUNITY_WORKER,
}
# A warning or a referral names its source, so the case can be traced back.
NEEDS_REFERENCE: Final = frozenset({Channel.WARNING, Channel.REFERRAL})
MAX_REFERENCE_LENGTH: Final = 64


def load(case_id: int) -> Case:
    """Return the case with its region and household, or raise Http404."""
    cases = Case.objects.select_related("region", "household__region")
    case = cases.filter(pk=case_id).first()
    if case is None:
        raise Http404(_("No case %(pk)s.") % {"pk": case_id})
    return case


def open_case(
    actor: User,
    *,
    household_id: int,
    scheme: str,
    channel: str,
    declaration: Declaration,
    source_reference: str = "",
    delegated: bool = False,
    request: HttpRequest | None = None,
) -> tuple[Case, bool]:
    """Open an application; return it and whether it is new.

    While the household has an open application for the scheme, that case
    is returned unchanged, so a form sent twice opens one case.
    """
    household = _household(household_id)
    try:
        _check_opener(actor, household, channel)
    except PermissionDenied:
        audit.record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type="registry.household",
            object_id=household.pk,
            purpose=workflow.purpose_for(actor),
            request=request,
            detail={"action": CaseAction.OPEN.value, "channel": channel},
        )
        raise
    reference = _check_request(scheme, channel, source_reference)
    validate(declaration, _member_ids(household))
    with transaction.atomic():
        # Serialise openings for the household so the look-up below finds a
        # case opened by a concurrent request.
        Household.objects.select_for_update().filter(pk=household.pk).exists()
        existing = _open_application(household.pk, scheme)
        if existing is not None:
            return existing, False
        case = _new_case(actor, household, scheme, channel, declaration, reference)
        case.delegated = delegated
        try:
            with transaction.atomic():
                case.save(force_insert=True)
        except IntegrityError:
            existing = _open_application(household.pk, scheme)
            if existing is None:
                raise
            return existing, False
        workflow.add_event(actor, case, CaseAction.OPEN)
        _audit_created(actor, case, request)
        # Verification compares department records with the registry's
        # declared figures, so the declaration goes there too.
        record_declaration(actor, household, declaration, timezone.localdate())
    logger.info("case %s opened for household %s", case.pk, household.pk)
    return case, True


def _household(household_id: int) -> Household:
    household = (
        Household.objects.select_related("region").filter(pk=household_id).first()
    )
    if household is None:
        raise Http404(_("No household %(pk)s.") % {"pk": household_id})
    return household


def _check_opener(actor: User, household: Household, channel: str) -> None:
    if channel not in Channel.values:
        raise ValidationError(
            _("%(channel)s is not a channel; use one of: %(allowed)s.")
            % {"channel": channel, "allowed": ", ".join(Channel.values)}
        )
    if not actor.is_active or actor.role != OPENER_ROLES[Channel(channel)]:
        raise PermissionDenied(
            _("Your role cannot open a case through the channel “%(channel)s”.")
            % {"channel": Channel(channel).label}
        )
    if actor.role == Role.RESIDENT:
        own = actor.person_id is not None and (
            Membership.objects.filter(
                person_id=actor.person_id, household=household, end_date__isnull=True
            ).exists()
        )
        if not own:
            raise PermissionDenied(_("You can apply only for your own household."))
    elif actor.region is None or not household.region.path.startswith(
        actor.region.path
    ):
        raise PermissionDenied(_("This household is outside your region."))


def _check_request(scheme: str, channel: str, source_reference: str) -> str:
    if scheme not in Scheme.values:
        raise ValidationError(
            _("%(scheme)s is not a scheme; use one of: %(allowed)s.")
            % {"scheme": scheme, "allowed": ", ".join(Scheme.values)}
        )
    reference = source_reference.strip()
    if channel in NEEDS_REFERENCE and not reference:
        raise ValidationError(
            _("Give the warning number or the referring department's reference.")
        )
    if len(reference) > MAX_REFERENCE_LENGTH:
        raise ValidationError(
            _("The source reference has %(count)d characters; use at most %(max)d.")
            % {"count": len(reference), "max": MAX_REFERENCE_LENGTH}
        )
    return reference


def _member_ids(household: Household) -> list[int]:
    return list(
        household.memberships.filter(end_date__isnull=True).values_list(
            "person_id", flat=True
        )
    )


def _open_application(household_id: int, scheme: str) -> Case | None:
    return Case.objects.filter(
        household_id=household_id,
        scheme=scheme,
        kind=CaseKind.APPLICATION,
        closed_at__isnull=True,
    ).first()


def _new_case(
    actor: User,
    household: Household,
    scheme: str,
    channel: str,
    declaration: Declaration,
    reference: str,
) -> Case:
    today = timezone.localdate()
    case = Case(
        household=household,
        scheme=scheme,
        channel=channel,
        opened_at=timezone.now(),
        region=household.region,
        region_path=household.region.path,
        source_reference=reference,
        opened_by=actor,
        declaration=declaration.to_json(),
        step_started_on=today,
    )
    for name, value in deadlines.schedule(
        case, step=Step.ACCEPT, started_on=today
    ).items():
        setattr(case, name, value)
    return case


def _audit_created(actor: User, case: Case, request: HttpRequest | None) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=workflow.OBJECT_TYPE,
        object_id=case.pk,
        purpose=workflow.purpose_for(actor),
        request=request,
        detail={
            "household": case.household_id,
            "scheme": case.scheme,
            "channel": case.channel,
            "kind": case.kind,
        },
    )


def accept(
    actor: User, case_id: int, *, version: int, request: HttpRequest | None = None
) -> Case:
    """Accept an application; the whole case's limit counts from today."""
    case = load(case_id)
    workflow.require(actor, case, CaseAction.ACCEPT, version, request)
    with transaction.atomic():
        today = timezone.localdate()
        case.accepted_on = today
        changes = {
            "accepted_on": today,
            **deadlines.schedule(case, step=Step.SURVEY, started_on=today),
        }
        return workflow.commit(
            actor, case, version, CaseAction.ACCEPT, changes, request=request
        )


def withdraw(
    actor: User,
    case_id: int,
    *,
    version: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Close a case that the household no longer wants decided."""
    case = load(case_id)
    workflow.require(actor, case, CaseAction.WITHDRAW, version, request)
    with transaction.atomic():
        changes = {
            **deadlines.schedule(
                case, step=Step.WITHDRAWN, started_on=timezone.localdate(), closed=True
            ),
            "closed_at": timezone.now(),
        }
        return workflow.commit(
            actor,
            case,
            version,
            CaseAction.WITHDRAW,
            changes,
            note=note,
            request=request,
        )


def mark_special(
    actor: User,
    case_id: int,
    *,
    version: int,
    reason: str,
    request: HttpRequest | None = None,
) -> Case:
    """Give the case the longer limit of special cases, for a written reason."""
    if not reason.strip():
        raise ValidationError(_("The reason is missing: say why this case is special."))
    case = load(case_id)
    workflow.require(actor, case, CaseAction.MARK_SPECIAL, version, request)
    with transaction.atomic():
        case.special = True
        changes = {
            "special": True,
            **deadlines.schedule(
                case, step=Step(case.step), started_on=case.step_started_on
            ),
        }
        return workflow.commit(
            actor,
            case,
            version,
            CaseAction.MARK_SPECIAL,
            changes,
            note=reason.strip(),
            request=request,
        )
