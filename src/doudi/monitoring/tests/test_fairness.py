"""Warning rates, precision and recall by group, and the 5-point flag."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from doudi.monitoring.fairness import age_group, age_group_expr, fairness_report


def _frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows)


def _people(district: str, count: int, warned: int, in_need: int, hits: int):
    """Rows of one district: `hits` warned and in need, the rest split."""
    rows = []
    for i in range(count):
        is_warned = i < warned
        is_in_need = i < hits or (warned <= i < warned + in_need - hits)
        rows.append(
            {
                "district": district,
                "age_group": "16-59",
                "sex": "F" if i % 2 else "M",
                "disability": False,
                "warned": is_warned,
                "in_need": is_in_need,
            }
        )
    return rows


def test_rates_precision_recall_by_group():
    frame = _frame(_people("A", 100, 20, 20, 10) + _people("B", 100, 10, 10, 10))

    report = fairness_report(frame, in_need="in_need")

    assert report.city.rows == 200
    assert report.city.warning_rate == pytest.approx(0.15)
    a = next(g for g in report.groups if g.column == "district" and g.group == "A")
    assert a.warning_rate == pytest.approx(0.20)
    assert a.precision == pytest.approx(0.5)
    assert a.recall == pytest.approx(0.5)
    b = next(g for g in report.groups if g.column == "district" and g.group == "B")
    assert b.precision == pytest.approx(1.0)
    assert b.recall == pytest.approx(1.0)


def test_flags_group_beyond_five_points():
    frame = _frame(_people("A", 100, 20, 20, 10) + _people("B", 100, 10, 10, 10))

    report = fairness_report(frame, in_need="in_need")

    flagged = {(g.column, g.group): g.flags for g in report.flagged}
    # City precision and recall are 20/30; A is 50 %, B is 100 %.
    assert flagged[("district", "A")] == ("precision", "recall")
    assert flagged[("district", "B")] == ("precision", "recall")
    assert ("age_group", "16-59") not in flagged


def test_exactly_five_points_not_flagged():
    # City rate 50 %; A 55 %, B 45 %: exactly 5 points away, not more.
    frame = _frame(_people("A", 100, 55, 0, 0) + _people("B", 100, 45, 0, 0))

    report = fairness_report(frame, groups=["district"])

    assert report.flagged == []


def test_just_over_five_points_flagged():
    frame = _frame(_people("A", 1000, 551, 0, 0) + _people("B", 1000, 449, 0, 0))

    report = fairness_report(frame, groups=["district"])

    assert {g.group for g in report.flagged} == {"A", "B"}
    assert report.flagged[0].flags == ("warning_rate",)


def test_without_truth_no_precision_or_recall():
    frame = _frame(_people("A", 10, 5, 0, 0))

    report = fairness_report(frame.drop("in_need"))

    assert report.city.precision is None
    assert report.city.recall is None
    assert report.city.in_need is None


def test_small_groups_reported_not_flagged():
    frame = _frame(_people("A", 100, 10, 0, 0) + _people("B", 3, 3, 0, 0))

    report = fairness_report(frame, groups=["district"], min_count=30)

    assert {g.group for g in report.groups} == {"A", "B"}
    assert report.flagged == []


def test_missing_column_named():
    frame = _frame(_people("A", 2, 1, 0, 0)).drop("sex")

    with pytest.raises(ValueError, match="sex"):
        fairness_report(frame)


def test_null_group_is_unknown():
    frame = pl.DataFrame(
        {"district": ["A", None], "warned": [True, False]},
        schema={"district": pl.Utf8, "warned": pl.Boolean},
    )

    report = fairness_report(frame, groups=["district"])

    assert {g.group for g in report.groups} == {"A", "unknown"}


def test_report_as_dict_is_plain():
    frame = _frame(_people("A", 10, 5, 5, 5))

    data = fairness_report(frame, in_need="in_need").as_dict()

    assert data["threshold_points"] == 5.0
    assert data["city"]["rows"] == 10
    assert isinstance(data["groups"], list)


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "0-15"),
        (15, "0-15"),
        (16, "16-59"),
        (59, "16-59"),
        (60, "60-79"),
        (80, "80+"),
        (104, "80+"),
    ],
)
def test_age_bands(age, band):
    assert age_group(age) == band
    frame = pl.DataFrame({"age": [age]}).with_columns(age_group_expr("age"))
    assert frame["age_group"][0] == band


@given(
    st.lists(
        st.tuples(st.sampled_from("ABC"), st.booleans(), st.booleans()),
        min_size=1,
        max_size=60,
    )
)
def test_group_counts_add_to_city(rows):
    frame = pl.DataFrame(rows, schema=["district", "warned", "in_need"], orient="row")

    report = fairness_report(frame, groups=["district"], in_need="in_need")

    groups = [g for g in report.groups if g.column == "district"]
    assert sum(g.rows for g in groups) == report.city.rows == len(rows)
    assert sum(g.warned for g in groups) == report.city.warned
    for group in groups:
        for measure in ("warning_rate", "precision", "recall"):
            value = getattr(group, measure)
            assert value is None or 0 <= value <= 1
