"""Malformed parameter files raise ParameterFileError with the file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from doudi.policy import ParameterFileError, PolicyParameters

NATIONAL = """\
parameters:
  edge.multiplier:
    - effective_from: 2023
      value: 1.5
      precision: year
      quality: official
      source: national test source
"""


def load_error(tmp_path: Path, city_text: str) -> ParameterFileError:
    """Load ``city_text`` beside a valid national file and return the error."""
    (tmp_path / "national.yaml").write_text(NATIONAL, encoding="utf-8")
    path = tmp_path / "testville.yaml"
    path.write_text(textwrap.dedent(city_text), encoding="utf-8")

    with pytest.raises(ParameterFileError) as raised:
        PolicyParameters.load(tmp_path)

    assert raised.value.path == path
    return raised.value


def test_malformed_date(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          dibao.standard:
            - effective_from: 2021/07/01
              value: 1000
              precision: day
              quality: official
              source: a
        """,
    )

    assert error.line == 4
    assert "malformed effective_from '2021/07/01'" in error.problem
    assert "YYYY-MM-DD" in error.problem
    assert str(error).startswith(f"{error.path}:4: ")


def test_impossible_date(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          dibao.standard:
            - effective_from: 2021-02-30
              value: 1000
              precision: day
              quality: official
              source: a
        """,
    )

    assert error.line == 4
    assert "invalid effective_from '2021-02-30'" in error.problem


def test_date_form_must_match_precision(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          dibao.standard:
            - effective_from: 2020-07
              value: 1000
              precision: day
              quality: official
              source: a
        """,
    )

    assert error.line == 4
    assert "precision day needs the form YYYY-MM-DD" in error.problem


def test_unknown_parameter_name(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          dibao.standard:
            - effective_from: 2020-01-01
              value: 1000
              precision: day
              quality: official
              source: a
          dibao.standrd:
            - effective_from: 2020-01-01
              value: 1000
              precision: day
              quality: official
              source: a
        """,
    )

    assert error.line == 9
    assert "unknown parameter 'dibao.standrd'" in error.problem
    assert "did you mean 'dibao.standard'" in error.problem


def test_unknown_entry_field(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          dibao.standard:
            - effective_from: 2020-01-01
              value: 1000
              precision: day
              quality: official
              sourse: a
        """,
    )

    assert error.line == 8
    assert "unknown key 'sourse'" in error.problem
    assert "did you mean 'source'" in error.problem


def test_unknown_top_level_key(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        distrcts: {}
        """,
    )

    assert error.line == 2
    assert "unknown key 'distrcts'" in error.problem


def test_missing_required_field(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          dibao.standard:
            - effective_from: 2020-01-01
              value: 1000
              precision: day
              quality: official
        """,
    )

    assert error.line == 4
    assert "missing source" in error.problem


def test_history_out_of_order(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          dibao.standard:
            - effective_from: 2021-01-01
              value: 1100
              precision: day
              quality: official
              source: a
            - effective_from: 2020-01-01
              value: 1000
              precision: day
              quality: official
              source: a
        """,
    )

    assert error.line == 9
    assert "effective_from 2020-01-01 is not after" in error.problem
    assert "oldest first" in error.problem


def test_history_with_repeated_date(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          dibao.standard:
            - effective_from: 2020-07
              value: 1000
              precision: month
              quality: official
              source: a
            - effective_from: 2020-07-01
              value: 1100
              precision: day
              quality: official
              source: a
        """,
    )

    assert error.line == 9
    assert "is not after the previous entry's 2020-07-01" in error.problem


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("dibao.standard", '"1000"', "Write the number without quotes"),
        ("dibao.standard", "true", "expected a number"),
        ("dibao.standard", "-5", "at least 0"),
        ("limits.decision", "10.5", "expected a whole number"),
        ("assets.vehicle_allowed", "1", "expected true or false"),
        ("dibao.payment_mode", "partial", "expected one of gap, tiered"),
        ("income.disregarded", "[youfu, salary]", "got str 'salary'"),
        ("income.disregarded", "[youfu, youfu]", "names an item twice"),
        ("dibao.addons", "{elderly: 440, pets: 10}", "got str 'pets'"),
        ("dibao.tiers", "[{up_to_share_of_standard: 0.5}]", "exactly the fields"),
        (
            "dibao.tiers",
            "[{up_to_share_of_standard: 0.5, pays_share: 1},"
            " {up_to_share_of_standard: 0.3, pays_share: 0.5}]",
            "must increase",
        ),
        (
            "dibao.tiers",
            "[{up_to_share_of_standard: 0.5, pays_share: 1}]",
            "must be at least 1",
        ),
    ],
)
def test_value_of_wrong_type(tmp_path, name, value, fragment):
    error = load_error(
        tmp_path,
        f"""\
        city: Testville
        parameters:
          {name}:
            - effective_from: 2020-01-01
              value: {value}
              precision: day
              quality: official
              source: a
        """,
    )

    assert error.line == 5
    assert f"invalid value for {name}" in error.problem
    assert fragment in error.problem


