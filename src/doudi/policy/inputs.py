"""The engine's input tables, as they stand on the assessment date.

Each table is a Polars frame with the columns of its ``TableSpec``. Money is
integer fen, dates are ``pl.Date`` and a person's facts are those that hold on
the date the engine is run for. ``validate_tables`` checks every table and
raises ``InputError`` naming the table and column of the first problem.

- ``households``: one row per household. ``district_code`` is the 6-digit
  county code whose parameters apply. ``data_source`` is ``declared`` when
  the household reported the money figures and ``verified`` when the
  economic check confirmed them. Optional ``sudden_hardship`` flags a sudden
  crisis (fire, accident, death of the breadwinner) recorded by a caseworker,
  for temporary help.
- ``persons``: one row per person. ``relationship`` is to the head.
  ``disability_grade`` is 1 (most severe) to 4, null for none.
  ``student_level`` is null, ``up_to_bachelor`` or ``postgraduate``.
  ``care_level`` is ``self_care``, ``partly_dependent`` or
  ``fully_dependent`` (null when not assessed).
- ``incomes``: one row per person and income source, monthly, in fen.
- ``assets``: one row per household and asset kind. ``value_fen`` is the
  total value of that kind. ``floor_area_m2`` is the total floor area of the
  homes on a ``housing`` row; ``for_seriously_ill`` marks a ``vehicle`` row
  whose vehicle carries a seriously ill member.
- ``spending``: one row per household and spending kind, the total of the
  last 12 months in fen.
- ``enrolment``: one row per household and scheme it is enrolled in.
  ``exit_started`` is the start of the gradual exit or of leaving the scheme.
  Optional ``award_fen`` is the monthly amount currently paid, which the
  gradual exit keeps paying.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

import polars as pl

from doudi.policy.schema import DISREGARDED_INCOME_KINDS


class Scheme(StrEnum):
    """Assistance schemes the engine assesses, also used in ``enrolment``."""

    DIBAO = "dibao"
    TEKUN = "tekun"
    EDGE = "edge"
    RIGID = "rigid"
    TEMPORARY = "temporary"


RELATIONSHIPS: Final = (
    "head",
    "spouse",
    "child",
    "parent",
    "grandchild",
    "sibling",
    "other",
)
WORK_CAPACITIES: Final = ("full", "partial", "none")
STUDENT_LEVELS: Final = ("up_to_bachelor", "postgraduate")
CARE_LEVELS: Final = ("self_care", "partly_dependent", "fully_dependent")
DATA_SOURCES: Final = ("declared", "verified")
# Work income is what the gradual exit looks at; the other counted kinds are
# net business, property and transfer income, pensions and benefits.
WORK_INCOME_KINDS: Final = ("wages", "business")
COUNTED_INCOME_KINDS: Final = (
    *WORK_INCOME_KINDS,
    "property",
    "transfer",
    "pension",
    "benefit",
)
INCOME_KINDS: Final = (*COUNTED_INCOME_KINDS, *DISREGARDED_INCOME_KINDS)
FINANCIAL_ASSET_KINDS: Final = (
    "deposits",
    "securities",
    "insurance",
    "debts_owed",
    "internet_finance",
)
ASSET_KINDS: Final = (*FINANCIAL_ASSET_KINDS, "vehicle", "housing")
SPENDING_KINDS: Final = (
    "basic_living",
    "medical_out_of_pocket",
    "education",
    "disability_rehab",
    "employment_cost",
    "other",
)
DISTRICT_CODE_PATTERN: Final = r"^[0-9]{6}$"


class InputError(ValueError):
    """An input table that the engine cannot use, naming the table and column."""

    def __init__(self, table: str, column: str | None, problem: str) -> None:
        self.table = table
        self.column = column
        where = f"{table}.{column}" if column else table
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class TableSpec:
    """Columns, types and allowed values of one input table."""

    name: str
    schema: pl.Schema
    # Columns that may be left out; a missing one is filled with its default.
    optional: Mapping[str, tuple[pl.DataType, object]] = field(default_factory=dict)
    nullable: tuple[str, ...] = ()
    allowed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unique: tuple[str, ...] = ()
    non_negative: tuple[str, ...] = ()

    @property
    def full_schema(self) -> pl.Schema:
        """Required and optional columns, in the order the engine keeps them."""
        optional = {name: dtype for name, (dtype, _) in self.optional.items()}
        return pl.Schema({**self.schema, **optional})


HOUSEHOLDS: Final = TableSpec(
    name="households",
    schema=pl.Schema(
        {
            "household_id": pl.Int64,
            "city": pl.Utf8,
            "district_code": pl.Utf8,
            "hukou_local": pl.Boolean,
            "data_source": pl.Utf8,
        }
    ),
    optional={"sudden_hardship": (pl.Boolean(), False)},
    allowed={"data_source": DATA_SOURCES},
    unique=("household_id",),
)

PERSONS: Final = TableSpec(
    name="persons",
    schema=pl.Schema(
        {
            "person_id": pl.Int64,
            "household_id": pl.Int64,
            "relationship": pl.Utf8,
            "birth_date": pl.Date,
            "disability_grade": pl.Int8,
            "disability_category": pl.Utf8,
            "serious_illness": pl.Boolean,
            "work_capacity": pl.Utf8,
            "employment": pl.Utf8,
            "full_time_student": pl.Boolean,
            "student_level": pl.Utf8,
            "lives_with_household_long_term": pl.Boolean,
            "in_prison": pl.Boolean,
            "in_drug_rehab": pl.Boolean,
            "declared_missing": pl.Boolean,
            "clergy_apart_3y": pl.Boolean,
            "care_level": pl.Utf8,
            "unsupported_child": pl.Boolean,
            "has_able_supporter_outside": pl.Boolean,
        }
    ),
    nullable=(
        "disability_grade",
        "disability_category",
        "work_capacity",
        "employment",
        "student_level",
        "care_level",
    ),
    allowed={
        "relationship": RELATIONSHIPS,
        "work_capacity": WORK_CAPACITIES,
        "student_level": STUDENT_LEVELS,
        "care_level": CARE_LEVELS,
    },
    unique=("person_id",),
)

INCOMES: Final = TableSpec(
    name="incomes",
    schema=pl.Schema(
        {
            "person_id": pl.Int64,
            "kind": pl.Utf8,
            "monthly_fen": pl.Int64,
            "source": pl.Utf8,
        }
    ),
    nullable=("source",),
    allowed={"kind": INCOME_KINDS},
    non_negative=("monthly_fen",),
)

ASSETS: Final = TableSpec(
    name="assets",
    schema=pl.Schema(
        {
            "household_id": pl.Int64,
            "kind": pl.Utf8,
            "count": pl.Int32,
            "value_fen": pl.Int64,
            "floor_area_m2": pl.Float64,
            "for_seriously_ill": pl.Boolean,
        }
    ),
    nullable=("floor_area_m2", "for_seriously_ill"),
    allowed={"kind": ASSET_KINDS},
    non_negative=("count", "value_fen", "floor_area_m2"),
)

SPENDING: Final = TableSpec(
    name="spending",
    schema=pl.Schema(
        {
            "household_id": pl.Int64,
            "kind": pl.Utf8,
            "amount_12m_fen": pl.Int64,
        }
    ),
    allowed={"kind": SPENDING_KINDS},
    non_negative=("amount_12m_fen",),
)

ENROLMENT: Final = TableSpec(
    name="enrolment",
    schema=pl.Schema(
        {
            "household_id": pl.Int64,
            "scheme": pl.Utf8,
            "since": pl.Date,
            "exit_started": pl.Date,
        }
    ),
    optional={"award_fen": (pl.Int64(), None)},
    nullable=("exit_started", "award_fen"),
    allowed={"scheme": tuple(Scheme)},
    unique=("household_id", "scheme"),
    non_negative=("award_fen",),
)

TABLES: Final = (HOUSEHOLDS, PERSONS, INCOMES, ASSETS, SPENDING, ENROLMENT)
# Tables that may be left out of ``validate_tables``; each is then empty.
OPTIONAL_TABLES: Final = ("incomes", "assets", "spending", "enrolment")


@dataclass(frozen=True)
class InputTables:
    """Validated input tables, each with exactly its spec's columns."""

    households: pl.DataFrame
    persons: pl.DataFrame
    incomes: pl.DataFrame
    assets: pl.DataFrame
    spending: pl.DataFrame
    enrolment: pl.DataFrame

    def for_household(self, household_id: int) -> InputTables:
        """Return the rows of one household, from every table."""
        persons = self.persons.filter(pl.col("household_id") == household_id)
        return InputTables(
            households=self.households.filter(pl.col("household_id") == household_id),
            persons=persons,
            incomes=self.incomes.filter(
                pl.col("person_id").is_in(persons["person_id"].implode())
            ),
            assets=self.assets.filter(pl.col("household_id") == household_id),
            spending=self.spending.filter(pl.col("household_id") == household_id),
            enrolment=self.enrolment.filter(pl.col("household_id") == household_id),
        )


