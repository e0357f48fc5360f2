"""YAML test cases for the policy engine, in the style of OpenFisca's YAML tests.

A case file contains a list of cases. Each case names a city and a period,
gives small input tables and lists the values the engine must return::

    - name: Shanghai pays the gap to the 2021-07-01 standard
      period: 2021-07-01          # YYYY-MM-DD, or YYYY-MM for its first day
      city: Shanghai
      district: "310101"          # optional; a default code per city
      input:
        persons:
          - {person_id: 1, age: 40}
        incomes:
          - {person_id: 1, monthly_yuan: 330}
      output:
        1:                        # household id
          dibao: {eligible: true, amount_yuan: 1000}
      margin: 0                   # optional, in fen; 0 means exact

Input tables are those of ``doudi.policy.inputs``: ``households``,
``persons``, ``incomes``, ``assets``, ``spending`` and ``enrolment``. Omitted
columns take the neutral values in ``DEFAULTS``; when ``households`` is
omitted, household 1 is created. A person may give ``age`` in place of
``birth_date``: the person was born exactly that many years before the
period. Any ``<name>_fen`` column, in input and output, may be given as
``<name>_yuan`` and is converted exactly. Output columns are those of
``Assessment.row``: the scheme's results and the shared trace. A case may set
``xfail`` to the reason it is known to fail.

Malformed files raise CaseFileError naming the file, the case and the line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

import polars as pl
import yaml

from doudi.policy.engine import Assessment, assess
from doudi.policy.inputs import TABLES, InputError, Scheme, TableSpec
from doudi.policy.money import FEN_PER_YUAN
from doudi.policy.parameters import ParameterNotFound, PolicyParameters

CASE_KEYS: Final = (
    "name",
    "period",
    "city",
    "district",
    "input",
    "output",
    "margin",
    "xfail",
)
REQUIRED_CASE_KEYS: Final = ("name", "period", "city", "output")
SPECS: Final = {spec.name: spec for spec in TABLES}
# Administrative code of a central district of each city, used when a case
# names no district; those districts have no overrides, so city values apply.
DEFAULT_DISTRICTS: Final = {
    "Beijing": "110101",
    "Guangzhou": "440103",
    "Hangzhou": "330102",
    "Shanghai": "310101",
    "Shenzhen": "440303",
    "Zhongshan": "442000",
}
# Neutral values of omitted input columns. Columns missing here (ids, kinds,
# amounts of income and spending) must be given.
DEFAULTS: Final[Mapping[str, Mapping[str, object]]] = {
    "households": {
        "hukou_local": True,
        "data_source": "declared",
        "sudden_hardship": False,
    },
    "persons": {
        "relationship": "head",
        "disability_grade": None,
        "disability_category": None,
        "serious_illness": False,
        "employment": None,
        "full_time_student": False,
        "student_level": None,
        "lives_with_household_long_term": True,
        "in_prison": False,
        "in_drug_rehab": False,
        "declared_missing": False,
        "clergy_apart_3y": False,
        "care_level": None,
        "unsupported_child": False,
        "has_able_supporter_outside": False,
    },
    "incomes": {"kind": "wages", "source": "declared"},
    "assets": {"count": 1, "value_fen": 0, "floor_area_m2": None},
    "spending": {},
    "enrolment": {"exit_started": None, "award_fen": None},
}
# Ages of working age when ``work_capacity`` is omitted: a person from 16 to
# 59 is taken to have full capacity, anyone else has it unrecorded (null).
WORKING_AGES: Final = range(16, 60)
FLOAT_TOLERANCE: Final = 1e-9


class CaseFileError(ValueError):
    """A malformed case file, naming the file, the case and the line."""

    def __init__(self, path: Path, line: int | None, case: str | None, problem: str):
        self.path = path
        self.line = line
        self.case = case
        where = f"{path}:{line}" if line else str(path)
        name = f" case {case!r}:" if case else ""
        super().__init__(f"{where}:{name} {problem}")


TIMESTAMP_TAG: Final = "tag:yaml.org,2002:timestamp"


class _Node(dict[Any, Any]):
    """A YAML mapping that remembers the line it starts on (1-based)."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """Safe YAML loader whose mappings are ``_Node`` objects with line numbers."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Node:
    mapping = _Node(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)
