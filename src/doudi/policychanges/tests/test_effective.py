"""Effective parameters: shipped files plus approved changes, cached per process."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

from django.utils import timezone

from doudi.policy import DEFAULT_DIRECTORY, PolicyParameters, Quality
from doudi.policychanges import effective, services
from doudi.policychanges.tests.conftest import standard_proposal

CITY = "Shanghai"


def _standard(params: PolicyParameters, day: date) -> Decimal:
    return params.get("dibao.standard", city=CITY, on=day).as_decimal()


def _approved(officers, value: str, day: date):
    change, _ = services.propose(officers["a"], standard_proposal(value, day))
    return services.approve(officers["b"], change.pk)


def test_approved_value_applies_from_its_date(officers):
    change = _approved(officers, "1800", date(2027, 1, 1))

    params = effective.effective_parameters()
    value = params.get("dibao.standard", city=CITY, on=date(2027, 1, 1))

    assert value.value == Decimal(1800)
    assert _standard(params, date(2026, 12, 31)) == Decimal(1650)
    assert value.source == "沪民规〔2026〕1号"
    assert value.quality is Quality.OFFICIAL
    assert value.note == f"Approved in doudi as change {change.pk} on " + (
        timezone.localdate(change.decided_at).isoformat() + "."
    )


def test_open_and_rejected_changes_do_not_apply(officers):
    rejected, _ = services.propose(officers["a"], standard_proposal("1700"))
    services.reject(officers["b"], rejected.pk, "No notice")
    services.propose(officers["a"], standard_proposal("1900", date(2027, 2, 1)))

    params = effective.effective_parameters()

    assert _standard(params, date(2027, 6, 1)) == Decimal(1650)


def test_cache_follows_approval(officers):
    before = effective.effective_parameters()
    assert effective.effective_parameters() is before

    _approved(officers, "1800", date(2027, 1, 1))
    after = effective.effective_parameters()

    assert after is not before
    assert _standard(after, date(2027, 1, 1)) == Decimal(1800)
    assert effective.effective_parameters() is after


def test_later_approval_wins(officers):
    _approved(officers, "1800", date(2027, 3, 1))
    _approved(officers, "1750", date(2027, 1, 1))

    params = effective.effective_parameters()

    # The second approval replaces every city entry from 2027-01-01 on,
    # including the first approved change.
    assert _standard(params, date(2027, 6, 1)) == Decimal(1750)


def test_replaced_entries_listed_before_approval(officers):
    _approved(officers, "1800", date(2027, 3, 1))
    earlier, _ = services.propose(
        officers["a"], standard_proposal("1750", date(2027, 1, 1))
    )

    [replaced] = earlier.simulation["replaced"]

    assert replaced["effective_from"] == "2027-03-01"
    assert replaced["value"] == "1800"
    assert earlier.simulation["before"]["value"] == "1650"


def test_export_round_trips(officers, tmp_path):
    _approved(officers, "1800.5", date(2027, 1, 1))
    params = effective.effective_parameters()
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(DEFAULT_DIRECTORY / "national.yaml", folder / "national.yaml")
    (folder / "shanghai.yaml").write_text(params.to_yaml(CITY), encoding="utf-8")

    reloaded = PolicyParameters.load(folder)

    value = reloaded.get("dibao.standard", city=CITY, on=date(2027, 1, 1))
    assert value.value == Decimal("1800.5")
    assert value.note.startswith("Approved in doudi as change")
    assert reloaded.city_record(CITY) == params.city_record(CITY)


def test_monthly_stage_pays_the_approved_standard(officers, loaded_city):
    """Once approved, the cycle stage assesses with the new value from its date."""
    from doudi.assessments.models import Assessment
    from doudi.assessments.stages import assess_month

    def dibao_total(month: date) -> int:
        return sum(
            Assessment.objects.filter(run__month=month, scheme="dibao").values_list(
                "amount_fen", flat=True
            )
        )

    december, january = date(2026, 12, 1), date(2027, 1, 1)
    assess_month(december)
    assess_month(january)
    before = {month: dibao_total(month) for month in (december, january)}

    _approved(officers, "2400", january)
    assess_month(december)
    assess_month(january)

    assert dibao_total(january) > before[january]
    # December is before the change's date, so the shipped value still applies.
    assert dibao_total(december) == before[december]
