"""Run every YAML case in ``cases/`` and test the case loader's error messages."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from doudi.policy.parameters import PolicyParameters
from doudi.policy.testcases import (
    CaseFileError,
    TestCase,
    load_directory,
    load_file,
    run_case,
)

CASES_DIRECTORY = Path(__file__).with_name("cases")
CASES = load_directory(CASES_DIRECTORY)


@cache
def shipped_parameters() -> PolicyParameters:
    return PolicyParameters.load()


def _param(case: TestCase) -> object:
    marks = []
    if case.xfail is not None:
        marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_yaml_case(case: TestCase) -> None:
    mismatches = run_case(case, shipped_parameters())
    report = "\n".join(mismatch.describe() for mismatch in mismatches)
    assert not mismatches, f"{case.path.name}:{case.line} {case.name}\n{report}"


def test_cases_directory_has_cases() -> None:
    assert len(CASES) >= 40


# --- Loader errors ------------------------------------------------------------

VALID_CASE = """\
- name: valid
  period: 2024-03-01
  city: Shanghai
  input:
    persons:
      - {person_id: 1, age: 40}
  output:
    1:
      dibao: {eligible: true}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> CaseFileError:
    path = write(tmp_path, text)
    with pytest.raises(CaseFileError) as caught:
        load_file(path)
    return caught.value


def test_loader_accepts_valid_case(tmp_path: Path) -> None:
    (case,) = load_file(write(tmp_path, VALID_CASE))
    assert case.name == "valid"
    assert case.tables["persons"].height == 1
    assert case.tables["households"]["district_code"].to_list() == ["310101"]


def test_loader_reads_month_period(tmp_path: Path) -> None:
    text = VALID_CASE.replace("2024-03-01", "2024-03")
    (case,) = load_file(write(tmp_path, text))
    assert case.on.isoformat() == "2024-03-01"


def test_loader_rejects_bad_date(tmp_path: Path) -> None:
    error = load_error(tmp_path, VALID_CASE.replace("2024-03-01", "2024-13-40"))
    assert error.line == 1
    assert error.case == "valid"
    assert "invalid period '2024-13-40'" in str(error)
    assert str(error).startswith(f"{tmp_path / 'cases.yaml'}:1:")


def test_loader_rejects_bad_row_date(tmp_path: Path) -> None:
    text = VALID_CASE.replace("age: 40}", "birth_date: 1984-02-30}")
    error = load_error(tmp_path, text)
    assert error.line == 6
    assert "invalid date '1984-02-30' for persons.birth_date" in str(error)


def test_loader_rejects_unknown_column(tmp_path: Path) -> None:
    text = VALID_CASE.replace("{person_id: 1, age: 40}", "{person_id: 1, agee: 40}")
    error = load_error(tmp_path, text)
    assert error.line == 6
    assert "unknown column 'agee' in persons" in str(error)


def test_loader_rejects_missing_output(tmp_path: Path) -> None:
    text = VALID_CASE.split("  output:")[0]
    error = load_error(tmp_path, text)
    assert error.line == 1
    assert error.case == "valid"
    assert "missing 'output'" in str(error)


def test_loader_rejects_unknown_scheme(tmp_path: Path) -> None:
    error = load_error(tmp_path, VALID_CASE.replace("dibao:", "dibaoo:"))
    assert error.line == 9
    assert "unknown scheme 'dibaoo'" in str(error)


def test_loader_rejects_wrong_type(tmp_path: Path) -> None:
    text = VALID_CASE.replace("person_id: 1,", "person_id: 1, in_prison: 'no',")
    error = load_error(tmp_path, text)
    assert error.line == 6
    assert "invalid value 'no' for persons.in_prison" in str(error)


def test_loader_rejects_invalid_yaml(tmp_path: Path) -> None:
    error = load_error(tmp_path, VALID_CASE + "  output: [\n")
    assert error.line is not None
    assert "invalid YAML" in str(error)


def test_runner_rejects_unknown_output_column(tmp_path: Path) -> None:
    text = VALID_CASE.replace("{eligible: true}", "{eligble: true}")
    (case,) = load_file(write(tmp_path, text))
    with pytest.raises(CaseFileError) as caught:
        run_case(case, shipped_parameters())
    assert caught.value.line == 9
    assert "unknown output column 'eligble'" in str(caught.value)


def test_runner_reports_expected_and_got(tmp_path: Path) -> None:
    text = VALID_CASE.replace("{eligible: true}", "{eligible: true, amount_fen: 1}")
    (case,) = load_file(write(tmp_path, text))
    (mismatch,) = run_case(case, shipped_parameters())
    assert mismatch.describe() == (
        "household 1 dibao.amount_fen (line 9): expected 1, got 142000"
    )


def test_margin_allows_small_difference(tmp_path: Path) -> None:
    text = VALID_CASE.replace("{eligible: true}", "{amount_fen: 141990, margin: 10}")
    (case,) = load_file(write(tmp_path, text))
    assert run_case(case, shipped_parameters()) == []
