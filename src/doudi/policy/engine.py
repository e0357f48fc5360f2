"""The policy engine: assess every household of a city for every scheme.

``assess`` runs all rules as Polars expressions over the input tables at once.
``assess_one`` selects one household's rows and runs the same code. The
result is an ``Assessment``. It contains one frame per scheme (one row per
household), a frame of the trace values shared by all schemes, a per-person
trace, and the provenance of every parameter used, once per district.

Parameters are resolved once per district into ``DistrictRules``: exact fen
amounts and the lines derived from the standard, rounded by the district's
``rounding.derived``. Rows look them up by district index, which becomes a
literal when every district shares the value.

The engine recommends; a person decides. It does not import Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

import polars as pl

from doudi.policy.inputs import (
    CARE_LEVELS,
    DATA_SOURCES,
    RELATIONSHIPS,
    SPENDING_KINDS,
    WORK_CAPACITIES,
    InputTables,
    Scheme,
    validate_tables,
)
from doudi.policy.money import RoundingRule, derive_fen, ratio_parts, yuan_to_fen
from doudi.policy.parameters import (
    ParameterNotFound,
    ParameterValue,
    PolicyParameters,
    Quality,
)
from doudi.policy.schemes import (
    assets,
    by_district,
    dibao,
    edge,
    gradual_exit,
    household,
    income,
    per_capita,
    result_name,
    rigid,
    tekun,
    temporary,
)

# Parameters without which no household can be assessed.
REQUIRED_PARAMETERS: Final = (
    "dibao.standard",
    "dibao.payment_mode",
    "rounding.derived",
)
# Parameters that may have no value on a date, because a city leaves them
# unset or because the rule did not exist yet (the edge line dates from 2023,
# separate application and the gradual exit from 2021-07-01). The rule that
# needs such a parameter is then not applied, and its outcome in the trace
# is null:
# - asset rules pass unchecked;
# - no member may apply alone and no gradual exit applies;
# - no one qualifies for tekun, edge, rigid-spending or spending hardship;
# - no income kind is disregarded and no cost is deducted.
OPTIONAL_PARAMETERS: Final = (
    "dibao.minor_standard",
    "dibao.tiers",
    "dibao.addons",
    "dibao.district_share",
    "dibao.separate_application_multiplier",
    "income.disregarded",
    "income.deductible",
    "tekun.multiplier",
    "tekun.income_disregarded",
    "tekun.elderly_age",
    "tekun.child_age",
    "minor.coverage_age",
    "edge.multiplier",
    "exit.gradual_months",
    "assets.financial_months",
    "assets.vehicle_allowed",
    "assets.vehicle_allowed_if_seriously_ill",
    "assets.max_homes",
    "assets.floor_area_exception_m2",
    "income.local_disposable_per_capita_last_year",
    "rigid.spending_share",
    "rigid.determination_months",
)
USED_PARAMETERS: Final = (*REQUIRED_PARAMETERS, *OPTIONAL_PARAMETERS)

SCHEME_ORDER: Final = tuple(Scheme)
# Columns every scheme frame starts with.
RESULT_COLUMNS: Final = (
    "household_id",
    "scheme",
    "eligible",
    "amount_fen",
    "recommended_tier",
)
PROVENANCE_SCHEMA: Final = pl.Schema(
    {
        **{
            name: pl.Utf8()
            for name in (
                "district_code",
                "name",
                "value",
                "unit",
            )
        },
        "effective_from": pl.Date(),
        **{
            name: pl.Utf8()
            for name in (
                "precision",
                "quality",
                "national_quality",
                "level",
                "source",
                "note",
            )
        },
        "flags": pl.List(pl.Utf8()),
    }
)


# --- District rules ---------------------------------------------------------


@dataclass(frozen=True)
class DistrictRules:
    """Parameters of each district on one date, ready to join onto households.

    ``districts`` lists the district codes in index order; ``frame`` has one
    row per district, keyed by ``district_code`` and ``district_idx``, with
    fen amounts and derived lines. ``tiers`` is the largest number of payment
    tiers of any district. ``provenance`` has one row per district and
    parameter used.
    """

    districts: tuple[str, ...]
    frame: pl.DataFrame
    tiers: int
    income_classes: income.IncomeClasses
    deductible: tuple[tuple[str, ...], ...]
    has_addons: bool
    provenance: pl.DataFrame

    def varies(self, names: Sequence[str]) -> bool:
        """Tell whether any of these columns differs between districts."""
        return any(self.frame.get_column(name).n_unique() > 1 for name in names)

    def lookup(self, name: str) -> pl.Expr:
        """Look up a column of ``frame`` by each row's ``district_idx``."""
        column = self.frame.get_column(name)
        return by_district(column.to_list(), column.dtype).alias(name)


