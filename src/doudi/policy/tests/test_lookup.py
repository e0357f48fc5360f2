"""Lookup rules of PolicyParameters.get: layering, dates, errors and flags."""

from __future__ import annotations

import textwrap
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doudi.policy import (
    ParameterNotFound,
    ParameterValue,
    PolicyParameters,
    Precision,
    Quality,
    Unit,
)

NATIONAL = """\
parameters:
  edge.multiplier:
    - effective_from: 2023
      value: 1.5
      precision: year
      quality: official
      source: national test source
  limits.notice:
    - effective_from: 2021-07-01
      value: 7
      precision: day
      quality: official
      source: national test source
"""

TESTVILLE = """\
city: Testville
parameters:
  dibao.standard:
    - effective_from: 2020-01-01
      value: 1000
      precision: day
      quality: official
      source: a
    - effective_from: 2021-07
      value: 1100
      precision: month
      quality: secondary
      source: b
  dibao.district_share:
    - {effective_from: 2020-01-01, value: 1, precision: day, quality: official,
       source: c}
  edge.multiplier:
    - {effective_from: 2024-01-01, value: 2, precision: day, quality: official,
       source: d}
districts:
  "990101":
    name: Hill County
    parameters:
      dibao.district_share:
        - effective_from: 2022-01-01
          value: 0.8
          precision: day
          quality: official
          source: e
"""


@pytest.fixture
def parameters(tmp_path: Path) -> PolicyParameters:
    (tmp_path / "national.yaml").write_text(NATIONAL, encoding="utf-8")
    (tmp_path / "testville.yaml").write_text(TESTVILLE, encoding="utf-8")
    return PolicyParameters.load(tmp_path)


def test_value_changes_on_its_effective_date(parameters):
    before = parameters.get("dibao.standard", city="Testville", on=date(2021, 6, 30))
    on_day = parameters.get("dibao.standard", city="Testville", on=date(2021, 7, 1))

    assert before.value == Decimal(1000)
    assert on_day.value == Decimal(1100)
    assert on_day.effective_from == date(2021, 7, 1)
    assert on_day.precision is Precision.MONTH


def test_lookup_before_first_value_raises(parameters):
    with pytest.raises(ParameterNotFound) as raised:
        parameters.get("dibao.standard", city="Testville", on=date(2019, 12, 31))

    message = str(raised.value)
    assert "dibao.standard" in message
    assert "Testville" in message
    assert "2019-12-31" in message
    assert "first value 2020-01-01" in message


def test_unknown_parameter_raises(parameters):
    with pytest.raises(ParameterNotFound, match=r"did you mean 'dibao\.standard'"):
        parameters.get("dibao.standrd", city="Testville", on=date(2022, 1, 1))


def test_unknown_city_raises(parameters):
    with pytest.raises(ParameterNotFound, match="no parameter file for city 'Nowhere'"):
        parameters.get("dibao.standard", city="Nowhere", on=date(2022, 1, 1))


def test_parameter_set_nowhere_raises(parameters):
    with pytest.raises(ParameterNotFound, match="no file sets this parameter"):
        parameters.get("dibao.minor_standard", city="Testville", on=date(2022, 1, 1))


def test_datetime_is_rejected(parameters):
    with pytest.raises(TypeError, match="not a datetime"):
        parameters.get("dibao.standard", city="Testville", on=datetime(2022, 1, 1))


def test_national_default_applies(parameters):
    value = parameters.get("limits.notice", city="Testville", on=date(2022, 1, 1))

    assert value.value == 7
    assert value.unit is Unit.CALENDAR_DAYS
    assert value.quality is Quality.NATIONAL_DEFAULT
    assert value.national_quality is Quality.OFFICIAL
    assert value.city == "Testville"
    assert value.district is None
    assert value.flags == ("national default",)


def test_city_value_beats_national_default(parameters):
    national = parameters.get("edge.multiplier", city="Testville", on=date(2023, 6, 1))
    city = parameters.get("edge.multiplier", city="Testville", on=date(2024, 6, 1))

    assert national.value == Decimal("1.5")
    assert national.quality is Quality.NATIONAL_DEFAULT
    assert city.value == Decimal(2)
    assert city.quality is Quality.OFFICIAL


def test_district_override_beats_city(parameters):
    value = parameters.get(
        "dibao.district_share", city="Testville", on=date(2022, 1, 1), district="990101"
    )

    assert value.value == Decimal("0.8")
    assert value.district == "990101"


def test_district_falls_back_before_its_override(parameters):
    value = parameters.get(
        "dibao.district_share",
        city="Testville",
        on=date(2021, 12, 31),
        district="990101",
    )

    assert value.value == Decimal(1)
    assert value.district is None


def test_district_without_overrides_gets_city_value(parameters):
    value = parameters.get(
        "dibao.standard", city="Testville", on=date(2022, 1, 1), district="990199"
    )

    assert value.value == Decimal(1100)
    assert value.district is None


