"""`doudi policy` and `doudi simulate` read the parameters in force."""

from __future__ import annotations

import io
from datetime import date

import yaml
from django.core.management import call_command

from doudi.policychanges import services
from doudi.policychanges.tests.conftest import standard_proposal


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _approve(officers, value: str, day: date) -> None:
    change, _ = services.propose(officers["a"], standard_proposal(value, day))
    services.approve(officers["b"], change.pk)


def test_policy_show_uses_approved_change(officers):
    _approve(officers, "1800", date(2027, 1, 1))

    after = _run("policy", "show", "dibao.standard", "--on", "2027-01-01")
    before = _run("policy", "show", "dibao.standard", "--on", "2026-12-31")

    assert "dibao.standard = 1800 " in after
    assert "source: 沪民规〔2026〕1号" in after
    assert "dibao.standard = 1650 " in before


def test_policy_export_includes_approved_change(officers):
    _approve(officers, "1800", date(2027, 1, 1))

    document = yaml.safe_load(_run("policy", "export"))

    last = document["parameters"]["dibao.standard"][-1]
    assert str(last["effective_from"]) == "2027-01-01"
    assert last["value"] == 1800


def test_simulate_baseline_includes_approved_change(officers, loaded_city):
    _approve(officers, "2400", date(2026, 11, 1))

    output = _run("simulate", "--set", "dibao.standard=2400", "--month", "2026-11")

    # The reform repeats the approved value, so nothing changes.
    assert "total monthly cost change: 0.00 yuan" in output
