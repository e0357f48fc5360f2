"""The resident's personal menu: benefits the household may qualify for, and why.

The menu comes from the policy engine: the latest monthly assessment that
contains the household, or, when no run contains it, the engine run now on
the household's registry records. The engine's inputs include department
records the resident did not give, and other members' health and income.
So the menu gives reasons in words, with the public lines of the rules as
the only figures, and shows no income, asset or amount.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import yaml
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doudi.assessments import storage
from doudi.assessments.models import Assessment, AssessmentRun, Scheme
from doudi.cases.declaration import Declaration
from doudi.cases.models import Case, CaseKind, Channel
from doudi.cases.opening import open_case
from doudi.payments.models import Award, AwardStatus
from doudi.policy.engine import assess_one
from doudi.policy.explain import format_yuan
from doudi.policychanges.effective import effective_parameters
from doudi.portal import menu_inputs
from doudi.privacy.models import User
from doudi.registry.models import Household

logger = logging.getLogger(__name__)

DOCUMENTS_FILE: Final = Path(__file__).with_name("menu_documents.yaml")
# Awards in these states are still the household's benefit.
CURRENT_AWARD_STATUSES: Final = (
    AwardStatus.ACTIVE,
    AwardStatus.SUSPENDED,
    AwardStatus.GRADUAL_EXIT,
)

DOCUMENT_LABELS: Final[dict[str, Promise]] = {
    "identity": gettext_lazy("Identity card of every member of the household"),
    "household_register": gettext_lazy("Household registration booklet (hukou)"),
    "authorisation": gettext_lazy(
        "Signed authorisation for the check of the household's income and assets"
    ),
    "income": gettext_lazy(
        "Proof of income for the last months: pay slips, pension or business statements"
    ),
    "assets": gettext_lazy(
        "Bank books or statements, and papers for any home or vehicle"
    ),
    "disability_certificate": gettext_lazy(
        "Disability certificate, if a member has a disability"
    ),
    "medical_records": gettext_lazy(
        "Medical records and bills, if a member is seriously ill"
    ),
    "school_enrolment": gettext_lazy(
        "Proof of school enrolment, if a member is a full-time student"
    ),
    "spending_receipts": gettext_lazy(
        "Receipts for medical, school and other necessary spending in the last "
        "12 months"
    ),
    "hardship_proof": gettext_lazy(
        "Anything that shows the sudden hardship, such as a fire or accident "
        "report, if you have it"
    ),
}


@dataclass(frozen=True)
class Document:
    code: str
    label: str
    basis: str
    only_if_applies: bool


@dataclass(frozen=True)
class Offer:
    """One scheme the household may qualify for, as shown to the resident."""

    scheme: str
    label: str
    reasons: list[str]
    documents: list[Document]
    open_case_id: int | None


@dataclass(frozen=True)
class CurrentBenefit:
    """A benefit the household receives now."""

    award_id: int
    scheme: str
    label: str
    status: str


@dataclass(frozen=True)
class Menu:
    offers: list[Offer]
    current: list[CurrentBenefit]
    # The month of the assessment, or None when the engine ran on the spot.
    month: date | None


@lru_cache(maxsize=1)
def _document_table() -> dict[str, list[dict[str, str]]]:
    with DOCUMENTS_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    schemes: dict[str, list[dict[str, str]]] = data["schemes"]
    return schemes


def documents_for(scheme: str) -> list[Document]:
    """Return what to bring when applying for `scheme`, from the data file."""
    return [
        Document(
            code=entry["document"],
            label=str(DOCUMENT_LABELS[entry["document"]]),
            basis=entry["basis"],
            only_if_applies=entry.get("when") == "applies",
        )
        for entry in _document_table().get(scheme, [])
    ]


def personal_menu(household: Household) -> Menu:
    """Return the schemes the household may qualify for, with reasons.

    Schemes the household receives now are listed apart, not as offers.
    """
    rows, month = assessment_rows(household)
    current = current_benefits(household)
    receiving = {benefit.scheme for benefit in current}
    open_cases = _open_applications(household)
    offers = [
        Offer(
            scheme=scheme,
            label=str(Scheme(scheme).label),
            reasons=reasons_for(row, scheme),
            documents=documents_for(scheme),
            open_case_id=open_cases.get(scheme),
        )
        for scheme, row in rows.items()
        if row.get("eligible") and scheme not in receiving
    ]
    return Menu(offers=offers, current=current, month=month)


def assessment_rows(
    household: Household,
) -> tuple[dict[str, dict[str, Any]], date | None]:
    """Return each scheme's engine row for the household, and the run's month.

    The latest stored run is used when it contains the household. Otherwise
    (a household added since, or no run yet) the engine runs now on the
    household's registry records, because an older run would be out of date.
    """
    run = AssessmentRun.objects.order_by("-month").only("pk", "month").first()
    if (
        run is not None
        and Assessment.objects.filter(
            run_id=run.pk, scheme=Scheme.DIBAO, household_id=household.pk
        ).exists()
    ):
        rows = storage.read_trace_rows(run.pk, household.pk)
        if rows:
            return _in_scheme_order(rows), run.month
    return _in_scheme_order(live_rows(household)), None


def live_rows(
    household: Household, on: date | None = None
) -> dict[str, dict[str, Any]]:
    """Run the engine on the household's registry records as of `on` (today)."""
    day = on or timezone.localdate()
    inputs = menu_inputs.input_tables(household, day, city=settings.DOUDI_CITY)
    if inputs.persons.is_empty():
        return {}
    result = assess_one(
        inputs,
        effective_parameters(),
        city=settings.DOUDI_CITY,
        on=day,
        household_id=household.pk,
    )
    return {scheme: result.row(household.pk, scheme) for scheme in Scheme.values}


