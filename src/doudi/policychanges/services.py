"""Propose, approve, reject and withdraw parameter changes, each audited.

Every status change is one conditional UPDATE on ``status = 'proposed'``, so
of two officers deciding at once, or an approval racing a withdrawal,
exactly one succeeds and the other gets ``AlreadyDecided``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.policy.parameters import PolicyParameters
from doudi.policy.schema import SCHEMA, ParameterData, validate_value
from doudi.policychanges import effective
from doudi.policychanges.models import ChangeStatus, ParameterChange
from doudi.policychanges.simulations import run_simulation, simulation_day
from doudi.policychanges.values import display, from_json, to_json
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User
from doudi.registry.models import Region

logger = logging.getLogger(__name__)

OBJECT_TYPE: Final = "policychanges.parameterchange"
EARLIEST_DATE: Final = date(2000, 1, 1)
# Setting a parameter is system operation: no resident's record is read.
CHANGE_PURPOSE: Final = Purpose.SYSTEM


class ChangeNotAllowed(Exception):
    """A proposal or decision that the rules do not allow. The message states why."""


class AlreadyDecided(ChangeNotAllowed):
    """The change is no longer open: another officer decided or it was withdrawn."""


class SelfApproval(ChangeNotAllowed):
    """The proposer tried to approve or reject their own change."""


@dataclass(frozen=True)
class Proposal:
    """An officer's requested change, already parsed into the value's stored form."""

    name: str
    district_code: str
    effective_from: date
    value: ParameterData
    source: str
    reason: str


def is_policy_officer(user: object) -> bool:
    return isinstance(user, User) and user.is_active and user.role == Role.CITY_ADMIN


def require_officer(user: object) -> User:
    if not is_policy_officer(user):
        raise PermissionDenied(_("Only city administrators change policy parameters."))
    assert isinstance(user, User)
    return user


def city_districts() -> dict[str, str]:
    """Return the registry's district codes and names, in code order."""
    rows = Region.objects.filter(level="district").order_by("code")
    return dict(rows.values_list("code", "name"))


def draft(proposal: Proposal, user: User) -> ParameterChange:
    """Return an unsaved change for a proposal, checked against the rules."""
    check_proposal(proposal)
    return ParameterChange(
        city=settings.DOUDI_CITY,
        name=proposal.name,
        district_code=proposal.district_code,
        effective_from=proposal.effective_from,
        value=to_json(validate_value(SCHEMA[proposal.name], proposal.value)),
        source=proposal.source.strip(),
        reason=proposal.reason.strip(),
        proposed_by=user,
    )


def check_proposal(proposal: Proposal) -> None:
    """Raise ChangeNotAllowed when a proposal breaks a rule that forms check too."""
    if proposal.name not in SCHEMA:
        raise ChangeNotAllowed(
            _("%(name)s is not a policy parameter.") % {"name": proposal.name}
        )
    if proposal.effective_from < EARLIEST_DATE:
        raise ChangeNotAllowed(
            _("The date %(date)s is before 2000: enter a date from 2000-01-01.")
            % {"date": proposal.effective_from.isoformat()}
        )
    if not proposal.source.strip():
        raise ChangeNotAllowed(_("Name the document or decision the value comes from."))
    if proposal.district_code and proposal.district_code not in city_districts():
        raise ChangeNotAllowed(
            _("%(code)s is not a district of this city.")
            % {"code": proposal.district_code}
        )


def preview(change: ParameterChange, baseline: PolicyParameters) -> dict[str, Any]:
    """Return the difference and the simulation of an unsaved change, as JSON.

    The officer sees this result before submitting, and it is stored with
    the proposal. Raises ParameterNotFound when the engine lacks a required
    parameter on the simulated day.
    """
    spec = SCHEMA[change.name]
    before = effective.value_on_date(baseline, change)
    replaced = effective.replaced_entries(baseline, change)
    reform = effective.apply_change(baseline, change, note="")
    on = simulation_day(change.effective_from, timezone.localdate())
    run = run_simulation(baseline, reform, on)
    return {
        **run.summary,
        "before": None
        if before is None
        else {
            "value": display(spec, before.value),
            "effective_from": before.effective_from.isoformat(),
            "source": before.source,
            "district": before.district or "",
        },
        "after": display(spec, from_json(spec, change.value)),
        "replaced": [
            {
                "effective_from": entry.effective_from.isoformat(),
                "value": display(spec, entry.value),
                "quality": entry.quality.value,
                "source": entry.source,
            }
            for entry in replaced
        ],
    }