def resolve_district_rules(
    params: PolicyParameters, *, city: str, on: date, districts: Sequence[str]
) -> DistrictRules:
    """Resolve the parameters of each district and derive its lines in fen.

    Raises ParameterNotFound when a required parameter has no value on ``on``,
    and ValueError when a derived line is not a whole number of fen under
    ``rounding.derived`` 'none'.
    """
    resolved = params.resolve(city, on, list(districts))
    rows: list[dict[str, Any]] = []
    provenance: list[dict[str, Any]] = []
    for district in districts:
        values = resolved[district]
        _check_required(values, city=city, district=district, on=on)
        rows.append(_district_row(district, values))
        provenance.extend(_provenance_rows(district, values))
    tiers = max((len(_tiers_of(resolved[d])) for d in districts), default=0)
    frame = _district_frame(rows, tiers).with_row_index("district_idx")
    return DistrictRules(
        districts=tuple(districts),
        frame=frame,
        tiers=tiers,
        income_classes=income.income_classes(
            [_disregarded_lists(resolved[d]) for d in districts]
        ),
        deductible=tuple(
            tuple(_value(resolved[d], "income.deductible") or ()) for d in districts
        ),
        has_addons=any(_value(resolved[d], "dibao.addons") for d in districts),
        provenance=pl.DataFrame(provenance, schema=PROVENANCE_SCHEMA),
    )


def _check_required(
    values: Mapping[str, ParameterValue], *, city: str, district: str, on: date
) -> None:
    for name in REQUIRED_PARAMETERS:
        if name not in values:
            raise ParameterNotFound(
                f"{name} for {city} district {district} on {on.isoformat()}: no "
                "value applies, and the engine needs it. Add an entry dated on or "
                "before that day."
            )
    mode = _value(values, "dibao.payment_mode")
    if mode == "tiered" and "dibao.tiers" not in values:
        raise ParameterNotFound(
            f"dibao.tiers for {city} district {district} on {on.isoformat()}: "
            "dibao.payment_mode is 'tiered' but no tiers apply. Add dibao.tiers."
        )


def _value(values: Mapping[str, ParameterValue], name: str) -> Any:
    parameter = values.get(name)
    return None if parameter is None else parameter.value


def _tiers_of(values: Mapping[str, ParameterValue]) -> list[dict[str, Decimal]]:
    if _value(values, "dibao.payment_mode") != "tiered":
        return []
    # The parameter schema ensures that the last tier reaches the standard,
    # so every household below the standard falls into a tier.
    tiers: list[dict[str, Decimal]] = _value(values, "dibao.tiers")
    return tiers