# Dates stay text, so that an invalid one such as 2021-13-40 is reported with
# its case and line instead of failing inside the YAML parser.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Expectation:
    """One expected output value of one household and scheme."""

    household_id: int
    scheme: str
    column: str
    value: object
    margin: int
    line: int


@dataclass(frozen=True)
class Mismatch:
    """An output value that differs from the expectation by more than its margin."""

    expectation: Expectation
    got: object

    def describe(self) -> str:
        expected = self.expectation
        margin = f" (margin {expected.margin} fen)" if expected.margin else ""
        return (
            f"household {expected.household_id} {expected.scheme}.{expected.column} "
            f"(line {expected.line}): expected {expected.value!r}{margin}, "
            f"got {self.got!r}"
        )


@dataclass(frozen=True)
class TestCase:
    """A parsed case: input tables ready for ``assess`` and expected outputs."""

    __test__ = False  # not a pytest test class

    name: str
    path: Path
    line: int
    city: str
    on: date
    tables: Mapping[str, pl.DataFrame]
    expectations: tuple[Expectation, ...]
    xfail: str | None = None

    def error(self, problem: str, line: int | None = None) -> CaseFileError:
        return CaseFileError(self.path, line or self.line, self.name, problem)


# --- Loading ----------------------------------------------------------------


def load_directory(directory: Path) -> list[TestCase]:
    """Load every ``*.yaml`` file of a directory, in name order.

    Raises CaseFileError when two cases share a name.
    """
    cases: list[TestCase] = []
    seen: dict[str, TestCase] = {}
    for path in sorted(directory.glob("*.yaml")):
        for case in load_file(path):
            if case.name in seen:
                first = seen[case.name]
                raise case.error(
                    f"repeated case name; first used at {first.path}:{first.line}."
                )
            seen[case.name] = case
            cases.append(case)
    return cases


def load_file(path: Path) -> list[TestCase]:
    """Parse one case file. Raises CaseFileError for the first problem."""
    try:
        # _LineLoader is a SafeLoader subclass, so no arbitrary objects are built.
        text = path.read_text(encoding="utf-8")
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        raise CaseFileError(path, line, None, f"invalid YAML: {error}") from error
    if not isinstance(document, list):
        raise CaseFileError(path, 1, None, "expected a list of cases.")
    cases = []
    for index, raw in enumerate(document, start=1):
        if not isinstance(raw, _Node):
            raise CaseFileError(path, None, None, f"item {index} is not a mapping.")
        cases.append(parse_case(path, raw))
    return cases


def parse_case(path: Path, raw: _Node) -> TestCase:
    """Build a TestCase from one parsed YAML mapping."""
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CaseFileError(path, raw.line, None, "missing or empty 'name'.")

    def fail(problem: str, line: int | None = None) -> CaseFileError:
        return CaseFileError(path, line or raw.line, name, problem)

    unknown = sorted(str(key) for key in raw if key not in CASE_KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}; expected {', '.join(CASE_KEYS)}.")
    for key in REQUIRED_CASE_KEYS:
        if key not in raw:
            raise fail(f"missing {key!r}; every case needs name, period, city, output.")
    on = parse_period(raw["period"], fail)
    city = raw["city"]
    if not isinstance(city, str):
        raise fail(f"invalid city {city!r}; expected a name such as 'Shanghai'.")
    district = raw.get("district", DEFAULT_DISTRICTS.get(city))
    if not isinstance(district, str):
        raise fail(
            f"no default district for city {city!r}; set 'district' to its "
            "6-digit code as a quoted string."
        )
    margin = _parse_margin(raw.get("margin", 0), fail, raw.line)
    raw_input = raw.get("input", _Node())
    if not isinstance(raw_input, _Node):
        raise fail("'input' must be a mapping of table name to rows.")
    tables = _build_tables(raw_input, city=city, district=district, on=on, fail=fail)
    expectations = _parse_output(raw["output"], margin, fail, raw.line)
    xfail = raw.get("xfail")
    if xfail is not None and not isinstance(xfail, str):
        raise fail("'xfail' must be the reason the case is known to fail.")
    return TestCase(
        name=name,
        path=path,
        line=raw.line,
        city=city,
        on=on,
        tables=tables,
        expectations=expectations,
        xfail=xfail,
    )


Fail = Callable[..., CaseFileError]