def empty_table(spec: TableSpec) -> pl.DataFrame:
    """Return an empty frame with all of a spec's columns."""
    return pl.DataFrame(schema=spec.full_schema)


def validate_tables(
    tables: Mapping[str, pl.DataFrame] | InputTables, *, city: str | None = None
) -> InputTables:
    """Check every input table and return them with only their spec's columns.

    ``households`` and ``persons`` are required; a missing optional table is
    taken as empty. When ``city`` is given, every household must be in it.
    Raises InputError for the first problem found.
    """
    if isinstance(tables, InputTables):
        tables = {spec.name: getattr(tables, spec.name) for spec in TABLES}
    unknown = sorted(set(tables) - {spec.name for spec in TABLES})
    if unknown:
        names = ", ".join(spec.name for spec in TABLES)
        raise InputError(unknown[0], None, f"unknown table; expected one of {names}.")

    frames = {spec.name: _checked_table(spec, tables) for spec in TABLES}
    checked = InputTables(**frames)
    _check_households(checked.households, city)
    _check_references(checked)
    return checked


def _checked_table(spec: TableSpec, tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    frame = tables.get(spec.name)
    if frame is None:
        if spec.name in OPTIONAL_TABLES:
            return empty_table(spec)
        raise InputError(spec.name, None, "missing table; it is required.")
    if not isinstance(frame, pl.DataFrame):
        raise InputError(
            spec.name, None, f"expected a polars DataFrame, got {type(frame).__name__}."
        )
    frame = _with_optional_columns(spec, frame)
    _check_columns(spec, frame)
    frame = frame.select(spec.full_schema.names())
    _check_nulls(spec, frame)
    _check_allowed(spec, frame)
    _check_unique(spec, frame)
    _check_non_negative(spec, frame)
    return frame


def _with_optional_columns(spec: TableSpec, frame: pl.DataFrame) -> pl.DataFrame:
    missing = [
        pl.lit(default, dtype=dtype).alias(name)
        for name, (dtype, default) in spec.optional.items()
        if name not in frame.columns
    ]
    return frame.with_columns(missing) if missing else frame


def _check_columns(spec: TableSpec, frame: pl.DataFrame) -> None:
    for name, dtype in spec.full_schema.items():
        if name not in frame.columns:
            raise InputError(spec.name, name, f"missing column of type {dtype}.")
        actual = frame.schema[name]
        if actual != dtype:
            raise InputError(
                spec.name,
                name,
                f"invalid type {actual}; expected {dtype}. Cast the column, for "
                f"example with pl.col({name!r}).cast(pl.{dtype}).",
            )


def _check_nulls(spec: TableSpec, frame: pl.DataFrame) -> None:
    counts = frame.null_count().row(0, named=True)
    for name, count in counts.items():
        if count and name not in spec.nullable:
            raise InputError(
                spec.name, name, f"{count} null values; every row needs a value."
            )


def _check_allowed(spec: TableSpec, frame: pl.DataFrame) -> None:
    for name, values in spec.allowed.items():
        # The distinct values are few, so test those instead of every row.
        distinct = frame.get_column(name).unique().drop_nulls()
        invalid = distinct.filter(~distinct.is_in(list(values))).sort()
        if invalid.len():
            raise InputError(
                spec.name,
                name,
                f"invalid value {invalid[0]!r}; use one of {', '.join(values)}.",
            )


def _check_unique(spec: TableSpec, frame: pl.DataFrame) -> None:
    if not spec.unique or frame.is_empty():
        return
    keys = frame.select(spec.unique)
    if keys.n_unique() == frame.height:
        return
    first = frame.filter(keys.is_duplicated()).row(0, named=True)
    key = ", ".join(f"{name}={first[name]}" for name in spec.unique)
    raise InputError(
        spec.name, ", ".join(spec.unique), f"repeated key ({key}); keep one row."
    )


def _check_non_negative(spec: TableSpec, frame: pl.DataFrame) -> None:
    for name in spec.non_negative:
        column = frame.get_column(name)
        negative = column.filter(column < 0)
        if negative.len():
            raise InputError(
                spec.name, name, f"negative value {negative[0]!r}; amounts start at 0."
            )


def _check_households(households: pl.DataFrame, city: str | None) -> None:
    codes = households.get_column("district_code")
    invalid = codes.filter(~codes.str.contains(DISTRICT_CODE_PATTERN))
    if invalid.len():
        raise InputError(
            "households",
            "district_code",
            f"invalid code {invalid[0]!r}; expected 6 digits such as '310104'.",
        )
    if city is None:
        return
    cities = households.get_column("city")
    others = cities.filter(cities != city)
    if others.len():
        raise InputError(
            "households",
            "city",
            f"household in city {others[0]!r}, but the assessment is for {city!r}. "
            "Assess each city separately.",
        )


def _check_references(tables: InputTables) -> None:
    household_ids = tables.households.get_column("household_id").implode()
    for name in ("persons", "assets", "spending", "enrolment"):
        _check_reference(getattr(tables, name), name, "household_id", household_ids)
    person_ids = tables.persons.get_column("person_id").implode()
    _check_reference(tables.incomes, "incomes", "person_id", person_ids)


def _check_reference(
    frame: pl.DataFrame, table: str, column: str, known: pl.Series
) -> None:
    values = frame.get_column(column)
    orphans = values.filter(~values.is_in(known))
    if orphans.len():
        target = "households" if column == "household_id" else "persons"
        raise InputError(
            table, column, f"{orphans[0]!r} is not in {target}; add it or drop the row."
        )
