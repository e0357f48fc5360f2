"""Explanations rendered from the trace, in Chinese and English."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from doudi.policy.engine import assess
from doudi.policy.explain import MESSAGES, explain
from doudi.policy.parameters import PolicyParameters
from doudi.policy.tests.test_engine_support import (
    CITY,
    ON,
    asset,
    enrolment,
    household,
    income,
    params,
    person,
    spending,
    tables,
)


def dibao_row(parameters: PolicyParameters) -> tuple[dict[str, Any], pl.DataFrame]:
    persons = [person(1), person(2, relationship="child", age=10)]
    data = tables([household()], persons, incomes=[income(1, 600)])
    assessment = assess(data, parameters, city=CITY, on=ON)
    return assessment.row(1, "dibao"), assessment.provenance


def test_message_table_complete() -> None:
    for key, texts in MESSAGES.items():
        assert set(texts) == {"zh", "en"}, key


def test_dibao_explained_in_english() -> None:
    row, provenance = dibao_row(params())
    text = "\n".join(explain(row, provenance, lang="en"))
    assert "eligible for dibao" in text
    assert "1,600.00 yuan a month" in text
    assert "Per-capita income of 300.00 yuan is below the dibao standard" in text
    assert "a caseworker reviews it and decides" in text
    assert "dibao.standard = 1000 yuan per person per month" in text
    assert "reform value" in text


def test_dibao_explained_in_chinese() -> None:
    row, provenance = dibao_row(params())
    text = "\n".join(explain(row, provenance, lang="zh"))
    assert "符合最低生活保障条件，每月 1,600.00 元" in text
    assert "最终由工作人员审核决定" in text
    assert "依据：dibao.standard = 1000" in text


def test_real_parameters_show_caveats() -> None:
    row, provenance = dibao_row(PolicyParameters.load())
    english = "\n".join(explain(row, provenance, lang="en"))
    chinese = "\n".join(explain(row, provenance, lang="zh"))
    # Shanghai's 2025 standard is read in a secondary source; the minors'
    # figure has only a year; the payment mode is a national default.
    assert "secondary source, to be confirmed" in english
    assert "date inexact, year known" in english
    assert "national default" in english
    assert "二手来源" in chinese
    assert "仅知年份" in chinese
    assert "全国默认值" in chinese


def test_assumed_value_gives_reason() -> None:
    data = tables(
        [household()],
        [person(1)],
        incomes=[income(1, 3000)],
        spending_rows=[spending("education", 30_000)],
    )
    assessment = assess(data, PolicyParameters.load(), city=CITY, on=ON)
    lines = explain(assessment.row(1, "rigid"), assessment.provenance, lang="en")
    share = [line for line in lines if "rigid.spending_share" in line]
    assert len(share) == 1
    assert "assumed: No national figure." in share[0]


def test_unchecked_asset_rule_said() -> None:
    row, provenance = dibao_row(params())
    lines = explain(row, provenance, lang="en")
    assert any("so they were not checked" in line for line in lines)


def test_asset_failure_said() -> None:
    parameters = params(assets__financial_months=24)
    data = tables([household()], [person(1)], assets=[asset("deposits", 30_000)])
    assessment = assess(data, parameters, city=CITY, on=ON)
    lines = explain(assessment.row(1, "dibao"), assessment.provenance, lang="en")
    assert "Recommendation: not eligible for dibao (minimum living allowance)." in lines
    assert any("exceed the limit of 24,000.00 yuan" in line for line in lines)


def test_gradual_exit_explained() -> None:
    data = tables(
        [household()],
        [person(1)],
        incomes=[income(1, 1500)],
        enrolments=[enrolment("dibao", since=date(2024, 1, 1))],
    )
    assessment = assess(data, params(), city=CITY, on=ON)
    lines = explain(assessment.row(1, "dibao"), assessment.provenance, lang="en")
    assert any("until 2027-06-01" in line for line in lines)
    assert any("exit.gradual_months = 6 months" in line for line in lines)


def test_every_scheme_explained_in_both_languages() -> None:
    data = tables([household(sudden_hardship=True)], [person(1, age=75)])
    assessment = assess(data, params(), city=CITY, on=ON)
    for scheme in assessment.schemes:
        for lang in ("zh", "en"):
            lines = explain(assessment.row(1, scheme), assessment.provenance, lang)
            assert len(lines) >= 3, (scheme, lang)


def test_unknown_language_rejected() -> None:
    row, provenance = dibao_row(params())
    with pytest.raises(ValueError, match="unknown language"):
        explain(row, provenance, lang="fr")  # type: ignore[arg-type]
