"""Cases at every step for the demo city, some of them overdue.

`seed_cases` drives each case through the real services as the demo
accounts of `doudi demo`, then moves the dates of some cases into the past
so that the work queue shows overdue and nearly-due work. It uses the
synthetic households that `doudi synth` loaded, in the demo community
worker's community, and does nothing when the demo cases exist already.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from doudi.cases import deadlines, services
from doudi.cases.decision import recommendation_for
from doudi.cases.declaration import Declaration, DeclaredAsset, DeclaredIncome
from doudi.cases.models import (
    Case,
    CaseEvent,
    Channel,
    PublicNotice,
    Step,
    SurveyRecord,
)
from doudi.payments.lifecycle import set_bank_account
from doudi.payments.models import Award
from doudi.privacy.demo import ensure_demo_accounts
from doudi.privacy.models import User
from doudi.registry.models import Household, Membership
from doudi.verification.authorisations import NEEDED_KINDS, member_ids, refusal_reason
from doudi.verification.services import record_authorisation

logger = logging.getLogger(__name__)

MARKER: Final = "demo"
# The step at which each demo case stops, and how many calendar days into the
# past its dates move (0: today). A shift past the step's limit makes it
# overdue.
PLAN: Final[tuple[tuple[str, int], ...]] = (
    ("accept", 0),
    ("accept_warning", 1),
    ("accept_referral", 2),
    ("survey", 0),
    ("survey", 7),
    ("verification", 1),
    ("verification", 8),
    ("street_review", 0),
    ("street_review", 40),
    ("notice_running", 2),
    ("notice_ended", 9),
    ("district_approval", 0),
    ("district_approval", 12),
    ("district_approval", 3),
    ("awarded", 0),
    ("awarded", 0),
    ("refused", 6),
    ("appeal", 0),
    ("withdrawn", 0),
)
# A synthetic declaration: 600 yuan of wages a month and 3,000 yuan saved.
DECLARATION: Final = Declaration(
    incomes=(DeclaredIncome("wages", 60_000),),
    assets=(DeclaredAsset("deposits", 300_000),),
    situation="Synthetic demo household: irregular work, one member with a "
    "chronic illness.",
)
DEFAULT_AMOUNT_FEN: Final = 80_000
SCHEMES: Final = ("dibao", "temporary", "edge", "rigid", "tekun")


@dataclass(frozen=True)
class DemoStaff:
    worker: User
    street: User
    district: User


def seed_cases() -> dict[str, int]:
    """Create the demo cases; return how many cases stand at each step."""
    ensure_demo_accounts()
    staff = DemoStaff(
        User.objects.get(username="community_worker"),
        User.objects.get(username="street_reviewer"),
        User.objects.get(username="district_approver"),
    )
    if Case.objects.filter(source_reference__startswith=MARKER).exists():
        logger.info("demo cases exist already; nothing seeded")
        return _summary()
    slots = _free_slots(staff.worker, len(PLAN))
    if len(slots) < len(PLAN):
        logger.warning(
            "the demo community has room for %d of %d demo cases", len(slots), len(PLAN)
        )
    for (target, days_back), (household, scheme) in zip(PLAN, slots, strict=False):
        with transaction.atomic():
            case = _build(staff, household, scheme, target)
            if days_back:
                _move_back(case, days_back)
    logger.info("seeded %d demo cases", min(len(PLAN), len(slots)))
    return _summary()


def _summary() -> dict[str, int]:
    steps = Case.objects.filter(source_reference__startswith=MARKER).values_list(
        "step", flat=True
    )
    return dict(sorted(Counter(steps).items()))


def _free_slots(worker: User, count: int) -> list[tuple[Household, str]]:
    """Return up to `count` (household, scheme) pairs of the worker's community.

    A community of the synthetic city holds only a few households, so each
    household gets cases under several schemes, and every demo account can
    open every demo case.
    """
    headed = Membership.objects.filter(
        end_date__isnull=True, relationship="head"
    ).values("household_id")
    households = list(
        Household.objects.filter(region=worker.region, pk__in=headed)
        .exclude(cases__isnull=False)
        .select_related("region")
        .order_by("pk")[:count]
    )
    slots = [(household, scheme) for scheme in SCHEMES for household in households]
    return slots[:count]


def _build(staff: DemoStaff, household: Household, scheme: str, target: str) -> Case:
    channel, reference = {
        "accept_warning": (Channel.WARNING, f"{MARKER}-warning-{household.pk}"),
        "accept_referral": (Channel.REFERRAL, f"{MARKER}-referral-{household.pk}"),
    }.get(target, (Channel.WALK_IN, f"{MARKER}-{household.pk}-{scheme}"))
    case, _ = services.open_case(
        staff.worker,
        household_id=household.pk,
        scheme=scheme,
        channel=channel,
        declaration=DECLARATION,
        source_reference=reference,
    )
    for step in _STEPS_TO[target]:
        case = step(staff, case)
    return case


def _accept(staff: DemoStaff, case: Case) -> Case:
    return services.accept(staff.worker, case.pk, version=case.version)


def _survey(staff: DemoStaff, case: Case) -> Case:
    visit = services.Visit(
        visited_on=timezone.localdate(),
        investigator_ids=[staff.worker.pk, staff.street.pk],
        members_present=len(member_ids(case.household_id, timezone.localdate())),
        housing="rented",
        living_conditions="basic",
        declaration_matches=True,
        opinion="support",
        findings="Synthetic demo visit: two rooms, rented.",
    )
    return services.record_survey(
        staff.worker, case.pk, version=case.version, visit=visit
    )


def _verify(staff: DemoStaff, case: Case) -> Case:
    _authorise(staff.worker, case.household)
    return services.request_verification(staff.worker, case.pk, version=case.version)


def _authorise(worker: User, household: Household) -> None:
    today = timezone.localdate()
    if refusal_reason(household, today) is None:
        return
    current = household.memberships.filter(end_date__isnull=True)
    members = [membership.person for membership in current.select_related("person")]
    head = current.get(relationship="head").person
    record_authorisation(
        worker,
        household,
        signed_by=head,
        members=members,
        data_kinds=NEEDED_KINDS,
        signed_on=today,
        valid_until=today + timedelta(days=300),
    )


def _amount(case: Case) -> int:
    found = recommendation_for(case)
    if found is not None and found.eligible and found.amount_fen > 0:
        return found.amount_fen
    return DEFAULT_AMOUNT_FEN


def _to_notice(staff: DemoStaff, case: Case) -> Case:
    return services.send_to_notice(
        staff.street, case.pk, version=case.version, proposed_amount_fen=_amount(case)
    )


def _start_notice(staff: DemoStaff, case: Case) -> Case:
    return services.start_notice(staff.street, case.pk, version=case.version)


def _close_notice(staff: DemoStaff, case: Case) -> Case:
    # The notice must have run its 7 days before it closes.
    _move_back(case, 8)
    case.refresh_from_db()
    return services.close_notice(staff.street, case.pk, version=case.version)


def _approve(staff: DemoStaff, case: Case) -> Case:
    approved = services.approve(
        staff.district,
        case.pk,
        version=case.version,
        amount_fen=_amount(case),
        # The engine may recommend otherwise, which needs the reason.
        note="演示：入户调查核实家庭收入低于保障标准。",
    )
    # A synthetic account, so that the award is paid on the demo's rolls.
    set_bank_account(
        Award.objects.get(case=approved),
        holder="演示户主",
        account_number=f"62{approved.pk:017d}",
        bank_code="DEMOBANK",
        actor=staff.district,
    )
    return approved


def _refuse(staff: DemoStaff, case: Case) -> Case:
    return services.refuse(
        staff.district,
        case.pk,
        version=case.version,
        reason="演示：家庭存款超过资产限额。",
    )


def _issue_and_appeal(staff: DemoStaff, case: Case) -> Case:
    case = services.issue_refusal_notice(staff.district, case.pk, version=case.version)
    services.file_appeal(
        staff.worker, case.pk, reason="Synthetic demo appeal: the savings are a loan."
    )
    return case


def _withdraw(staff: DemoStaff, case: Case) -> Case:
    return services.withdraw(
        staff.worker, case.pk, version=case.version, note="Synthetic demo: found work."
    )


Advance = Callable[[DemoStaff, Case], Case]
_TO_REVIEW: Final[list[Advance]] = [_accept, _survey, _verify]
_TO_DISTRICT: Final[list[Advance]] = [
    *_TO_REVIEW,
    _to_notice,
    _start_notice,
    _close_notice,
]
_STEPS_TO: Final[dict[str, list[Advance]]] = {
    "accept": [],
    "accept_warning": [],
    "accept_referral": [],
    "survey": [_accept],
    "verification": [_accept, _survey],
    "street_review": _TO_REVIEW,
    "notice_running": [*_TO_REVIEW, _to_notice, _start_notice],
    "notice_ended": [*_TO_REVIEW, _to_notice, _start_notice],
    "district_approval": _TO_DISTRICT,
    "awarded": [*_TO_DISTRICT, _approve],
    "refused": [*_TO_DISTRICT, _refuse],
    "appeal": [*_TO_DISTRICT, _refuse, _issue_and_appeal],
    "withdrawn": [_withdraw],
}


def _move_back(case: Case, days: int) -> None:
    """Shift every date of the case `days` calendar days into the past.

    Deadlines are counted again from the shifted start days, so a case
    moved past its step's limit shows as overdue.
    """
    case.refresh_from_db()
    shift = timedelta(days=days)
    case.opened_at -= shift
    case.step_started_on -= shift
    if case.accepted_on:
        case.accepted_on -= shift
    fields = deadlines.schedule(
        case,
        step=Step(case.step),
        started_on=case.step_started_on,
        closed=not case.is_open,
    )
    fields.pop("step")
    Case.objects.filter(pk=case.pk).update(
        opened_at=case.opened_at, accepted_on=case.accepted_on, **fields
    )
    CaseEvent.objects.filter(case=case).update(at=F("at") - shift)
    SurveyRecord.objects.filter(case=case).update(
        visited_on=F("visited_on") - shift, recorded_at=F("recorded_at") - shift
    )
    PublicNotice.objects.filter(case=case).update(
        starts_on=F("starts_on") - shift, ends_on=F("ends_on") - shift
    )
    PublicNotice.objects.filter(case=case, closed_on__isnull=False).update(
        closed_on=F("closed_on") - shift
    )