def propose(
    user: User, proposal: Proposal, request: HttpRequest | None = None
) -> tuple[ParameterChange, bool]:
    """Store a proposal with its simulation; return it and whether it is new.

    Proposing the same value again for an open proposal's parameter, level and
    date returns that proposal. A different value there raises ChangeNotAllowed.
    """
    require_officer(user)
    change = draft(proposal, user)
    existing = _open_twin(change)
    if existing is not None:
        return existing, False

    change.simulation = preview(change, effective.effective_parameters())
    change.proposed_at = timezone.now()
    try:
        with transaction.atomic():
            change.save(force_insert=True)
            _audit(user, AuditAction.CREATE, change, request, _change_detail(change))
    except IntegrityError:
        # Another request stored the same open proposal meanwhile.
        existing = _open_twin(change)
        if existing is None:
            raise
        return existing, False
    logger.info("parameter change %s proposed for %s", change.pk, change.name)
    return change, True


def approve(
    user: User, pk: int, note: str = "", request: HttpRequest | None = None
) -> ParameterChange:
    change = _decide(user, pk, ChangeStatus.APPROVED, note, request)
    effective.clear_cache()
    return change


def reject(
    user: User, pk: int, note: str, request: HttpRequest | None = None
) -> ParameterChange:
    if not note.strip():
        raise ChangeNotAllowed(_("Give the reason for the rejection in the note."))
    return _decide(user, pk, ChangeStatus.REJECTED, note, request)


def withdraw(
    user: User, pk: int, request: HttpRequest | None = None
) -> ParameterChange:
    """Withdraw an open proposal. Only its proposer may withdraw it."""
    require_officer(user)
    change = ParameterChange.objects.get(pk=pk)
    if change.proposed_by_id != user.pk:
        raise ChangeNotAllowed(
            _("Only the officer who proposed a change can withdraw it.")
        )
    with transaction.atomic():
        updated = ParameterChange.objects.filter(
            pk=pk, status=ChangeStatus.PROPOSED, proposed_by=user
        ).update(status=ChangeStatus.WITHDRAWN, decided_at=timezone.now())
        if not updated:
            raise _already_decided(pk)
        change.refresh_from_db()
        _audit(user, AuditAction.UPDATE, change, request, {"status": change.status})
    logger.info("parameter change %s withdrawn", pk)
    return change


def _decide(
    user: User,
    pk: int,
    status: ChangeStatus,
    note: str,
    request: HttpRequest | None,
) -> ParameterChange:
    require_officer(user)
    change = ParameterChange.objects.get(pk=pk)
    if change.proposed_by_id == user.pk:
        audit.record(
            actor=user,
            action=AuditAction.DENIED,
            object_type=OBJECT_TYPE,
            object_id=pk,
            purpose=CHANGE_PURPOSE,
            request=request,
            detail={"status": status.value, "why": "own proposal"},
        )
        raise SelfApproval(
            _(
                "You proposed this change, so you cannot decide on it: "
                "a second city administrator must."
            )
        )
    with transaction.atomic():
        updated = (
            ParameterChange.objects.filter(pk=pk, status=ChangeStatus.PROPOSED)
            .exclude(proposed_by=user)
            .update(
                status=status,
                decided_by=user,
                decided_at=timezone.now(),
                decision_note=note.strip(),
            )
        )
        if not updated:
            raise _already_decided(pk)
        change.refresh_from_db()
        _audit(
            user,
            AuditAction.UPDATE,
            change,
            request,
            {"status": status.value, "note": change.decision_note},
        )
    logger.info("parameter change %s %s", pk, status.value)
    return change


def _already_decided(pk: int) -> AlreadyDecided:
    current = ParameterChange.objects.get(pk=pk)
    return AlreadyDecided(
        _("This change is already %(status)s, so it cannot be decided again.")
        % {"status": current.get_status_display()}
    )


def _open_twin(change: ParameterChange) -> ParameterChange | None:
    """Return the open proposal for the same parameter, level and date, if any.

    Raises ChangeNotAllowed when it proposes a different value.
    """
    twin = ParameterChange.objects.filter(
        city=change.city,
        name=change.name,
        district_code=change.district_code,
        effective_from=change.effective_from,
        status=ChangeStatus.PROPOSED,
    ).first()
    if twin is None or twin.value == change.value:
        return twin
    raise ChangeNotAllowed(
        _(
            "Change %(pk)s already proposes another value for this parameter "
            "from %(date)s: ask for a decision on it, or withdraw it first."
        )
        % {"pk": twin.pk, "date": change.effective_from.isoformat()}
    )


def _change_detail(change: ParameterChange) -> dict[str, Any]:
    return {
        "name": change.name,
        "district": change.district_code,
        "effective_from": change.effective_from.isoformat(),
        "value": change.value,
        "source": change.source,
    }


def _audit(
    user: User,
    action: AuditAction,
    change: ParameterChange,
    request: HttpRequest | None,
    detail: dict[str, Any],
) -> None:
    audit.record(
        actor=user,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=change.pk,
        purpose=CHANGE_PURPOSE,
        request=request,
        detail=detail,
    )
