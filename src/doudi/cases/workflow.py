"""Who may take which action at which step, and how an action is committed.

`PERMITS` is the state table of the workflow. Services check it before they
act, and pages list the same actions, so the forms on a person's page are
the actions the services let them take.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.cases.models import (
    Case,
    CaseAction,
    CaseEvent,
    CaseKind,
    Decision,
    PublicNotice,
    Step,
)
from doudi.privacy import audit
from doudi.privacy.access import AnyUser
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User
from doudi.registry.models import Membership

OBJECT_TYPE: Final = "cases.case"
MAX_NOTE_CHARACTERS: Final = 4000

WORKER: Final = frozenset({Role.COMMUNITY_WORKER})
REVIEWER: Final = frozenset({Role.STREET_REVIEWER})
APPROVER: Final = frozenset({Role.DISTRICT_APPROVER})
APPLICANT: Final = frozenset({Role.COMMUNITY_WORKER, Role.RESIDENT})
DECIDERS: Final = frozenset({Role.STREET_REVIEWER, Role.DISTRICT_APPROVER})
DOCUMENT_ROLES: Final = frozenset(
    {Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.RESIDENT}
)
# Staff who read cases in their region; residents read their own household's.
READER_ROLES: Final = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.STREET_REVIEWER,
        Role.DISTRICT_APPROVER,
        Role.CITY_ADMIN,
    }
)

_A = CaseAction
_OPEN_EXTRAS: Final = {
    _A.WITHDRAW: APPLICANT,
    _A.ADD_DOCUMENT: DOCUMENT_ROLES,
}
_REVIEW_EXTRAS: Final = {**_OPEN_EXTRAS, _A.MARK_SPECIAL: DECIDERS}

# For each kind of case and step: the actions allowed there and who takes them.
PERMITS: Final[dict[tuple[str, str], dict[CaseAction, frozenset[Role]]]] = {
    (CaseKind.APPLICATION, Step.ACCEPT): {_A.ACCEPT: WORKER, **_OPEN_EXTRAS},
    (CaseKind.APPLICATION, Step.SURVEY): {_A.RECORD_SURVEY: WORKER, **_REVIEW_EXTRAS},
    (CaseKind.APPLICATION, Step.VERIFICATION): {
        _A.VERIFY: frozenset({Role.COMMUNITY_WORKER, Role.STREET_REVIEWER}),
        **_REVIEW_EXTRAS,
    },
    (CaseKind.APPLICATION, Step.STREET_REVIEW): {
        _A.SEND_TO_NOTICE: REVIEWER,
        _A.RETURN_FOR_SURVEY: REVIEWER,
        _A.REFUSE: REVIEWER,
        **_REVIEW_EXTRAS,
    },
    (CaseKind.APPLICATION, Step.PUBLIC_NOTICE): {
        _A.START_NOTICE: REVIEWER,
        _A.RECORD_OBJECTION: REVIEWER,
        _A.CLOSE_NOTICE: REVIEWER,
        **_REVIEW_EXTRAS,
    },
    (CaseKind.APPLICATION, Step.DISTRICT_APPROVAL): {
        _A.APPROVE: APPROVER,
        _A.REFUSE: APPROVER,
        **_REVIEW_EXTRAS,
    },
    (CaseKind.APPLICATION, Step.REFUSED): {
        _A.ISSUE_REFUSAL_NOTICE: DECIDERS,
        _A.FILE_APPEAL: APPLICANT,
    },
    (CaseKind.APPEAL, Step.ACCEPT): {_A.ACCEPT_APPEAL: APPROVER, **_OPEN_EXTRAS},
    (CaseKind.COMPLAINT, Step.ACCEPT): {
        _A.ANSWER_COMPLAINT: frozenset({Role.COMMUNITY_WORKER, Role.STREET_REVIEWER}),
        **_OPEN_EXTRAS,
    },
    (CaseKind.APPEAL, Step.APPEAL_REVIEW): {
        _A.UPHOLD_REFUSAL: APPROVER,
        _A.OVERTURN_REFUSAL: APPROVER,
        _A.ADD_DOCUMENT: DOCUMENT_ROLES,
    },
}


# Where the district has delegated approval to the street office, the street
# reviewer approves or refuses in the district approver's place.
DELEGATED_STEP: Final = (CaseKind.APPLICATION, Step.DISTRICT_APPROVAL)
DELEGATED_ACTIONS: Final = frozenset({_A.APPROVE, _A.REFUSE})


def roles_for(case: Case, action: CaseAction) -> frozenset[Role] | None:
    """Return the roles that take `action` on `case` at its step, or None."""
    at_step = case.delegated and (case.kind, case.step) == DELEGATED_STEP
    if at_step and action in DELEGATED_ACTIONS:
        return REVIEWER
    return PERMITS.get((case.kind, case.step), {}).get(action)


class CaseError(Exception):
    """An action the workflow does not allow now. The message states why."""


class StaleCase(CaseError):
    """Another person acted on the case after this person loaded it."""

    def __init__(self) -> None:
        super().__init__(
            _("Someone else acted on this case; reload the page to see the change.")
        )


class NotAllowedNow(CaseError):
    """The action does not apply to the case at its current step."""


def _active(user: AnyUser) -> User | None:
    if isinstance(user, User) and user.is_active:
        return user
    return None


def is_member(user: User, case: Case) -> bool:
    """Return whether a resident is a current member of the case's household."""
    return (
        user.person_id is not None
        and Membership.objects.filter(
            person_id=user.person_id,
            household_id=case.household_id,
            end_date__isnull=True,
        ).exists()
    )