def test_cities_and_districts(parameters):
    assert parameters.cities() == ["Testville"]
    assert parameters.districts("Testville") == ["990101"]
    assert parameters.city_record("Testville").districts["990101"].name == "Hill County"


def test_resolve_lists_each_level(parameters):
    resolved = parameters.resolve("Testville", date(2024, 6, 1), ["990101", "990199"])

    assert set(resolved) == {None, "990101", "990199"}
    assert resolved[None]["dibao.district_share"].value == Decimal(1)
    assert resolved["990101"]["dibao.district_share"].value == Decimal("0.8")
    assert resolved["990199"]["dibao.standard"].value == Decimal(1100)
    assert resolved[None]["limits.notice"].quality is Quality.NATIONAL_DEFAULT
    assert "dibao.minor_standard" not in resolved[None]


def test_resolve_unknown_city_raises(parameters):
    with pytest.raises(ParameterNotFound, match="Nowhere"):
        parameters.resolve("Nowhere", date(2024, 6, 1), [])


def test_returned_list_is_a_copy():
    parameters = PolicyParameters.load()
    first = parameters.get("income.disregarded", city="Beijing", on=date(2022, 1, 1))
    first.as_str_list().append("salary")

    again = parameters.get("income.disregarded", city="Beijing", on=date(2022, 1, 1))

    assert "salary" not in again.as_str_list()


def test_typed_access(parameters):
    value = parameters.get("limits.notice", city="Testville", on=date(2022, 1, 1))

    assert value.as_int() == 7
    with pytest.raises(
        TypeError, match=r"limits\.notice has value kind integer, not decimal"
    ):
        value.as_decimal()


def make_value(**changes: object) -> ParameterValue:
    fields: dict[str, object] = {
        "name": "dibao.standard",
        "city": "Testville",
        "district": None,
        "value": Decimal(1000),
        "unit": Unit.YUAN_PER_PERSON_MONTH,
        "effective_from": date(2020, 1, 1),
        "precision": Precision.DAY,
        "quality": Quality.OFFICIAL,
        "source": "test",
        "note": "",
    }
    fields.update(changes)
    return ParameterValue(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, ()),
        ({"quality": Quality.SECONDARY}, ("secondary source",)),
        ({"precision": Precision.MONTH}, ("date inexact (month known)",)),
        ({"precision": Precision.YEAR}, ("date inexact (year known)",)),
        (
            {"precision": Precision.IN_FORCE_ON},
            ("date inexact (in force on 2020-01-01, start unknown)",),
        ),
        (
            {"quality": Quality.ASSUMED, "note": "no notice was read"},
            ("assumed: no notice was read",),
        ),
        ({"quality": Quality.REFORM}, ("reform value",)),
        (
            {
                "quality": Quality.NATIONAL_DEFAULT,
                "national_quality": Quality.ASSUMED,
                "note": "lowest provincial figure",
                "precision": Precision.YEAR,
            },
            (
                "national default",
                "assumed: lowest provincial figure",
                "date inexact (year known)",
            ),
        ),
    ],
)
def test_flags_text(changes, expected):
    assert make_value(**changes).flags == expected


@st.composite
def histories(draw: st.DrawFn) -> dict[date, int]:
    days = draw(
        st.lists(
            st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    return {day: draw(st.integers(min_value=0, max_value=10_000)) for day in days}


SHIPPED = PolicyParameters.load()


@given(
    history=histories(),
    day=st.dates(min_value=date(1999, 1, 1), max_value=date(2041, 12, 31)),
)
def test_get_returns_latest_entry_not_after_day(history, day):
    # Beijing sets no minor standard and there is no national one, so the
    # override is the whole history.
    items = [
        (effective_from, Decimal(yuan)) for effective_from, yuan in history.items()
    ]
    parameters = SHIPPED.with_overrides({"dibao.minor_standard": items}, city="Beijing")
    applicable = [effective_from for effective_from in history if effective_from <= day]

    if not applicable:
        with pytest.raises(ParameterNotFound, match=f"first value {min(history)}"):
            parameters.get("dibao.minor_standard", city="Beijing", on=day)
    else:
        value = parameters.get("dibao.minor_standard", city="Beijing", on=day)
        assert value.effective_from == max(applicable)
        assert value.value == Decimal(history[max(applicable)])


def test_yaml_numbers_become_exact_decimals(tmp_path):
    city = textwrap.dedent(
        """\
        city: Testville
        parameters:
          tekun.multiplier:
            - effective_from: 2020-01-01
              value: 1.1
              precision: day
              quality: official
              source: a
        """
    )
    (tmp_path / "national.yaml").write_text(NATIONAL, encoding="utf-8")
    (tmp_path / "testville.yaml").write_text(city, encoding="utf-8")

    value = PolicyParameters.load(tmp_path).get(
        "tekun.multiplier", city="Testville", on=date(2020, 1, 1)
    )

    assert value.value == Decimal("1.1")
    assert str(value.value) == "1.1"
