import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from doudi.assessments.management.commands.simulate import parse_setting
from doudi.policy import PolicyParameters
from doudi.policy.simulation import simulate
from doudi.policy.synth_inputs import synth_inputs
from doudi.registry import bulk_load
from doudi.synth import generate_city

DAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def city():
    return generate_city(400, 5, DAY)


def _reform(standard: str):
    baseline = PolicyParameters.load()
    reform = baseline.with_overrides(
        {"dibao.standard": [(date(2026, 11, 1), parse_setting(f"x={standard}")[1])]},
        city="Shanghai",
    )
    return baseline, reform


def test_higher_standard_only_gains(city):
    baseline, reform = _reform("2000")
    result = simulate(synth_inputs(city), baseline, reform, city="Shanghai", on=DAY)
    dibao = result.summary.filter(scheme="dibao")
    assert dibao["households_lost"].sum() == 0
    assert dibao["monthly_cost_change_fen"].sum() > 0


def test_lower_standard_only_loses(city):
    baseline, reform = _reform("1000")
    result = simulate(synth_inputs(city), baseline, reform, city="Shanghai", on=DAY)
    dibao = result.summary.filter(scheme="dibao")
    assert dibao["households_gained"].sum() == 0
    assert dibao["monthly_cost_change_fen"].sum() < 0


def test_same_rules_change_nothing(city):
    baseline = PolicyParameters.load()
    result = simulate(synth_inputs(city), baseline, baseline, city="Shanghai", on=DAY)
    assert result.affected.is_empty()


def test_setting_parsed_exactly():
    name, value = parse_setting("dibao.standard=1800.50")
    assert name == "dibao.standard"
    assert str(value) == "1800.50"
    assert isinstance(value, Decimal)


def test_command_prints_totals(db, city):
    bulk_load.load_city(city)
    out = io.StringIO()
    call_command(
        "simulate", "--set", "dibao.standard=2000", "--month", "2026-11", stdout=out
    )
    assert "total monthly cost change" in out.getvalue()


def test_command_rejects_malformed_setting(db):
    with pytest.raises(CommandError, match="use NAME=VALUE"):
        call_command("simulate", "--set", "dibao.standard")


def test_command_rejects_unknown_parameter(db, city):
    bulk_load.load_city(city)
    with pytest.raises(CommandError, match="invalid reform"):
        call_command("simulate", "--set", "dibao.nonsense=1", "--month", "2026-11")
