"""Values typed by an officer: parsing, error messages, JSON and display."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from doudi.policy.schema import SCHEMA, ParameterData
from doudi.policychanges.forms import ProposeForm
from doudi.policychanges.labels import missing_labels
from doudi.policychanges.values import display, from_json, parse_value, to_json


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("dibao.standard", "1800", Decimal(1800)),
        ("dibao.standard", " 1800.50 ", Decimal("1800.50")),
        ("exit.gradual_months", "6", 6),
        ("assets.vehicle_allowed", "true", True),
        ("assets.vehicle_allowed", "否", False),
        ("dibao.payment_mode", "tiered", "tiered"),
        ("income.disregarded", "youfu，scholarship", ["youfu", "scholarship"]),
        (
            "dibao.addons",
            "elderly=100, minor=150.5",
            {"elderly": Decimal(100), "minor": Decimal("150.5")},
        ),
        (
            "dibao.tiers",
            "0.5:1, 1:0.5",
            [
                {"up_to_share_of_standard": Decimal("0.5"), "pays_share": Decimal(1)},
                {"up_to_share_of_standard": Decimal(1), "pays_share": Decimal("0.5")},
            ],
        ),
    ],
)
def test_value_parsed(name, text, expected):
    assert parse_value(SCHEMA[name], text) == expected


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("dibao.standard", "-5", "“-5” is negative: enter a number of at least 0"),
        ("dibao.standard", "abc", "“abc” is not a number"),
        ("dibao.standard", "1e3", "“1e3” is not a number"),
        ("dibao.standard", "", "Enter a value"),
        ("exit.gradual_months", "1.5", "not a whole number: enter it without"),
        ("exit.gradual_months", "-1", "is negative"),
        ("assets.vehicle_allowed", "maybe", "enter true or false"),
        ("dibao.payment_mode", "flat", "enter one of gap, tiered"),
        ("income.disregarded", "youfu, youfu", "names an item twice"),
        ("dibao.addons", "elderly", "is not a pair"),
        ("dibao.addons", "elderly=1, elderly=2", "given twice"),
        ("dibao.tiers", "1:1, 0.5:1", "must increase"),
        ("dibao.standard", "1800.125", "has more than two decimals"),
        ("dibao.standard", "0.001", "has more than two decimals"),
    ],
)
def test_invalid_value_message(name, text, fragment):
    with pytest.raises(ValidationError) as caught:
        parse_value(SCHEMA[name], text)
    assert fragment in caught.value.messages[0]


@pytest.mark.parametrize("name", list(SCHEMA))
def test_display_parses_back(name):
    spec = SCHEMA[name]
    samples: dict[str, ParameterData] = {
        "decimal": Decimal("1330.5"),
        "integer": 12,
        "boolean": True,
        "choice": spec.choices[0] if spec.choices else "",
        "choice_list": list(spec.choices[:2]),
        "amount_by_choice": {choice: Decimal(50) for choice in spec.choices[:2]},
        "tiers": [{"up_to_share_of_standard": Decimal(1), "pays_share": Decimal(1)}],
    }
    value = samples[spec.kind.value]

    assert parse_value(spec, display(spec, value)) == value
    assert from_json(spec, to_json(value)) == value


def test_every_parameter_labelled():
    assert missing_labels() == []


def _form(**fields: str) -> ProposeForm:
    data = {
        "name": "dibao.standard",
        "district": "",
        "effective_from": "2027-01-01",
        "value": "1800",
        "source": "doc",
        "reason": "",
        **fields,
    }
    return ProposeForm(data, districts={"310101": "黄浦区"})


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"name": "dibao.nonsense"}, "name", "“dibao.nonsense” is not a policy"),
        ({"effective_from": "1999-12-31"}, "effective_from", "before 2000"),
        ({"effective_from": "9999-12-31"}, "effective_from", "years ahead"),
        ({"value": "1800.125"}, "value", "more than two decimals"),
        ({"effective_from": "2027/01/01"}, "effective_from", "YYYY-MM-DD"),
        ({"value": "-1"}, "value", "is negative"),
        ({"source": ""}, "source", "Name the document"),
        ({"district": "999999"}, "district", "not a district of this city"),
    ],
)
def test_form_error_names_fix(fields, field, fragment):
    form = _form(**fields)

    assert not form.is_valid()
    assert fragment in " ".join(str(message) for message in form.errors[field])


def test_form_gives_proposal():
    form = _form(district="310101")

    assert form.is_valid(), form.errors
    proposal = form.proposal()
    assert proposal.value == Decimal(1800)
    assert proposal.district_code == "310101"
    assert proposal.effective_from == date(2027, 1, 1)
