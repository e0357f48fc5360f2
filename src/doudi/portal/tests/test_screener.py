"""The benefit screener: the engine's answer, with nothing stored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client

from doudi.policy import PolicyParameters
from doudi.policy.engine import assess
from doudi.portal.screener import (
    AnswerError,
    ScreenerAnswers,
    input_tables,
    members,
    screen,
)

ON = date(2026, 6, 1)
CITY = "Shanghai"
FORM = {
    "district": "310101",
    "household_size": "3",
    "registered_locally": "yes",
    "monthly_income": "1000",
    "savings": "0",
    "vehicles": "0",
    "homes": "0",
    "elderly": "1",
    "children": "1",
    "severe_disability": "0",
    "serious_illness": "0",
    "medical_spending": "0",
    "sudden_hardship": "no",
}


@pytest.fixture(scope="module")
def params() -> PolicyParameters:
    return PolicyParameters.load()


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def test_members_follow_mapping_rules():
    answers = ScreenerAnswers(
        district_code="310101",
        household_size=5,
        elderly=1,
        children=2,
        severe_disability=2,
    )
    listed = members(answers)
    assert [m.relationship for m in listed] == [
        "head",
        "child",
        "child",
        "spouse",
        "sibling",
    ]
    assert [m.age for m in listed] == [70, 8, 8, 40, 40]
    assert [m.severe_disability for m in listed] == [True, True, False, False, False]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("household_size", 0),
        ("elderly", 4),
        ("vehicles", -1),
        ("monthly_income_yuan", Decimal("-1")),
        ("savings_yuan", Decimal("0.001")),
    ],
)
def test_invalid_answers_rejected(field, value):
    fields = {"district_code": "310101", "household_size": 3, field: value}
    answers = ScreenerAnswers(**fields)
    with pytest.raises(AnswerError, match=field):
        answers.check()


def test_spending_and_hardship_reach_engine(params):
    answers = ScreenerAnswers(
        district_code="310101",
        household_size=2,
        monthly_income_yuan=Decimal(4000),
        medical_spending_12m_yuan=Decimal(60000),
        sudden_hardship=True,
    )
    tables = input_tables(answers, city=CITY, on=ON)
    assert tables.spending.get_column("amount_12m_fen").to_list() == [6_000_000]
    assert tables.households.get_column("sudden_hardship").to_list() == [True]
    direct = assess(tables, params, city=CITY, on=ON)
    for result in screen(answers, params, city=CITY, on=ON):
        row = direct.row(1, result.scheme)
        assert result.eligible == row["eligible"], result.scheme
        assert result.amount_fen == row["amount_fen"], result.scheme


def test_low_income_household_may_get_dibao(params):
    answers = ScreenerAnswers(
        district_code="310101", household_size=2, monthly_income_yuan=Decimal(500)
    )
    results = {r.scheme: r for r in screen(answers, params, city=CITY, on=ON)}
    assert results["dibao"].eligible
    amount = results["dibao"].amount_fen
    assert amount is not None
    assert amount > 0


def test_page_shows_questions(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/screener/")
    assert response.status_code == 200
    assert b"How many people live in your household?" in response.content


def test_result_has_reasons_and_documents(regions):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post("/portal/screener/", FORM)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Your answers suggest that your household may qualify for" in content
    assert "Minimum living allowance (dibao)" in content
    assert "What to bring" in content
    assert "Household registration booklet" in content
    assert "/portal/sign-in/?next=/portal/menu/" in content


def test_screener_stores_nothing(regions):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    page = client.get("/portal/screener/")
    token = page.cookies["csrftoken"].value
    before = _row_counts()

    response = client.post("/portal/screener/", {**FORM, "csrfmiddlewaretoken": token})

    assert response.status_code == 200
    assert b"may qualify" in response.content
    assert _row_counts() == before
    assert set(response.cookies) <= {"csrftoken"}
    assert "sessionid" not in client.cookies
    assert dict(client.session.items()) == {}


def test_screener_rejects_missing_csrf(regions):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    response = client.post("/portal/screener/", FORM)
    assert response.status_code == 403


def test_more_members_than_household_rejected(regions):
    form = {**FORM, "household_size": "1", "elderly": "1", "children": "1"}
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post("/portal/screener/", form)
    assert response.status_code == 200
    assert b"add up to more than the 1 people" in response.content
    assert b"Your result" not in response.content