def parse_period(value: object, fail: Fail) -> date:
    """Read a period, ``YYYY-MM-DD`` or ``YYYY-MM`` for the month's first day."""
    text = str(value)
    try:
        if len(text) == len("YYYY-MM"):
            return datetime.strptime(text, "%Y-%m").date()
        return date.fromisoformat(text)
    except ValueError:
        raise fail(
            f"invalid period {text!r}; expected YYYY-MM-DD or YYYY-MM."
        ) from None


def _parse_margin(value: object, fail: Fail, line: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise fail(f"invalid margin {value!r}; expected whole fen, 0 or more.", line)
    return value


def _build_tables(
    raw_input: _Node, *, city: str, district: str, on: date, fail: Fail
) -> dict[str, pl.DataFrame]:
    unknown = sorted(str(name) for name in raw_input if name not in SPECS)
    if unknown:
        names = ", ".join(SPECS)
        raise fail(f"unknown input table {unknown[0]!r}; expected {names}.")
    rows_by_table: dict[str, list[_Node]] = {}
    for name in SPECS:
        rows = raw_input.get(name, [])
        if not isinstance(rows, list) or not all(isinstance(r, _Node) for r in rows):
            raise fail(f"input.{name} must be a list of mappings.", raw_input.line)
        rows_by_table[name] = rows
    households = rows_by_table["households"] or [_Node(household_id=1)]
    household_ids = [row.get("household_id") for row in households]
    only_household = household_ids[0] if len(household_ids) == 1 else None
    context = {
        "city": city,
        "district_code": district,
        "household_id": only_household,
    }

    tables: dict[str, pl.DataFrame] = {}
    for name, spec in SPECS.items():
        rows = households if name == "households" else rows_by_table[name]
        filled = [_fill_row(spec, row, context, on, fail) for row in rows]
        tables[name] = pl.DataFrame(filled, schema=spec.full_schema, orient="row")
    return tables


def _fill_row(
    spec: TableSpec,
    row: _Node,
    context: Mapping[str, object],
    on: date,
    fail: Fail,
) -> list[object]:
    """Return one row's values in the spec's column order, defaults filled in."""
    line = row.line or None
    values = _converted_values(spec, row, on, fail, line)

    unknown = sorted(str(key) for key in values if key not in spec.full_schema)
    if unknown:
        columns = ", ".join(spec.full_schema.names())
        raise fail(
            f"unknown column {unknown[0]!r} in {spec.name}; expected {columns}.", line
        )

    defaults = _row_defaults(spec, context, on)
    filled = []
    for column, dtype in spec.full_schema.items():
        if column in values:
            value = values[column]
        elif column in defaults:
            value = defaults[column]
        else:
            raise fail(f"{spec.name} row is missing column {column!r}.", line)
        filled.append(_checked_value(spec.name, column, dtype, value, fail, line))
    return filled


def _converted_values(
    spec: TableSpec, row: _Node, on: date, fail: Fail, line: int | None
) -> dict[Any, Any]:
    """Replace ``<name>_yuan`` by ``<name>_fen`` and a person's ``age`` by dates."""
    values = dict(row)
    for key in list(values):
        if isinstance(key, str) and key.endswith("_yuan"):
            column = key.removesuffix("_yuan") + "_fen"
            if column in spec.full_schema:
                values[column] = _yuan_to_fen(values.pop(key), key, fail, line)

    if spec.name == "persons" and "age" in values:
        if "birth_date" in values:
            raise fail("persons row gives both 'age' and 'birth_date'.", line)
        age = values.pop("age")
        if isinstance(age, bool) or not isinstance(age, int) or age < 0:
            raise fail(f"invalid age {age!r}; expected whole years.", line)
        values["birth_date"] = _years_before(on, age)
        values.setdefault("work_capacity", "full" if age in WORKING_AGES else None)
    return values


def _row_defaults(
    spec: TableSpec, context: Mapping[str, object], on: date
) -> dict[str, object]:
    defaults = dict(DEFAULTS[spec.name])
    defaults.update({k: v for k, v in context.items() if v is not None})
    if spec.name == "persons":
        defaults["work_capacity"] = None
    if spec.name == "enrolment":
        defaults["since"] = on
    if spec.name == "assets":
        defaults["for_seriously_ill"] = None
    return defaults


def _yuan_to_fen(value: object, key: str, fail: Fail, line: int | None) -> int:
    if value is None:
        raise fail(f"{key} is null; leave it out instead.", line)
    try:
        fen = Decimal(str(value)) * FEN_PER_YUAN
    except InvalidOperation:
        raise fail(f"invalid {key} {value!r}; expected a number.", line) from None
    if isinstance(value, bool) or fen != fen.to_integral_value():
        raise fail(f"invalid {key} {value!r}; give at most two decimals.", line)
    return int(fen)


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a year that is not a leap year
        return on.replace(year=on.year - years, day=28)


def _checked_value(
    table: str,
    column: str,
    dtype: pl.DataType,
    value: object,
    fail: Fail,
    line: int | None,
) -> object:
    if value is None:
        return None
    if dtype == pl.Date and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise fail(
                f"invalid date {value!r} for {table}.{column}; expected YYYY-MM-DD.",
                line,
            ) from None
    if dtype == pl.Boolean:
        ok = isinstance(value, bool)
    elif dtype.is_integer():
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif dtype == pl.Float64:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif dtype == pl.Date:
        ok = isinstance(value, date) and not isinstance(value, datetime)
    else:
        ok = isinstance(value, str)
    if not ok:
        raise fail(
            f"invalid value {value!r} for {table}.{column}; expected {dtype}.", line
        )
    return value


def _parse_output(
    raw: object, margin: int, fail: Fail, line: int
) -> tuple[Expectation, ...]:
    if not isinstance(raw, _Node) or not raw:
        raise fail("'output' must map household ids to expected values.", line)
    schemes = tuple(Scheme)
    expectations = []
    for household_id, by_scheme in raw.items():
        if isinstance(household_id, bool) or not isinstance(household_id, int):
            raise fail(f"output key {household_id!r} is not a household id.", raw.line)
        if not isinstance(by_scheme, _Node) or not by_scheme:
            raise fail(f"output for household {household_id} is empty.", raw.line)
        for scheme, columns in by_scheme.items():
            if scheme not in schemes:
                raise fail(
                    f"unknown scheme {scheme!r}; expected {', '.join(schemes)}.",
                    by_scheme.line,
                )
            if not isinstance(columns, _Node) or not columns:
                raise fail(f"output {household_id}.{scheme} is empty.", by_scheme.line)
            local = _parse_margin(columns.get("margin", margin), fail, columns.line)
            for column, value in columns.items():
                if column == "margin":
                    continue
                name, expected = _expected(str(column), value, fail, columns.line)
                expectations.append(
                    Expectation(
                        household_id, scheme, name, expected, local, columns.line
                    )
                )
    return tuple(expectations)


def _expected(column: str, value: object, fail: Fail, line: int) -> tuple[str, object]:
    if column.endswith("_yuan"):
        return column.removesuffix("_yuan") + "_fen", _yuan_to_fen(
            value, column, fail, line
        )
    return column, value


# --- Running ----------------------------------------------------------------


def run_case(case: TestCase, params: PolicyParameters) -> list[Mismatch]:
    """Assess a case's households and return the outputs that differ.

    Raises CaseFileError when the inputs are invalid, a parameter is missing
    or an output column does not exist.
    """
    try:
        assessment = assess(case.tables, params, city=case.city, on=case.on)
    except (InputError, ParameterNotFound) as error:
        raise case.error(f"the engine rejected the case: {error}") from error
    return compare(case, assessment)


def compare(case: TestCase, assessment: Assessment) -> list[Mismatch]:
    """Compare an assessment with a case's expected outputs."""
    mismatches = []
    for expectation in case.expectations:
        try:
            row = assessment.row(expectation.household_id, expectation.scheme)
        except KeyError:
            raise case.error(
                f"household {expectation.household_id} is not in the input.",
                expectation.line,
            ) from None
        if expectation.column not in row:
            raise case.error(
                f"unknown output column {expectation.column!r} for "
                f"{expectation.scheme}; expected one of {', '.join(row)}.",
                expectation.line,
            )
        got = row[expectation.column]
        if not matches(expectation.value, got, expectation.margin):
            mismatches.append(Mismatch(expectation, got))
    return mismatches


def matches(expected: object, got: object, margin: int) -> bool:
    """Tell whether ``got`` equals ``expected``, numbers within ``margin``."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        tolerance = margin + (FLOAT_TOLERANCE if isinstance(got, float) else 0)
        return abs(got - expected) <= tolerance
    if isinstance(got, date) and isinstance(expected, str):
        # Dates in case files stay text (see _LineLoader).
        return got.isoformat() == expected
    return expected == got