def in_scope(user: AnyUser, case: Case) -> bool:
    """Return whether the case is inside the user's region (or household)."""
    active = _active(user)
    if active is None:
        return False
    if active.role == Role.RESIDENT:
        return is_member(active, case)
    if active.region is None:
        return False
    return case.region_path.startswith(active.region.path)


def can_read(user: AnyUser, case: Case) -> bool:
    active = _active(user)
    if active is None:
        return False
    if active.role not in READER_ROLES and active.role != Role.RESIDENT:
        return False
    return in_scope(active, case)


def purpose_for(user: User | None) -> Purpose:
    if user is not None and user.role == Role.RESIDENT:
        return Purpose.OWN_RECORD
    return Purpose.CASE_WORK


def notice_of(case: Case) -> PublicNotice | None:
    return PublicNotice.objects.filter(case_id=case.pk).first()


def _ready(action: CaseAction, case: Case, today: date) -> bool:
    """Return whether conditions beyond the step let `action` run today."""
    if action == CaseAction.WITHDRAW:
        return case.is_open and not case.decision
    if action == CaseAction.MARK_SPECIAL:
        return not case.special and case.accepted_on is not None
    if action in (CaseAction.START_NOTICE, CaseAction.RECORD_OBJECTION):
        notice = notice_of(case)
        if action == CaseAction.START_NOTICE:
            return notice is None
        return notice is not None and notice.closed_on is None
    if action == CaseAction.CLOSE_NOTICE:
        notice = notice_of(case)
        return notice is not None and today > notice.ends_on
    if action == CaseAction.ISSUE_REFUSAL_NOTICE:
        return case.decision == Decision.REFUSED and case.refusal_notified_on is None
    if action == CaseAction.FILE_APPEAL:
        return case.decision == Decision.REFUSED and not _has_open_appeal(case)
    return True


def _has_open_appeal(case: Case) -> bool:
    return Case.objects.filter(parent=case, closed_at__isnull=True).exists()


def allowed_actions(user: AnyUser, case: Case, today: date) -> list[CaseAction]:
    """Return the actions `user` may take on `case` now, in the table's order."""
    active = _active(user)
    if active is None or not in_scope(active, case):
        return []
    permits = PERMITS.get((case.kind, case.step), {})
    return [
        action
        for action in permits
        if active.role in (roles_for(case, action) or ())
        and _ready(action, case, today)
    ]


