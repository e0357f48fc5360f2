"""Ground-truth rules on hand-made households, and coverage of a demo city."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from doudi.synth import SynthCity, calibration, write_truth
from doudi.synth.tests.cities import city
from doudi.synth.truth import compute_truth, dibao_standard_fen

AS_OF = date(2025, 9, 1)
STANDARD_FEN = 165_000

# Each household: members as (age, work capacity or None, disability grade or
# None), total true monthly income in fen, and deposits in fen.
HOUSEHOLDS: dict[int, tuple[list[tuple[int, str | None, int | None]], int, int]] = {
    1: ([(40, "full", None), (10, None, None)], 200_000, 1_000_000),
    2: ([(70, None, None)], 150_050, 500_000),
    3: ([(40, "full", None), (38, "full", None), (8, None, None)], 600_000, 0),
    4: ([(45, "partial", None)], 100_000, 20_000_000),
    5: ([(50, "full", None)], 165_000, 0),
    6: ([(30, "full", None), (30, "full", None), (2, None, None)], 100, 0),
    7: ([(30, "none", 2)], 0, 0),
    8: ([(35, "full", None)], 247_500, 0),
    9: ([(82, None, None), (12, None, None), (45, "none", 3)], 90_000, 0),
}


def birth_date(age: int) -> date:
    return date(AS_OF.year - age, 1, 15)


def build_frames() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    persons: list[dict[str, object]] = []
    facts: list[dict[str, object]] = []
    incomes: list[dict[str, object]] = []
    assets: list[dict[str, object]] = []
    for hh_key, (members, income, deposits) in HOUSEHOLDS.items():
        for index, (age, capacity, grade) in enumerate(members):
            person_key = hh_key * 10 + index
            persons.append(
                {
                    "person_key": person_key,
                    "hh_key": hh_key,
                    "birth_date": birth_date(age),
                }
            )
            if capacity is not None:
                facts.append(_fact(person_key, "work_capacity", capacity, None))
            if grade is not None:
                facts.append(_fact(person_key, "disability", "physical", grade))
        incomes.append(
            {"person_key": hh_key * 10, "kind": "wages", "monthly_true_fen": income}
        )
        assets.append(
            {"hh_key": hh_key, "kind": "deposits", "value_true_fen": deposits}
        )
    return (
        pl.DataFrame(persons),
        pl.DataFrame(
            facts,
            schema={
                "person_key": pl.Int64,
                "kind": pl.Utf8,
                "code": pl.Utf8,
                "grade": pl.Int8,
            },
        ),
        pl.DataFrame(incomes),
        pl.DataFrame(assets),
    )


def _fact(
    person_key: int, kind: str, code: str, grade: int | None
) -> dict[str, object]:
    return {"person_key": person_key, "kind": kind, "code": code, "grade": grade}


@pytest.fixture(scope="module")
def truth() -> dict[int, dict[str, object]]:
    frame = compute_truth(*build_frames(), AS_OF)
    return {row["hh_key"]: row for row in frame.iter_rows(named=True)}


def test_standard_by_date() -> None:
    assert dibao_standard_fen(date(2025, 7, 1)) == 165_000
    assert dibao_standard_fen(date(2025, 6, 30)) == 159_500
    assert dibao_standard_fen(date(2024, 7, 1)) == 159_500


def test_standard_before_records_rejected() -> None:
    with pytest.raises(ValueError, match="2024-07-01"):
        dibao_standard_fen(date(2024, 6, 30))


def test_gap_paid_per_member(truth: dict[int, dict[str, object]]) -> None:
    assert truth[1]["per_capita_income_fen"] == 100_000
    assert truth[1]["dibao"] is True
    assert truth[1]["dibao_amount_fen"] == (STANDARD_FEN - 100_000) * 2
    assert truth[1]["tekun_persons"] == 0
    assert truth[1]["edge"] is False


def test_gap_rounded_half_up(truth: dict[int, dict[str, object]]) -> None:
    # The gap of 149.50 yuan rounds to 150 yuan.
    assert truth[2]["dibao_amount_fen"] == 15_000


def test_old_person_alone_is_tekun(truth: dict[int, dict[str, object]]) -> None:
    assert truth[2]["tekun_persons"] == 1


def test_edge_band(truth: dict[int, dict[str, object]]) -> None:
    assert truth[3]["per_capita_income_fen"] == 200_000
    assert truth[3]["dibao"] is False
    assert truth[3]["edge"] is True


def test_assets_over_limit(truth: dict[int, dict[str, object]]) -> None:
    assert truth[4]["dibao"] is False
    assert truth[4]["edge"] is False
    assert truth[4]["dibao_amount_fen"] == 0


def test_income_at_standard_not_dibao(truth: dict[int, dict[str, object]]) -> None:
    assert truth[5]["dibao"] is False
    assert truth[5]["edge"] is True


def test_per_capita_income_floored(truth: dict[int, dict[str, object]]) -> None:
    assert truth[6]["per_capita_income_fen"] == 33


def test_severe_disability_is_tekun(truth: dict[int, dict[str, object]]) -> None:
    assert truth[7]["dibao"] is True
    assert truth[7]["tekun_persons"] == 1


def test_income_at_edge_line_not_edge(truth: dict[int, dict[str, object]]) -> None:
    assert truth[8]["edge"] is False


def test_tekun_counts_old_and_young(truth: dict[int, dict[str, object]]) -> None:
    # The 45-year-old has a grade 3 disability and no work capacity, so the
    # household has no capable worker; only the 82- and 12-year-old qualify.
    assert truth[9]["tekun_persons"] == 2


def test_edge_line_not_rounded() -> None:
    persons, facts, incomes, assets = build_frames()
    incomes = incomes.with_columns(
        pl.when(pl.col("person_key") == 50)
        .then(pl.lit(239_249))
        .when(pl.col("person_key") == 80)
        .then(pl.lit(239_250))
        .otherwise(pl.col("monthly_true_fen"))
        .alias("monthly_true_fen")
    )
    frame = compute_truth(persons, facts, incomes, assets, date(2025, 1, 1))
    edge = dict(zip(frame["hh_key"], frame["edge"], strict=True))
    assert edge[5] is True
    assert edge[8] is False


def test_write_truth_round_trip(tmp_path: Path) -> None:
    demo = city()
    path = tmp_path / "truth.parquet"
    write_truth(demo, path)
    assert pl.read_parquet(path).equals(demo.truth)


@pytest.fixture(scope="module")
def demo() -> SynthCity:
    return city()


def dibao_persons(demo: SynthCity) -> int:
    return int(demo.truth.filter("dibao")["size"].sum())


def low_income_persons(demo: SynthCity) -> int:
    truth = demo.truth
    in_program = pl.col("dibao") | pl.col("edge")
    households = int(truth.filter(in_program)["size"].sum())
    tekun_elsewhere = int(truth.filter(~in_program)["tekun_persons"].sum())
    return households + tekun_elsewhere


def test_dibao_share_of_residents(demo: SynthCity) -> None:
    share = dibao_persons(demo) / demo.persons.height
    low, high = calibration.DIBAO_PERSON_SHARE_RANGE
    assert low <= share <= high


def test_low_income_several_times_dibao(demo: SynthCity) -> None:
    ratio = low_income_persons(demo) / dibao_persons(demo)
    low, high = calibration.LOW_INCOME_TO_DIBAO_RANGE
    assert low <= ratio <= high


def test_amount_positive_only_for_dibao(demo: SynthCity) -> None:
    truth = demo.truth
    assert (truth.filter("dibao")["dibao_amount_fen"] > 0).all()
    assert (truth.filter(~pl.col("dibao"))["dibao_amount_fen"] == 0).all()
    assert (truth["dibao_amount_fen"] % 100 == 0).all()


def test_dibao_and_edge_exclusive(demo: SynthCity) -> None:
    assert demo.truth.filter(pl.col("dibao") & pl.col("edge")).height == 0


def test_truth_uses_true_income(demo: SynthCity) -> None:
    totals = (
        demo.incomes.join(demo.persons.select("person_key", "hh_key"), on="person_key")
        .group_by("hh_key")
        .agg(pl.col("monthly_true_fen").sum().alias("total"))
    )
    joined = demo.truth.join(totals, on="hh_key", how="left").with_columns(
        pl.col("total").fill_null(0)
    )
    expected = joined["total"] // joined["size"]
    assert (joined["per_capita_income_fen"] == expected).all()