def _disregarded_lists(
    values: Mapping[str, ParameterValue],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    dibao_list = tuple(_value(values, "income.disregarded") or ())
    tekun_list = _value(values, "tekun.income_disregarded")
    return dibao_list, dibao_list if tekun_list is None else tuple(tekun_list)


def _district_row(
    district: str, values: Mapping[str, ParameterValue]
) -> dict[str, Any]:
    rule = RoundingRule(_value(values, "rounding.derived"))
    standard = _district_standard(values, "dibao.standard", rule)
    if standard is None:
        raise ParameterNotFound(f"dibao.standard for district {district}: not set")
    minor_standard = _district_standard(values, "dibao.minor_standard", rule)

    def derived(name: str) -> int | None:
        factor = _value(values, name)
        return None if factor is None else derive_fen(standard, factor, rule)

    row: dict[str, Any] = {
        "district_code": district,
        "rounding_rule": rule.value,
        "standard_fen": standard,
        "minor_standard_fen": minor_standard,
        "separate_line_fen": derived("dibao.separate_application_multiplier"),
        "edge_line_fen": derived("edge.multiplier"),
        "tekun_basic_fen": derived("tekun.multiplier"),
        "asset_limit_fen": derived("assets.financial_months"),
        "payment_mode": _value(values, "dibao.payment_mode"),
        "gradual_months": _value(values, "exit.gradual_months"),
        "elderly_age": _value(values, "tekun.elderly_age"),
        "child_age": _value(values, "tekun.child_age"),
        "coverage_age": _value(values, "minor.coverage_age"),
        "determination_months": _value(values, "rigid.determination_months"),
        "vehicle_allowed": _value(values, "assets.vehicle_allowed"),
        "vehicle_allowed_if_seriously_ill": _value(
            values, "assets.vehicle_allowed_if_seriously_ill"
        ),
        "max_homes": _value(values, "assets.max_homes"),
        "floor_area_exception_m2": _area(values),
        "local_income_line_annual_fen": _fen_or_none(
            _value(values, "income.local_disposable_per_capita_last_year")
        ),
    }
    row.update(_share_columns(_value(values, "rigid.spending_share")))
    row.update(_addon_columns(_value(values, "dibao.addons")))
    row.update(_tier_columns(_tiers_of(values), standard, minor_standard, rule))
    return row


def _district_standard(
    values: Mapping[str, ParameterValue], name: str, rule: RoundingRule
) -> int | None:
    """Return a city standard x the district share, in fen; None when unset."""
    city_value = _value(values, name)
    if city_value is None:
        return None
    city_fen = yuan_to_fen(city_value)
    share = _value(values, "dibao.district_share")
    if share is None or share == 1:
        return city_fen
    return derive_fen(city_fen, share, rule)


def _fen_or_none(yuan: Decimal | None) -> int | None:
    return None if yuan is None else yuan_to_fen(yuan)


def _area(values: Mapping[str, ParameterValue]) -> float | None:
    # Floor area is not money, so a float is exact enough for a comparison.
    area = _value(values, "assets.floor_area_exception_m2")
    return None if area is None else float(area)


def _share_columns(share: Decimal | None) -> dict[str, int | None]:
    num, den = (None, None) if share is None else ratio_parts(share)
    return {"spending_share_num": num, "spending_share_den": den}


def _addon_columns(addons: Mapping[str, Decimal] | None) -> dict[str, int | None]:
    addons = addons or {}
    return {
        f"addon_{category}_fen": _fen_or_none(addons.get(category))
        for category in household.ADDON_CATEGORIES
    }


def _tier_columns(
    tiers: list[dict[str, Decimal]],
    standard: int,
    minor_standard: int | None,
    rule: RoundingRule,
) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, tier in enumerate(tiers, start=1):
        num, den = ratio_parts(tier["up_to_share_of_standard"])
        pays = tier["pays_share"]
        minor_base = standard if minor_standard is None else minor_standard
        columns[dibao.tier_column(index, "num")] = num
        columns[dibao.tier_column(index, "den")] = den
        columns[dibao.tier_column(index, "adult_fen")] = derive_fen(
            standard, pays, rule
        )
        columns[dibao.tier_column(index, "minor_fen")] = derive_fen(
            minor_base, pays, rule
        )
    return columns


SMALL_INTEGER_COLUMNS: Final = (
    "gradual_months",
    "elderly_age",
    "child_age",
    "coverage_age",
    "determination_months",
    "max_homes",
)
# Amounts in fen and the integer parts of ratios.
LARGE_INTEGER_COLUMNS: Final = (
    "standard_fen",
    "minor_standard_fen",
    "separate_line_fen",
    "edge_line_fen",
    "tekun_basic_fen",
    "asset_limit_fen",
    "local_income_line_annual_fen",
    "spending_share_num",
    "spending_share_den",
    *(f"addon_{category}_fen" for category in household.ADDON_CATEGORIES),
)


def _district_frame(rows: list[dict[str, Any]], tiers: int) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {
        "district_code": pl.Utf8(),
        "rounding_rule": pl.Utf8(),
        "payment_mode": pl.Utf8(),
        "vehicle_allowed": pl.Boolean(),
        "vehicle_allowed_if_seriously_ill": pl.Boolean(),
        "floor_area_exception_m2": pl.Float64(),
    }
    schema.update({name: pl.Int32() for name in SMALL_INTEGER_COLUMNS})
    schema.update({name: pl.Int64() for name in LARGE_INTEGER_COLUMNS})
    for index in range(1, tiers + 1):
        for field in dibao.TIER_COLUMNS:
            schema[dibao.tier_column(index, field)] = pl.Int64()
    full_rows = [[row.get(name) for name in schema] for row in rows]
    return pl.DataFrame(full_rows, schema=schema, orient="row")


def _provenance_rows(
    district: str, values: Mapping[str, ParameterValue]
) -> list[dict[str, Any]]:
    rows = []
    for name in USED_PARAMETERS:
        parameter = values.get(name)
        if parameter is None:
            continue
        rows.append(
            {
                "district_code": district,
                "name": name,
                "value": value_text(parameter.value),
                "unit": parameter.unit.value,
                "effective_from": parameter.effective_from,
                "precision": parameter.precision.value,
                "quality": parameter.quality.value,
                "national_quality": (
                    None
                    if parameter.national_quality is None
                    else parameter.national_quality.value
                ),
                "level": _level(parameter),
                "source": parameter.source,
                "note": parameter.note,
                "flags": list(parameter.flags),
            }
        )
    return rows


def _level(parameter: ParameterValue) -> str:
    if parameter.quality is Quality.NATIONAL_DEFAULT:
        return "national"
    return "city" if parameter.district is None else "district"


def value_text(value: object) -> str:
    """Render a parameter value as short text: 1650, 1.5, a, b or k: v."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(value_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {value_text(item)}" for key, item in value.items())
    return str(value)


# --- Assessment -------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """The engine's recommendations for a city on one date.

    ``schemes`` maps each scheme to a frame with one row per household, which
    starts with RESULT_COLUMNS and goes on with that scheme's trace.
    ``households`` contains the trace values shared by all schemes (membership,
    income, assets, the district's lines). ``persons`` contains each person's
    trace. ``provenance`` has one row per district and parameter used.
    """

    city: str
    on: date
    households: pl.DataFrame
    schemes: Mapping[str, pl.DataFrame]
    persons: pl.DataFrame
    tekun_candidates: pl.DataFrame
    provenance: pl.DataFrame

    def table(self) -> pl.DataFrame:
        """Return one row per household and scheme, with the whole trace.

        Columns that a scheme does not use are null on its rows.
        """
        frames = [self.schemes[scheme] for scheme in SCHEME_ORDER]
        long = pl.concat(frames, how="diagonal_relaxed")
        return long.join(self.households, on="household_id", how="left")

    def row(self, household_id: int, scheme: str) -> dict[str, Any]:
        """Return one household's row for one scheme, with the shared trace.

        Raises KeyError when the household was not assessed.
        """
        result = self.schemes[scheme].filter(pl.col("household_id") == household_id)
        shared = self.households.filter(pl.col("household_id") == household_id)
        if result.is_empty() or shared.is_empty():
            raise KeyError(f"household {household_id} is not in this assessment")
        return {**shared.row(0, named=True), **result.row(0, named=True)}


def assess(
    tables: Mapping[str, pl.DataFrame] | InputTables,
    params: PolicyParameters,
    *,
    city: str,
    on: date,
) -> Assessment:
    """Assess every household in ``tables`` for every scheme on ``on``.

    Raises InputError for invalid tables and ParameterNotFound when a
    required parameter has no value for a district on that date.
    """
    inputs = validate_tables(tables, city=city)
    return _assess_inputs(inputs, params, city=city, on=on)


def assess_one(
    tables: Mapping[str, pl.DataFrame] | InputTables,
    params: PolicyParameters,
    *,
    city: str,
    on: date,
    household_id: int,
) -> Assessment:
    """Assess one household with the same code as ``assess``.

    ``tables`` may hold other households too; only this one's rows are used.
    """
    inputs = validate_tables(tables, city=city).for_household(household_id)
    if inputs.households.is_empty():
        raise KeyError(f"household {household_id} is not in the households table")
    return _assess_inputs(inputs, params, city=city, on=on)


def _assess_inputs(
    inputs: InputTables, params: PolicyParameters, *, city: str, on: date
) -> Assessment:
    districts = inputs.households.get_column("district_code").unique().sort()
    rules = resolve_district_rules(
        params, city=city, on=on, districts=districts.to_list()
    )
    households = _household_keys(inputs, rules)
    persons = _assessed_persons(inputs, rules, households, on)
    base = _household_base(inputs, rules, households, persons, on)
    tekun_candidates = _assess_tekun_candidates(base, persons, rules)
    wide = _assess_schemes(base, persons, tekun_candidates, rules.tiers, on)
    return Assessment(
        city=city,
        on=on,
        households=_shared_trace(wide, rules),
        schemes={scheme.value: _scheme_frame(wide, scheme) for scheme in Scheme},
        persons=persons.select(PERSON_TRACE_COLUMNS),
        tekun_candidates=tekun_candidates.select(TEKUN_CANDIDATE_COLUMNS),
        provenance=rules.provenance,
    )


def _household_keys(inputs: InputTables, rules: DistrictRules) -> pl.LazyFrame:
    """Select the household columns the rules read, with the district index.

    District values are looked up by index later, so the wide district frame
    is never joined onto a million rows.
    """
    index = {code: position for position, code in enumerate(rules.districts)}
    return inputs.households.lazy().select(
        "household_id",
        "hukou_local",
        "sudden_hardship",
        district_idx=pl.col("district_code").replace_strict(
            index, return_dtype=pl.UInt32
        ),
        data_source=pl.col("data_source").cast(pl.Enum(DATA_SOURCES)),
    )


PERSON_DISTRICT_COLUMNS: Final = (
    "standard_fen",
    "minor_standard_fen",
    "elderly_age",
    "child_age",
    "coverage_age",
)
# Person columns kept after the flags are computed; strings become enums so
# that joins move small integers.
PERSON_COLUMNS: Final = {
    "person_id": None,
    "household_id": None,
    "relationship": pl.Enum(RELATIONSHIPS),
    "age": None,
    "excluded": None,
    "counted": None,
    "minor": None,
    "severe_disability": None,
    "may_apply_alone_by_health": None,
    "listed_disability": None,
    "serious_illness": None,
    "full_time_student": None,
    "unsupported_child": None,
    "has_able_supporter_outside": None,
    "work_capacity": pl.Enum(WORK_CAPACITIES),
    "care_level": pl.Enum(CARE_LEVELS),
}


def _narrow_persons(inputs: InputTables, on: date) -> pl.LazyFrame:
    flagged = household.person_flags(inputs.persons.lazy(), on).with_columns(
        listed_disability=tekun.listed_disability()
    )
    return flagged.select(
        pl.col(name) if dtype is None else pl.col(name).cast(dtype)
        for name, dtype in PERSON_COLUMNS.items()
    )


def _assessed_persons(
    inputs: InputTables, rules: DistrictRules, households: pl.LazyFrame, on: date
) -> pl.DataFrame:
    """Add membership, standards, add-ons and income sums to every person."""
    district_columns = list(PERSON_DISTRICT_COLUMNS)
    if rules.has_addons:
        district_columns += [
            f"addon_{category}_fen" for category in household.ADDON_CATEGORIES
        ]
    persons = _narrow_persons(inputs, on)
    # The district index is joined only when a value differs between
    # districts; otherwise every lookup is a literal.
    if rules.varies(district_columns) or rules.income_classes.varies:
        index = households.select("household_id", "district_idx")
        persons = persons.join(index, on="household_id", how="left")
    persons = persons.with_columns(
        rules.lookup(name) for name in district_columns
    ).with_columns(able_supporter=tekun.able_supporter())
    persons = household.person_standards(persons, addons=rules.has_addons)
    classes = rules.income_classes
    sums = income.person_class_sums(inputs.incomes.lazy(), classes)
    class_columns = [classes.column(index) for index in range(len(classes.work))]
    with_income = (
        persons.join(sums, on="person_id", how="left")
        .with_columns(**income.person_income_columns(classes))
        .drop(class_columns, *district_columns)
    )
    return with_income.collect()


def _household_zero_fills() -> dict[str, pl.DataType]:
    """Household columns that are 0, not null, for households without rows."""
    counts = (
        "counted_members",
        "excluded_members",
        "uncounted_members",
        "counted_minors",
        "seriously_ill_members",
        "able_supporters",
        "vehicles",
        "vehicles_for_seriously_ill",
        "homes",
    )
    amounts = (
        "standard_total_fen",
        "addons_fen",
        "gross_income_fen",
        "work_income_fen",
        "financial_assets_fen",
        *(income.spending_column(kind) for kind in SPENDING_KINDS),
    )
    return {
        **{name: pl.Int32() for name in counts},
        **{name: pl.Int64() for name in amounts},
    }


def _household_base(
    inputs: InputTables,
    rules: DistrictRules,
    households: pl.LazyFrame,
    persons: pl.DataFrame,
    on: date,
) -> pl.DataFrame:
    """Join every household-level sum and apply the income and asset rules."""
    aggregates = (
        persons.lazy()
        .group_by("household_id")
        .agg(
            *household.composition_aggregations(),
            *income.household_income_aggregations(),
            *tekun.supporter_aggregations(),
        )
    )
    parts = [
        aggregates,
        assets.household_assets(inputs.assets.lazy()),
        income.household_spending(inputs.spending.lazy()),
        gradual_exit.enrolment_status(inputs.enrolment.lazy(), on),
    ]
    joined = households
    for part in parts:
        joined = joined.join(part, on="household_id", how="left")
    district_columns = [
        name
        for name in rules.frame.columns
        if name not in ("district_idx", "district_code")
    ]
    filled = (
        joined.with_columns(
            pl.col(name).fill_null(0).cast(dtype)
            for name, dtype in _household_zero_fills().items()
        )
        .with_columns(rules.lookup(name) for name in district_columns)
        .with_columns(
            deductions_fen=income.deductions(rules.deductible),
            rigid_spending_12m_fen=rigid.rigid_spending(),
        )
    )
    return _apply_household_rules(filled).collect()


def _apply_household_rules(households: pl.LazyFrame) -> pl.LazyFrame:
    members = pl.col("counted_members")
    return (
        households.with_columns(
            registration_ok=pl.col("hukou_local"),
            countable_income_fen=income.countable_income(),
            financial_assets_per_person_fen=per_capita(
                pl.col("financial_assets_fen"), members
            ),
            floor_area_per_person_m2=assets.floor_area_per_person(),
        )
        .with_columns(
            per_capita_income_fen=per_capita(pl.col("countable_income_fen"), members),
            financial_assets_ok=assets.financial_assets_ok(),
            vehicle_ok=assets.vehicle_ok(),
            housing_ok=assets.housing_ok(),
        )
        .with_columns(assets_ok=assets.assets_ok())
    )


TEKUN_HOUSEHOLD_COLUMNS: Final = (
    "household_id",
    "tekun_basic_fen",
    "assets_ok",
    "registration_ok",
    "tekun_enrolled",
    "able_supporters",
)


def _assess_tekun_candidates(
    base: pl.DataFrame, persons: pl.DataFrame, rules: DistrictRules
) -> pl.DataFrame:
    with_ages = persons.lazy().with_columns(
        rules.lookup(name) for name in PERSON_DISTRICT_COLUMNS
    )
    candidates = tekun.candidates(with_ages).join(
        base.lazy().select(TEKUN_HOUSEHOLD_COLUMNS), on="household_id", how="inner"
    )
    return tekun.assess_persons(candidates).collect()


# Measured on 1,000,000 households (2 cores, Polars 2.1): the scheme stage,
# many expressions over a wide frame, took 0.2 s in memory against 0.4 s on
# the default streaming engine, which is faster for the group-bys before it.
SCHEMES_ENGINE: Final = "in-memory"


def _assess_schemes(
    base: pl.DataFrame,
    persons: pl.DataFrame,
    tekun_candidates: pl.DataFrame,
    tiers: int,
    on: date,
) -> pl.DataFrame:
    """Add every scheme's result columns to the household rows, in rule order.

    Later schemes read earlier results: edge needs dibao and tekun, rigid
    needs edge.
    """
    separate = dibao.separate_route(persons.lazy(), base.lazy(), tiers).collect(
        engine=SCHEMES_ENGINE
    )
    separate_columns = [
        result_name(Scheme.DIBAO, name)
        for name in (
            "separate_candidates",
            "separate_applicants",
            "separate_amount_fen",
        )
    ]
    tekun_counts = tekun.household_counts(tekun_candidates.lazy()).collect(
        engine=SCHEMES_ENGINE
    )

    frame = dibao.household_route(base.lazy(), tiers)
    frame = frame.join(separate.lazy(), on="household_id", how="left").with_columns(
        pl.col(separate_columns).fill_null(0)
    )
    frame = gradual_exit.apply_gradual_exit(dibao.choose_route(frame), on)
    frame = frame.join(tekun_counts.lazy(), on="household_id", how="left")
    frame = tekun.assess_households(frame)
    frame = edge.assess(frame)
    frame = rigid.assess(frame, on)
    return temporary.assess(frame).collect(engine=SCHEMES_ENGINE)


def _shared_trace(wide: pl.DataFrame, rules: DistrictRules) -> pl.DataFrame:
    with_codes = wide.with_columns(
        rules.lookup("district_code"), pl.col("data_source").cast(pl.Utf8)
    )
    return with_codes.select(SHARED_TRACE_COLUMNS)


def _scheme_frame(wide: pl.DataFrame, scheme: Scheme) -> pl.DataFrame:
    """Select one scheme's result columns, without their prefix."""
    prefix = result_name(scheme, "")
    names = [name for name in wide.columns if name.startswith(prefix)]
    results = [pl.col(name).alias(name.removeprefix(prefix)) for name in names]
    frame = wide.select("household_id", *results).with_columns(
        scheme=pl.lit(scheme.value)
    )
    rest = [name for name in frame.columns if name not in RESULT_COLUMNS]
    return frame.select(*RESULT_COLUMNS, *rest)


SHARED_TRACE_COLUMNS: Final = (
    "household_id",
    "district_code",
    "data_source",
    "hukou_local",
    "registration_ok",
    "counted_members",
    "excluded_members",
    "uncounted_members",
    "counted_minors",
    "gross_income_fen",
    "work_income_fen",
    "deductions_fen",
    "countable_income_fen",
    "per_capita_income_fen",
    "standard_fen",
    "minor_standard_fen",
    "standard_total_fen",
    "rounding_rule",
    "financial_assets_fen",
    "financial_assets_per_person_fen",
    "asset_limit_fen",
    "financial_assets_ok",
    "vehicles",
    "vehicle_ok",
    "homes",
    "floor_area_per_person_m2",
    "housing_ok",
    "assets_ok",
    "rigid_spending_12m_fen",
)
PERSON_TRACE_COLUMNS: Final = (
    "person_id",
    "household_id",
    "age",
    "counted",
    "excluded",
    "minor",
    "may_apply_alone_by_health",
    "own_standard_fen",
    "addon_fen",
    *income.PERSON_INCOME_COLUMNS,
)
TEKUN_CANDIDATE_COLUMNS: Final = (
    "person_id",
    "household_id",
    "age",
    "listed_disability",
    "care_level",
    "tekun_income_fen",
    "able_supporters",
    "tekun_capacity_ok",
    "tekun_eligible",
)
