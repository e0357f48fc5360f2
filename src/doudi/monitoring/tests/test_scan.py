"""The scan: warnings raised once, updated on rescans, incremental, checks, stage."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from doudi.assessments.models import Assessment, AssessmentRun, Scheme
from doudi.cases.models import Case, Channel
from doudi.conftest import CAROL_ID
from doudi.core import cycle
from doudi.core.locks import single_run
from doudi.monitoring.models import (
    ScanKind,
    ScanRun,
    SignalWeight,
    Warning,
    WarningKind,
    WarningStatus,
)
from doudi.monitoring.scan import run_scan
from doudi.monitoring.tasks import scan_city, scan_signals
from doudi.payments.tests.factories import make_award
from doudi.privacy.models import User
from doudi.registry import services
from doudi.registry.choices import FactKind
from doudi.registry.models import Household, HouseholdAsset, Person

pytestmark = pytest.mark.django_db


def _person(household: Household) -> Person:
    return Person.objects.filter(memberships__household=household).order_by("pk")[0]


def _recent(days: int = 30) -> date:
    return timezone.localdate() - timedelta(days=days)


def _weigh(code: str, weight: str) -> None:
    SignalWeight.objects.update_or_create(
        code=code,
        defaults={
            "weight": Decimal(weight),
            "changed_by": User.objects.get(username="city"),
            "changed_at": timezone.now(),
        },
    )


def _serious_illness(actor: User, household: Household) -> None:
    """Record a new serious illness, weighed so that it warns on its own."""
    _weigh("serious_illness_new", "4")
    services.record_fact(
        actor,
        person=_person(household),
        kind=FactKind.ILLNESS,
        valid_from=_recent(),
        code="serious",
    )


def _open(household: Household, code: str) -> list[Warning]:
    return list(
        Warning.objects.filter(
            household=household,
            reason_code=code,
            status__in=[WarningStatus.NEW, WarningStatus.ASSIGNED],
        )
    )


def _assess(household: Household, scheme: str, *, eligible: bool) -> None:
    month = timezone.localdate().replace(day=1)
    run, _ = AssessmentRun.objects.get_or_create(
        month=month,
        defaults={"as_of": month, "households": 1, "assessed_at": timezone.now()},
    )
    Assessment.objects.create(
        run=run,
        household=household,
        month=month,
        scheme=scheme,
        district_code="310101",
        eligible=eligible,
        amount_fen=120_000 if eligible else 0,
        recommended_tier="",
    )


def test_signal_raises_one_warning(
    users: dict[str, User], household: Household
) -> None:
    _serious_illness(users["owner"], household)
    result = run_scan()
    assert result.kind == ScanKind.FULL
    assert result.created == 1
    (warning,) = _open(household, "serious_illness_new")
    assert warning.kind == WarningKind.SIGNAL
    assert warning.category == "illness"
    assert warning.risk_score == Decimal("4.00")
    assert warning.region_id == household.region_id
    assert warning.region_path == household.region.path
    assert warning.respond_by > timezone.localdate()
    assert warning.valid_until == _recent() + timedelta(days=0) + _six_months()
    assert warning.scan_id == result.scan_id


def _six_months() -> timedelta:
    since = _recent()
    index = since.year * 12 + since.month - 1 + 6
    year, month = divmod(index, 12)
    for day in (since.day, 30, 29, 28):
        try:
            return date(year, month + 1, day) - since
        except ValueError:
            continue
    raise AssertionError


def test_rescan_updates_same_warning(
    users: dict[str, User], household: Household
) -> None:
    _serious_illness(users["owner"], household)
    first = run_scan()
    (warning,) = _open(household, "serious_illness_new")
    second = run_scan()
    assert second.created == 0
    assert second.updated == 1
    (again,) = _open(household, "serious_illness_new")
    assert again.pk == warning.pk
    assert again.last_seen_at > warning.last_seen_at
    assert again.scan_id == first.scan_id != second.scan_id


def test_closed_warning_reopens_as_new(
    users: dict[str, User], household: Household
) -> None:
    _serious_illness(users["owner"], household)
    run_scan()
    Warning.objects.update(status=WarningStatus.CLOSED, closed_at=timezone.now())
    result = run_scan()
    assert result.created == 1
    assert len(_open(household, "serious_illness_new")) == 1


def test_detail_holds_no_personal_data(
    users: dict[str, User], household: Household
) -> None:
    _serious_illness(users["owner"], household)
    run_scan()
    (warning,) = _open(household, "serious_illness_new")
    text = json.dumps(warning.detail, ensure_ascii=False)
    assert warning.detail["signals"] == ["serious_illness_new"]
    for personal in ("王测试", "王小测", CAROL_ID, "测试路"):
        assert personal not in text


def test_below_threshold_raises_nothing(
    users: dict[str, User], household: Household
) -> None:
    _serious_illness(users["owner"], household)
    _weigh("serious_illness_new", "1.50")
    result = run_scan()
    assert result.fired == {"serious_illness_new": 1}
    assert result.created == 0


def test_dry_run_writes_nothing(users: dict[str, User], household: Household) -> None:
    _serious_illness(users["owner"], household)
    preview = run_scan(dry_run=True)
    assert preview.warnings == {"serious_illness_new": 1}
    assert preview.scan_id is None
    assert Warning.objects.count() == 0
    assert ScanRun.objects.count() == 0


def test_dry_run_previews_weights(users: dict[str, User], household: Household) -> None:
    _serious_illness(users["owner"], household)
    preview = run_scan(dry_run=True, weights={"serious_illness_new": Decimal("2")})
    assert preview.warnings == {}
    assert preview.fired == {"serious_illness_new": 1}


def test_default_weight_below_threshold(
    users: dict[str, User], household: Household
) -> None:
    _serious_illness(users["owner"], household)
    SignalWeight.objects.all().delete()
    preview = run_scan(dry_run=True)
    assert preview.fired == {"serious_illness_new": 1}
    assert preview.warnings == {}


def test_unknown_weight_code_rejected(db: None) -> None:
    with pytest.raises(ValueError, match="no_such_signal"):
        run_scan(dry_run=True, weights={"no_such_signal": Decimal(1)})


def test_incremental_reads_changed_only(
    users: dict[str, User], household: Household, far_household: Household
) -> None:
    run_scan()
    worker = User.objects.get(username="far_worker")
    _serious_illness(worker, far_household)
    result = run_scan(incremental=True)
    assert result.kind == ScanKind.INCREMENTAL
    assert result.households_scanned == 1
    assert result.created == 1
    assert _open(far_household, "serious_illness_new")


def test_incremental_without_changes_scans_nothing(
    users: dict[str, User], household: Household
) -> None:
    _serious_illness(users["owner"], household)
    run_scan()
    result = run_scan(incremental=True)
    assert result.households_scanned == 0
    assert result.created == result.updated == 0


def test_first_incremental_runs_full(household: Household) -> None:
    assert run_scan(incremental=True).kind == ScanKind.FULL


def test_missed_assistance_warned(household: Household) -> None:
    _assess(household, Scheme.DIBAO, eligible=True)
    result = run_scan()
    assert result.warnings == {"missed:dibao": 1}
    (warning,) = _open(household, "missed:dibao")
    assert warning.kind == WarningKind.MISSED
    assert warning.category == "missed_assistance"
    assert warning.detail["scheme"] == "dibao"
    assert warning.detail["amount_fen"] == 120_000


def test_open_case_stops_missed(users: dict[str, User], household: Household) -> None:
    _assess(household, Scheme.DIBAO, eligible=True)
    Case.objects.create(
        household=household,
        scheme=Scheme.DIBAO,
        channel=Channel.WALK_IN,
        opened_at=timezone.now(),
    )
    assert run_scan().warnings == {}


def test_award_stops_missed(users: dict[str, User], household: Household) -> None:
    _assess(household, Scheme.DIBAO, eligible=True)
    make_award(household, users["district"])
    assert run_scan().warnings == {}


def test_exit_check_warned(users: dict[str, User], household: Household) -> None:
    make_award(household, users["district"])
    _assess(household, Scheme.DIBAO, eligible=False)
    result = run_scan()
    assert result.warnings == {"exit:dibao": 1}
    (warning,) = _open(household, "exit:dibao")
    assert warning.kind == WarningKind.EXIT


def test_award_still_eligible_no_exit(
    users: dict[str, User], household: Household
) -> None:
    make_award(household, users["district"])
    _assess(household, Scheme.DIBAO, eligible=True)
    assert run_scan().warnings == {}


def test_incremental_picks_up_new_missed(
    users: dict[str, User], household: Household, far_household: Household
) -> None:
    run_scan()
    _assess(far_household, Scheme.EDGE, eligible=True)
    result = run_scan(incremental=True)
    assert result.households_scanned == 1
    assert _open(far_household, "missed:edge")


def test_stage_registered_between_assess_and_payments() -> None:
    orders = {stage.name: stage.order for stage in cycle.stages()}
    assert orders["policy.assess"] < orders["monitoring.scan"] < orders["payments.roll"]


def test_stage_runs_full_scan(users: dict[str, User], household: Household) -> None:
    _serious_illness(users["owner"], household)
    (outcome,) = list(cycle.run_cycle(date(2026, 12, 1), only="monitoring.scan"))
    assert outcome.status == "done"
    assert outcome.summary["kind"] == "full"
    assert outcome.summary["warnings_created"] == 1


def test_task_runs_scan(users: dict[str, User], household: Household) -> None:
    _serious_illness(users["owner"], household)
    summary = scan_signals(incremental=False)
    assert summary["warnings_created"] == 1


def test_task_skips_while_locked(household: Household) -> None:
    with single_run("monitoring-scan", ttl_seconds=60):
        assert scan_signals() == {"skipped": True}


def test_scan_run_records_watermarks(
    users: dict[str, User], household: Household
) -> None:
    _serious_illness(users["owner"], household)
    result = run_scan()
    assert result.scan_id is not None
    run = ScanRun.objects.get(pk=result.scan_id)
    assert run.finished_at is not None
    assert run.summary["person_fact_watermark"] > 0
    assert run.households_scanned == 1
    assert run.warnings_created == 1


def test_low_income_elsewhere_read_from_registry(household: Household) -> None:
    Person.objects.filter(memberships__household=household).update(
        hukou_type="elsewhere"
    )
    result = run_scan()
    assert result.warnings == {"low_income_elsewhere": 1}
    (warning,) = _open(household, "low_income_elsewhere")
    assert warning.detail["figure"] == 0
    assert warning.detail["members"] == 2


def test_incremental_checks_scope_only(
    users: dict[str, User], household: Household, far_household: Household
) -> None:
    _assess(household, Scheme.DIBAO, eligible=True)
    _assess(far_household, Scheme.DIBAO, eligible=True)
    run_scan()
    worker = User.objects.get(username="far_worker")
    _serious_illness(worker, far_household)
    result = run_scan(incremental=True)
    assert result.households_scanned == 1
    assert result.warnings == {"missed:dibao": 1, "serious_illness_new": 1}
    (warning,) = _open(far_household, "serious_illness_new")
    assert warning.risk_score == Decimal("9.00")


def test_declared_assets_stop_low_income(household: Household) -> None:
    Person.objects.filter(memberships__household=household).update(
        hukou_type="elsewhere"
    )
    HouseholdAsset.objects.create(
        household=household,
        kind="deposits",
        value_fen=8_000_000,
        valid_from=date(2026, 1, 1),
        source="declared",
    )
    assert run_scan(dry_run=True).warnings == {}


def test_weekly_task_scans_in_full(household: Household) -> None:
    run_scan()
    assert scan_city()["kind"] == "full"
