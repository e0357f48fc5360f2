"""Names, units and value types of every policy parameter.

A parameter file may set only the names listed in SCHEMA, and each value must
have the kind that its ParameterSpec gives. ``validate_value`` checks a value
that has already been converted to Python (from YAML or from a reform override)
and returns it in its stored form.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Final

# The stored form of a value. Lists and dicts contain only the types named here.
ParameterData = (
    Decimal
    | int
    | str
    | bool
    | list[str]
    | list[dict[str, Decimal]]
    | dict[str, Decimal]
)


class Unit(StrEnum):
    YUAN_PER_PERSON_MONTH = "yuan_per_person_month"
    YUAN_PER_PERSON_YEAR = "yuan_per_person_year"
    RATIO = "ratio"
    MONTHS = "months"
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    SQUARE_METRES = "square_metres"
    COUNT = "count"
    YEARS = "years"
    NONE = "none"


class Precision(StrEnum):
    """Exactness of ``effective_from``.

    DAY is the exact date. MONTH and YEAR mean that only the month or the year of
    the change is known, and the date is stored as the first day of that month or
    year. IN_FORCE_ON means the value was in force on that date and its start is
    unknown.
    """

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    IN_FORCE_ON = "in_force_on"


class Quality(StrEnum):
    """Trust in a value.

    OFFICIAL: read in the official text or in a press report of it. SECONDARY:
    read only in a news roundup, mirror or summary. ASSUMED: no source sets it,
    and the entry's note gives the reason for the figure. NATIONAL_DEFAULT:
    assigned on lookup when a city falls back to the national file. REFORM: set by
    ``PolicyParameters.with_overrides`` for a simulation.
    """

    OFFICIAL = "official"
    SECONDARY = "secondary"
    ASSUMED = "assumed"
    NATIONAL_DEFAULT = "national_default"
    REFORM = "reform"


class ValueKind(StrEnum):
    DECIMAL = "decimal"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    CHOICE_LIST = "choice_list"
    AMOUNT_BY_CHOICE = "amount_by_choice"
    TIERS = "tiers"


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    unit: Unit
    kind: ValueKind
    description: str
    # Allowed strings for CHOICE and CHOICE_LIST, allowed keys for AMOUNT_BY_CHOICE.
    choices: tuple[str, ...] = ()


PAYMENT_MODES: Final = ("gap", "tiered")
ROUNDING_RULES: Final = ("ceil_yuan", "round_half_up_yuan", "none")
DISREGARDED_INCOME_KINDS: Final = (
    "youfu",
    "family_planning_award",
    "scholarship",
    "brave_deed_award",
    "assistance",
    "residents_basic_pension_central",
    "old_age_allowance",
    "social_insurance",
)
DEDUCTIBLE_COSTS: Final = (
    "disability_rigid_costs",
    "illness_rigid_costs",
    "employment_costs",
)
ADDON_CATEGORIES: Final = (
    "elderly",
    "minor",
    "student",
    "single_parent_member",
    "severe_disability",
    "serious_illness",
)
TIER_FIELDS: Final = ("up_to_share_of_standard", "pays_share")

_SPECS: Final = (
    ParameterSpec(
        "dibao.standard",
        Unit.YUAN_PER_PERSON_MONTH,
        ValueKind.DECIMAL,
        "Dibao standard: the per-capita monthly income line of the city.",
    ),
    ParameterSpec(
        "dibao.minor_standard",
        Unit.YUAN_PER_PERSON_MONTH,
        ValueKind.DECIMAL,
        "Separate, higher standard for minors in difficulty (Shanghai).",
    ),
    ParameterSpec(
        "dibao.payment_mode",
        Unit.NONE,
        ValueKind.CHOICE,
        "'gap' pays the standard minus per-capita income; 'tiered' uses dibao.tiers.",
        PAYMENT_MODES,
    ),
    ParameterSpec(
        "dibao.tiers",
        Unit.RATIO,
        ValueKind.TIERS,
        "Tiered payment: income up to a share of the standard pays a share of it.",
    ),
    ParameterSpec(
        "dibao.addons",
        Unit.YUAN_PER_PERSON_MONTH,
        ValueKind.AMOUNT_BY_CHOICE,
        "Monthly add-on for each member in a category, on top of the payment.",
        ADDON_CATEGORIES,
    ),
    ParameterSpec(
        "dibao.district_share",
        Unit.RATIO,
        ValueKind.DECIMAL,
        "Share of the city standard that applies in a district or county.",
    ),
    ParameterSpec(
        "dibao.separate_application_multiplier",
        Unit.RATIO,
        ValueKind.DECIMAL,
        "Below this multiple of the standard, a severely ill or disabled member "
        "may apply alone.",
    ),
    ParameterSpec(
        "tekun.multiplier",
        Unit.RATIO,
        ValueKind.DECIMAL,
        "Tekun basic living standard as a multiple of the dibao standard.",
    ),
    ParameterSpec(
        "edge.multiplier",
        Unit.RATIO,
        ValueKind.DECIMAL,
        "Low-income (dibao edge) line as a multiple of the dibao standard.",
    ),
    ParameterSpec(
        "rigid.spending_share",
        Unit.RATIO,
        ValueKind.DECIMAL,
        "Rigid spending of the last 12 months must exceed this share of income.",
    ),
    ParameterSpec(
        "rigid.determination_months",
        Unit.MONTHS,
        ValueKind.INTEGER,
        "Maximum validity of a rigid-spending hardship determination.",
    ),
    ParameterSpec(
        "assets.financial_months",
        Unit.MONTHS,
        ValueKind.DECIMAL,
        "Per-person financial assets limit, as months of the dibao standard.",
    ),
    ParameterSpec(
        "assets.vehicle_allowed",
        Unit.NONE,
        ValueKind.BOOLEAN,
        "Whether a household that owns a car or motorbike may qualify.",
    ),
    ParameterSpec(
        "assets.vehicle_allowed_if_seriously_ill",
        Unit.NONE,
        ValueKind.BOOLEAN,
        "Whether one vehicle is allowed when it carries a seriously ill member.",
    ),
    ParameterSpec(
        "assets.max_homes",
        Unit.COUNT,
        ValueKind.INTEGER,
        "Maximum number of homes, unless assets.floor_area_exception_m2 applies.",
    ),
    ParameterSpec(
        "assets.floor_area_exception_m2",
        Unit.SQUARE_METRES,
        ValueKind.DECIMAL,
        "More homes are allowed when per-capita floor area is below this.",
    ),
    ParameterSpec(
        "income.disregarded",
        Unit.NONE,
        ValueKind.CHOICE_LIST,
        "Income kinds left out of dibao, edge and rigid-spending income.",
        DISREGARDED_INCOME_KINDS,
    ),
    ParameterSpec(
        "tekun.income_disregarded",
        Unit.NONE,
        ValueKind.CHOICE_LIST,
        "Income kinds left out of tekun income.",
        DISREGARDED_INCOME_KINDS,
    ),
    ParameterSpec(
        "income.deductible",
        Unit.NONE,
        ValueKind.CHOICE_LIST,
        "Costs deducted from household income.",
        DEDUCTIBLE_COSTS,
    ),
    ParameterSpec(
        "income.local_disposable_per_capita_last_year",
        Unit.YUAN_PER_PERSON_YEAR,
        ValueKind.DECIMAL,
        "Last year's local per-capita disposable income of all residents.",
    ),
    ParameterSpec(
        "rounding.derived",
        Unit.NONE,
        ValueKind.CHOICE,
        "Rounding of derived lines (standard x multiplier or share) to yuan.",
        ROUNDING_RULES,
    ),
    ParameterSpec(
        "review.stable_months",
        Unit.MONTHS,
        ValueKind.INTEGER,
        "Review interval for stable households and tekun recipients.",
    ),
    ParameterSpec(
        "review.irregular_months",
        Unit.MONTHS,
        ValueKind.INTEGER,
        "Review interval where income is irregular and members can work.",
    ),
    ParameterSpec(
        "review.unreported_change_months",
        Unit.MONTHS,
        ValueKind.INTEGER,
        "An unreported major change older than this can lead to suspension.",
    ),
    ParameterSpec(
        "recheck.after_death_months",
        Unit.MONTHS,
        ValueKind.INTEGER,
        "A household is re-checked within this time after a member dies.",
    ),
    ParameterSpec(
        "exit.gradual_months",
        Unit.MONTHS,
        ValueKind.INTEGER,
        "Payment continues this long after work lifts income above the line.",
    ),
    ParameterSpec(
        "payment.prorate",
        Unit.NONE,
        ValueKind.CHOICE,
        "'whole_months' pays every month in payment in full; 'daily' pays a "
        "part month for its days.",
        ("whole_months", "daily"),
    ),
    ParameterSpec(
        "work.refusals_limit",
        Unit.COUNT,
        ValueKind.INTEGER,
        "Refusals of suitable work that reduce or stop a member's own share.",
    ),
    ParameterSpec(
        "survey.min_investigators",
        Unit.COUNT,
        ValueKind.INTEGER,
        "Minimum number of investigators on a household survey.",
    ),
    ParameterSpec(
        "limits.survey_start",
        Unit.WORKING_DAYS,
        ValueKind.INTEGER,
        "Time to start the household survey after an application.",
    ),
    ParameterSpec(
        "limits.check_start",
        Unit.WORKING_DAYS,
        ValueKind.INTEGER,
        "Time to start the economic check after an application.",
    ),
    ParameterSpec(
        "limits.notice",
        Unit.CALENDAR_DAYS,
        ValueKind.INTEGER,
        "Length of the public notice of a proposed dibao decision.",
    ),
    ParameterSpec(
        "limits.decision",
        Unit.WORKING_DAYS,
        ValueKind.INTEGER,
        "Time for the county decision after the township's proposal.",
    ),
    ParameterSpec(
        "limits.refusal_notice",
        Unit.WORKING_DAYS,
        ValueKind.INTEGER,
        "Time to notify an applicant of a refusal, with the reasons.",
    ),
    ParameterSpec(
        "limits.case_total",
        Unit.WORKING_DAYS,
        ValueKind.INTEGER,
        "Time limit for a whole dibao case.",
    ),
    ParameterSpec(
        "limits.case_total_delegated",
        Unit.WORKING_DAYS,
        ValueKind.INTEGER,
        "Time limit for a whole case when the decision is delegated to the township.",
    ),
    ParameterSpec(
        "limits.case_total_special",
        Unit.WORKING_DAYS,
        ValueKind.INTEGER,
        "Time limit for a whole case in special circumstances.",
    ),
    ParameterSpec(
        "limits.tekun_survey",
        Unit.WORKING_DAYS,
        ValueKind.INTEGER,
        "Time for the township survey of a tekun application.",
    ),
    ParameterSpec(
        "limits.tekun_review",
        Unit.WORKING_DAYS,
        ValueKind.INTEGER,
        "Time for the county review of a tekun application.",
    ),
    ParameterSpec(
        "limits.tekun_notice",
        Unit.CALENDAR_DAYS,
        ValueKind.INTEGER,
        "Length of the public notice of a proposed tekun decision.",
    ),
    ParameterSpec(
        "tekun.review_spot_check_share",
        Unit.RATIO,
        ValueKind.DECIMAL,
        "Minimum share of tekun cases that the county checks on the spot.",
    ),
    ParameterSpec(
        "tekun.elderly_age",
        Unit.YEARS,
        ValueKind.INTEGER,
        "From this age a person counts as unable to work for tekun.",
    ),
    ParameterSpec(
        "tekun.child_age",
        Unit.YEARS,
        ValueKind.INTEGER,
        "Below this age a person counts as unable to work for tekun.",
    ),
    ParameterSpec(
        "tekun.fully_dependent_adl_failures",
        Unit.COUNT,
        ValueKind.INTEGER,
        "Failed daily-living items (of 6) from which a person is fully dependent.",
    ),
    ParameterSpec(
        "minor.coverage_age",
        Unit.YEARS,
        ValueKind.INTEGER,
        "Tekun minors stay covered until this age, longer while in school.",
    ),
)

SCHEMA: Final[dict[str, ParameterSpec]] = {spec.name: spec for spec in _SPECS}


def validate_value(spec: ParameterSpec, raw: object) -> ParameterData:
    """Check a value against its spec and return it in its stored form.

    Integers become Decimal where the spec wants a decimal. Floats are rejected,
    because money and ratios must be exact. Raises ValueError with a message that
    states what is wrong and what to write instead.
    """
    match spec.kind:
        case ValueKind.DECIMAL:
            return _decimal(raw)
        case ValueKind.INTEGER:
            return _integer(raw)
        case ValueKind.BOOLEAN:
            if not isinstance(raw, bool):
                raise ValueError(f"expected true or false, got {_describe(raw)}")
            return raw
        case ValueKind.CHOICE:
            return _choice(raw, spec.choices)
        case ValueKind.CHOICE_LIST:
            return _choice_list(raw, spec.choices)
        case ValueKind.AMOUNT_BY_CHOICE:
            return _amount_by_choice(raw, spec.choices)
        case ValueKind.TIERS:
            return _tiers(raw)


def _describe(raw: object) -> str:
    return f"{type(raw).__name__} {raw!r}"


def _decimal(raw: object) -> Decimal:
    if isinstance(raw, float):
        raise ValueError(
            f"got float {raw!r}; pass a Decimal or an int, because floats are inexact"
        )
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
        raise ValueError(
            f"expected a number such as 1330 or 1.5, got {_describe(raw)}. "
            "Write the number without quotes."
        )
    value = Decimal(raw)
    if not value.is_finite() or value < 0:
        raise ValueError(f"expected a finite number of at least 0, got {raw}")
    return value


def _integer(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValueError(f"expected a whole number, got {_describe(raw)}")
    if raw < 0:
        raise ValueError(f"expected a whole number of at least 0, got {raw}")
    return raw


def _choice(raw: object, choices: tuple[str, ...]) -> str:
    if not isinstance(raw, str) or raw not in choices:
        raise ValueError(f"expected one of {', '.join(choices)}; got {_describe(raw)}")
    return raw


def _choice_list(raw: object, choices: tuple[str, ...]) -> list[str]:
    if not isinstance(raw, list):
        raise ValueError(f"expected a list of {', '.join(choices)}")
    items = [_choice(item, choices) for item in raw]
    if len(set(items)) != len(items):
        raise ValueError(f"the list {items} names an item twice; remove the repeat")
    return items


def _amount_by_choice(raw: object, choices: tuple[str, ...]) -> dict[str, Decimal]:
    if not isinstance(raw, dict) or not raw:
        raise ValueError(
            f"expected a mapping from {', '.join(choices)} to yuan amounts"
        )
    return {_choice(key, choices): _decimal(amount) for key, amount in raw.items()}


def _tiers(raw: object) -> list[dict[str, Decimal]]:
    if not isinstance(raw, list) or not raw:
        raise ValueError(
            "expected a non-empty list of {up_to_share_of_standard, pays_share}"
        )
    tiers = [_tier(item) for item in raw]
    bounds = [tier["up_to_share_of_standard"] for tier in tiers]
    if any(later <= earlier for earlier, later in pairwise(bounds)):
        raise ValueError(
            f"up_to_share_of_standard must increase from tier to tier; got {bounds}"
        )
    if bounds[-1] < 1:
        raise ValueError(
            f"the last tier's up_to_share_of_standard is {bounds[-1]}; it must be "
            "at least 1, so that every household below the standard is in a tier"
        )
    return tiers


def _tier(item: object) -> dict[str, Decimal]:
    if not isinstance(item, dict) or sorted(item) != sorted(TIER_FIELDS):
        raise ValueError(
            "each tier must have exactly the fields up_to_share_of_standard and "
            f"pays_share; got {item!r}"
        )
    return {field: _decimal(item[field]) for field in TIER_FIELDS}
