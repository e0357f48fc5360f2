"""Plain-language names of the policy parameters, their units and flags.

The schema in ``doudi.policy.schema`` describes each parameter in English for
programmers; these labels are what a policy officer reads, in Chinese or
English.
"""

from __future__ import annotations

from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from doudi.policy.schema import SCHEMA, Unit

PARAMETER_LABELS: Final[dict[str, Promise]] = {
    "dibao.standard": _("Dibao standard (monthly income line per person)"),
    "dibao.minor_standard": _("Dibao standard for minors in difficulty"),
    "dibao.payment_mode": _("Dibao payment mode (gap or tiered)"),
    "dibao.tiers": _("Dibao payment tiers"),
    "dibao.addons": _("Dibao monthly add-on per member by category"),
    "dibao.district_share": _("District share of the city dibao standard"),
    "dibao.separate_application_multiplier": _(
        "Line below which a severely ill or disabled member may apply alone "
        "(multiple of the standard)"
    ),
    "tekun.multiplier": _("Tekun basic living standard (multiple of dibao)"),
    "edge.multiplier": _("Low-income (dibao edge) line (multiple of dibao)"),
    "rigid.spending_share": _("Rigid spending test: share of income exceeded"),
    "rigid.determination_months": _("Validity of a rigid-spending determination"),
    "assets.financial_months": _(
        "Financial assets limit per person (months of the standard)"
    ),
    "assets.vehicle_allowed": _("A household with a vehicle may qualify"),
    "assets.vehicle_allowed_if_seriously_ill": _(
        "One vehicle allowed when it carries a seriously ill member"
    ),
    "assets.max_homes": _("Maximum number of homes"),
    "assets.floor_area_exception_m2": _(
        "Floor area per person below which more homes are allowed"
    ),
    "income.disregarded": _("Income kinds not counted (dibao, edge, rigid)"),
    "tekun.income_disregarded": _("Income kinds not counted (tekun)"),
    "income.deductible": _("Costs deducted from household income"),
    "income.local_disposable_per_capita_last_year": _(
        "Last year's local disposable income per person"
    ),
    "rounding.derived": _("Rounding of derived lines"),
    "review.stable_months": _("Review interval, stable households"),
    "review.irregular_months": _("Review interval, irregular income"),
    "review.unreported_change_months": _(
        "Age of an unreported change that can lead to suspension"
    ),
    "recheck.after_death_months": _("Re-check after a member dies, within"),
    "exit.gradual_months": _("Gradual exit: payment continues for"),
    "payment.prorate": _("How a part month is paid"),
    "work.refusals_limit": _("Refusals of suitable work allowed"),
    "survey.min_investigators": _("Minimum investigators on a household survey"),
    "limits.survey_start": _("Time limit to start the household survey"),
    "limits.check_start": _("Time limit to start the economic check"),
    "limits.notice": _("Length of the public notice (dibao)"),
    "limits.decision": _("Time limit for the county decision"),
    "limits.refusal_notice": _("Time limit to notify a refusal"),
    "limits.case_total": _("Time limit for a whole dibao case"),
    "limits.case_total_delegated": _(
        "Time limit for a whole case decided by the township"
    ),
    "limits.case_total_special": _(
        "Time limit for a whole case in special circumstances"
    ),
    "limits.tekun_survey": _("Time limit for the tekun survey"),
    "limits.tekun_review": _("Time limit for the tekun county review"),
    "limits.tekun_notice": _("Length of the public notice (tekun)"),
    "tekun.review_spot_check_share": _("Share of tekun cases checked on the spot"),
    "tekun.elderly_age": _("Age from which a person cannot work (tekun)"),
    "tekun.child_age": _("Age below which a person cannot work (tekun)"),
    "tekun.fully_dependent_adl_failures": _(
        "Failed daily-living items for full dependence"
    ),
    "minor.coverage_age": _("Age until which tekun minors stay covered"),
}

UNIT_LABELS: Final[dict[Unit, Promise]] = {
    Unit.YUAN_PER_PERSON_MONTH: _("yuan per person per month"),
    Unit.YUAN_PER_PERSON_YEAR: _("yuan per person per year"),
    Unit.RATIO: _("ratio"),
    Unit.MONTHS: _("months"),
    Unit.WORKING_DAYS: _("working days"),
    Unit.CALENDAR_DAYS: _("calendar days"),
    Unit.SQUARE_METRES: _("square metres"),
    Unit.COUNT: _("count"),
    Unit.YEARS: _("years"),
    Unit.NONE: _("no unit"),
}

SCHEME_LABELS: Final[dict[str, Promise]] = {
    "dibao": _("Dibao (minimum living allowance)"),
    "tekun": _("Tekun (persons in extreme poverty)"),
    "edge": _("Low-income (dibao edge)"),
    "rigid": _("Rigid-spending hardship"),
    "temporary": _("Temporary assistance"),
}


def parameter_label(name: str) -> str:
    """Return the officer's name for a parameter, or the schema name if it has none."""
    label = PARAMETER_LABELS.get(name)
    return str(label) if label is not None else name


def unit_label(unit: Unit) -> str:
    return str(UNIT_LABELS[unit])


def scheme_label(scheme: str) -> str:
    label = SCHEME_LABELS.get(scheme)
    return str(label) if label is not None else scheme


def missing_labels() -> list[str]:
    """Return the schema names without a label; a test keeps this list empty."""
    return [name for name in SCHEMA if name not in PARAMETER_LABELS]