def require(
    actor: User,
    case: Case,
    action: CaseAction,
    version: int | None,
    request: HttpRequest | None = None,
) -> None:
    """Raise unless `actor` may take `action` on `case` as it is now.

    PermissionDenied for a role or region that may not act (audited as
    denied), StaleCase when `version` is older than the case, and
    NotAllowedNow when the step or the case's state does not allow it.
    `version=None` is for append-only records that do not change the case.
    """
    roles = roles_for(case, action)
    if not actor.is_active or not in_scope(actor, case):
        _deny(actor, case, action, request)
        raise PermissionDenied(_("This case is outside your region."))
    if version is not None and case.version != version:
        raise StaleCase()
    if roles is None or not _ready(action, case, timezone.localdate()):
        raise NotAllowedNow(
            _("“%(action)s” is not possible while the case is at “%(step)s”.")
            % {"action": action.label, "step": Step(case.step).label}
        )
    if actor.role not in roles:
        _deny(actor, case, action, request)
        raise PermissionDenied(
            _("Your role cannot take the action “%(action)s”.")
            % {"action": action.label}
        )


def _deny(
    actor: User, case: Case, action: CaseAction, request: HttpRequest | None
) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.DENIED,
        object_type=OBJECT_TYPE,
        object_id=case.pk,
        purpose=purpose_for(actor),
        request=request,
        detail={"action": action.value},
    )


def commit(
    actor: User,
    case: Case,
    version: int,
    action: CaseAction,
    changes: dict[str, Any],
    *,
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Apply `changes` if the case is still at `version`; log the event and audit.

    The UPDATE's WHERE clause names the version, so of two concurrent
    actions the second matches no row and raises StaleCase. Call it inside
    the service's transaction, before other writes, so a loser writes nothing.
    """
    updated = Case.objects.filter(pk=case.pk, version=version).update(
        version=F("version") + 1, **changes
    )
    if updated != 1:
        raise StaleCase()
    add_event(actor, case, action, note=note)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=OBJECT_TYPE,
        object_id=case.pk,
        purpose=purpose_for(actor),
        request=request,
        detail={"action": action.value, "fields": sorted(changes)},
    )
    case.refresh_from_db()
    return case


def add_event(
    actor: User | None, case: Case, action: CaseAction, *, note: str = ""
) -> CaseEvent:
    """Append an entry to the case's timeline at the step the case is at."""
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        actor_label=actor.get_username() if actor else "system",
        role=actor.role if actor else "",
        step=case.step,
        action=action,
        at=timezone.now(),
        note=note or None,
    )


def check_award_amount(amount_fen: object) -> None:
    """Raise ValidationError unless the amount is whole fen and above 0.

    An award or a proposal of 0 pays nothing; such an application is refused.
    """
    check_amount(amount_fen)
    if amount_fen == 0:
        raise ValidationError(
            _(
                "An amount of 0 yuan pays nothing: enter the monthly amount, or "
                "refuse the application with its reason."
            )
        )


def check_amount(amount_fen: object) -> None:
    """Raise ValidationError unless the amount is a whole number of fen, 0 or more."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValidationError(
            _("The amount %(value)r is not a whole number of fen.")
            % {"value": amount_fen}
        )
    if amount_fen < 0:
        raise ValidationError(
            _("The amount %(value)s fen is negative; enter 0 or more.")
            % {"value": amount_fen}
        )


def clean_note(text: str) -> str:
    """Return the note stripped, or raise ValidationError when it is too long."""
    text = text.strip()
    if len(text) > MAX_NOTE_CHARACTERS:
        raise ValidationError(
            _("The note has %(count)d characters; shorten it to %(max)d.")
            % {"count": len(text), "max": MAX_NOTE_CHARACTERS}
        )
    return text