def _in_scheme_order(rows: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {scheme: rows[scheme] for scheme in Scheme.values if scheme in rows}


def current_benefits(household: Household) -> list[CurrentBenefit]:
    awards = Award.objects.filter(
        household=household, status__in=CURRENT_AWARD_STATUSES
    ).order_by("scheme", "pk")
    return [
        CurrentBenefit(
            award_id=award.pk,
            scheme=award.scheme,
            label=str(Scheme(award.scheme).label),
            status=award.get_status_display(),
        )
        for award in awards
    ]


def _open_applications(household: Household) -> dict[str, int]:
    cases = Case.objects.filter(
        household=household, kind=CaseKind.APPLICATION, closed_at__isnull=True
    ).values_list("scheme", "pk")
    return dict(cases)


# --- Reasons in words -----------------------------------------------------------


def reasons_for(
    row: Mapping[str, Any], scheme: str, *, from_answers: bool = False
) -> list[str]:
    """Explain in words why the engine suggests the household may qualify.

    `from_answers` is for the screener, whose rows come from the visitor's
    own answers. Only public lines of the rules appear as figures. The
    reasons never say which member is old, ill or disabled, nor give income
    or assets.
    """
    label = Scheme(scheme).label
    if from_answers:
        opening = _(
            "Your answers suggest that your household may qualify for %(scheme)s."
        )
        source = _("It is based only on your answers, which were not stored.")
    else:
        opening = _(
            "The records suggest that your household may qualify for %(scheme)s."
        )
        source = _source_sentence(row)
    return [
        opening % {"scheme": label},
        *_SCHEME_REASONS[scheme](row),
        source,
        _("This is a suggestion: a caseworker checks and decides."),
    ]


def _yuan(fen: object) -> str:
    return format_yuan(int(fen)) if isinstance(fen, int) else "—"


def _source_sentence(row: Mapping[str, Any]) -> str:
    if row.get("data_source") == "verified":
        return _(
            "It is based on what your household declared and on the economic "
            "check of its income and assets."
        )
    return _("It is based on what your household declared.")


def _assets_sentence(row: Mapping[str, Any]) -> list[str]:
    if row.get("assets_ok"):
        return [_("Your savings, vehicles and home appear to be within the limits.")]
    return []


def _dibao_reasons(row: Mapping[str, Any]) -> list[str]:
    if row.get("route") == "separate":
        return [
            _(
                "A member of your household may apply on their own, because of "
                "their health, even if the whole household does not qualify."
            )
        ]
    if row.get("route") == "gradual_exit":
        return [
            _(
                "Income from work has risen, so the allowance continues for a "
                "while before it ends."
            )
        ]
    standard = _yuan(row.get("standard_fen"))
    return [
        _(
            "Your household's income per person appears to be below the local "
            "minimum living standard of %(standard)s yuan a month."
        )
        % {"standard": standard},
        *_assets_sentence(row),
    ]


def _tekun_reasons(row: Mapping[str, Any]) -> list[str]:
    return [
        _(
            "Someone in your household may be unable to work and may have no "
            "one able to support them, which this support is for."
        ),
        *_assets_sentence(row),
    ]


def _edge_reasons(row: Mapping[str, Any]) -> list[str]:
    return [
        _(
            "Your household's income per person appears to be below the local "
            "low-income line of %(line)s yuan a month."
        )
        % {"line": _yuan(row.get("threshold_fen"))},
        *_assets_sentence(row),
        _(
            "This status pays no money itself; it opens help with medical, "
            "school and housing costs."
        ),
    ]


def _rigid_reasons(row: Mapping[str, Any]) -> list[str]:
    return [
        _(
            "Your household's necessary spending, such as on medical care or "
            "school, appears high compared with its income."
        ),
        *_assets_sentence(row),
    ]


def _temporary_reasons(row: Mapping[str, Any]) -> list[str]:
    if row.get("sudden_hardship"):
        return [_("A sudden hardship has been recorded for your household.")]
    return [
        _(
            "Your household appears to face heavy necessary spending compared "
            "with its income."
        )
    ]


_SCHEME_REASONS: Final = {
    Scheme.DIBAO.value: _dibao_reasons,
    Scheme.TEKUN.value: _tekun_reasons,
    Scheme.EDGE.value: _edge_reasons,
    Scheme.RIGID.value: _rigid_reasons,
    Scheme.TEMPORARY.value: _temporary_reasons,
}


# --- One-step application ---------------------------------------------------------


def apply(
    actor: User,
    household: Household,
    scheme: str,
    *,
    assisted: bool = False,
    request: HttpRequest | None = None,
) -> tuple[Case, bool]:
    """Open an application for the household and scheme; return it and if new.

    A resident applies through the portal. A community worker serving the
    resident in assisted mode applies as a walk-in, which records who
    entered it. While an application is open, that case is returned, so a
    button pressed twice opens one case. open_case checks that the resident
    is a member of the household, or that it is in the worker's region.
    """
    channel = Channel.WALK_IN if assisted else Channel.PORTAL
    case, created = open_case(
        actor,
        household_id=household.pk,
        scheme=scheme,
        channel=channel,
        declaration=Declaration(),
        request=request,
    )
    if created:
        logger.info(
            "menu application case %s opened for household %s", case.pk, household.pk
        )
    return case, created