def test_unsupported_number_form(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          dibao.standard:
            - effective_from: 2020-01-01
              value: 1_000
              precision: day
              quality: official
              source: a
        """,
    )

    assert error.line == 5
    assert "unsupported scalar '1_000'" in error.problem


def test_wrong_unit(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          limits.decision:
            - effective_from: 2021-07-01
              value: 10
              unit: calendar_days
              precision: day
              quality: official
              source: a
        """,
    )

    assert error.line == 6
    assert "wrong unit 'calendar_days' for limits.decision" in error.problem
    assert "working_days" in error.problem


def test_duplicate_parameter_key(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          dibao.standard:
            - {effective_from: 2020-01-01, value: 1000, precision: day,
               quality: official, source: a}
          dibao.standard:
            - {effective_from: 2021-01-01, value: 1100, precision: day,
               quality: official, source: a}
        """,
    )

    assert error.line == 6
    assert "duplicate key 'dibao.standard'" in error.problem
    assert "first on line 3" in error.problem


def test_duplicate_entry_field(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          dibao.standard:
            - effective_from: 2020-01-01
              value: 1000
              value: 1100
              precision: day
              quality: official
              source: a
        """,
    )

    assert error.line == 6
    assert "duplicate key 'value'" in error.problem


def test_assumed_value_needs_reason(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          rigid.spending_share:
            - effective_from: 2025-01-01
              value: 0.6
              precision: day
              quality: assumed
              source: none
        """,
    )

    assert error.line == 4
    assert "needs a note giving the reason" in error.problem


def test_national_default_quality_rejected_in_file(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          dibao.standard:
            - effective_from: 2020-01-01
              value: 1000
              precision: day
              quality: national_default
              source: a
        """,
    )

    assert error.line == 7
    assert "invalid quality 'national_default'" in error.problem


def test_invalid_yaml_syntax(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        parameters:
          dibao.standard: [
        """,
    )

    assert error.line == 4
    assert "invalid YAML" in error.problem


def test_district_error_points_into_district(tmp_path):
    error = load_error(
        tmp_path,
        """\
        city: Testville
        districts:
          "990101":
            parameters:
              dibao.district_share:
                - effective_from: 2022-01-01
                  value: eighty percent
                  precision: day
                  quality: official
                  source: a
        """,
    )

    assert error.line == 7
    assert "invalid value for dibao.district_share" in error.problem


def test_missing_national_file(tmp_path):
    (tmp_path / "testville.yaml").write_text("city: Testville\n", encoding="utf-8")

    with pytest.raises(ParameterFileError) as raised:
        PolicyParameters.load(tmp_path)

    assert raised.value.path == tmp_path / "national.yaml"
    assert raised.value.line is None
    assert "file not found" in raised.value.problem


def test_city_defined_twice(tmp_path):
    (tmp_path / "national.yaml").write_text(NATIONAL, encoding="utf-8")
    (tmp_path / "a.yaml").write_text("city: Testville\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("# copy\ncity: Testville\n", encoding="utf-8")

    with pytest.raises(ParameterFileError) as raised:
        PolicyParameters.load(tmp_path)

    assert raised.value.path == tmp_path / "b.yaml"
    assert raised.value.line == 2
    assert "also defined in" in raised.value.problem


def test_error_in_national_file(tmp_path):
    national = NATIONAL.replace("precision: year", "precision: annual")
    (tmp_path / "national.yaml").write_text(national, encoding="utf-8")

    with pytest.raises(ParameterFileError) as raised:
        PolicyParameters.load(tmp_path)

    assert raised.value.path == tmp_path / "national.yaml"
    assert raised.value.line == 5
    assert "invalid precision 'annual'" in raised.value.problem


def test_empty_city_file(tmp_path):
    error = load_error(tmp_path, "")

    assert error.line == 1
    assert "the file is empty" in error.problem


def test_file_not_utf8(tmp_path):
    (tmp_path / "national.yaml").write_text(NATIONAL, encoding="utf-8")
    path = tmp_path / "testville.yaml"
    path.write_bytes("city: 上海\n".encode("gb18030"))

    with pytest.raises(ParameterFileError) as raised:
        PolicyParameters.load(tmp_path)

    assert raised.value.path == path
    assert "invalid UTF-8" in raised.value.problem
