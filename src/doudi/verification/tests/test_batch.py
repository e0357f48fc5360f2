"""The batch: which households are due, idempotence, and the engine's frames."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from django.utils import timezone

from doudi.conftest import BOB_ID, signed_in
from doudi.core.cycle import run_cycle, stages
from doudi.policy.inputs import (
    HOUSEHOLDS,
    PERSONS,
    empty_table,
    validate_tables,
)
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import AuditEntry, User
from doudi.registry.choices import AssetKind
from doudi.verification import batch as batch_module
from doudi.verification import services
from doudi.verification.authorisations import NEEDED_KINDS
from doudi.verification.batch import verify_all
from doudi.verification.engine_inputs import verified_inputs
from doudi.verification.models import (
    RequestPurpose,
    VerificationItem,
    VerificationReport,
    VerificationRequest,
)
from doudi.verification.storing import stored_items
from doudi.verification.tests.factories import (
    AS_OF,
    alice,
    authorise,
    carol,
    declare_asset,
    declare_income,
    fact,
    person,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def facts(users, household):
    authorise(users["owner"], household)
    declare_income(alice(), "wages", 250_000, date(2024, 1, 1))
    fact(alice(), "income", "wages", 312_345, date(2025, 1, 1))
    fact(carol(), "asset", "deposits", 99_900, date(2025, 2, 1))
    fact(carol(), "spending", "education", 150_000, date(2025, 3, 1))


def test_verifies_authorised_households(facts, household, far_household) -> None:
    summary = verify_all(AS_OF)

    assert summary["households"] == 2
    assert summary["authorised"] == 1
    assert summary["due"] == 1
    assert summary["verified"] == 1
    assert summary["items"] == 3
    assert isinstance(summary["seconds"], float)
    request = VerificationRequest.objects.get()
    assert request.household == household
    assert request.purpose == RequestPurpose.REVIEW
    assert request.requested_by is None
    report = request.report
    assert report.verified_income_fen == 312_345
    assert report.declared_income_fen == 250_000
    assert report.verified_assets_fen == 99_900
    assert report.verified_spending_fen == 150_000
    assert report.severity == "major"
    items = stored_items(report)
    assert len(items) == 3
    assert not VerificationItem.objects.filter(report=report).exists()
    wages = next(item for item in items if item.item == "wages")
    assert wages.person_id == alice().pk
    assert wages.discrepancy_fen == 62_345
    assert wages.discrepancy_share == Decimal("0.2494")
    assert wages.sources[0]["department"] == "市税务局"


def test_same_day_twice_changes_nothing(facts) -> None:
    verify_all(AS_OF)

    again = verify_all(AS_OF)

    assert again["due"] == 0
    assert again["verified"] == 0
    assert VerificationRequest.objects.count() == 1
    assert VerificationReport.objects.count() == 1
    assert len(stored_items(VerificationReport.objects.get())) == 3


def test_due_again_after_review_interval(facts) -> None:
    verify_all(date(2025, 6, 1))

    assert verify_all(date(2025, 11, 30))["due"] == 0
    assert verify_all(date(2025, 12, 1))["due"] == 1
    assert VerificationRequest.objects.count() == 2


def test_single_request_counts_as_verified(users, household, facts) -> None:
    services.verify_household(
        users["owner"], household, as_of=AS_OF, purpose=RequestPurpose.APPLICATION
    )

    assert verify_all(AS_OF)["due"] == 0


def test_member_not_covered_is_not_due(users, household) -> None:
    authorise(users["owner"], household, members=[alice()])

    summary = verify_all(AS_OF)

    assert summary["authorised"] == 0
    assert summary["verified"] == 0


def test_expired_authorisation_is_not_due(users, household) -> None:
    authorise(users["owner"], household, valid_until=date(2025, 6, 29))

    assert verify_all(AS_OF)["authorised"] == 0


def test_batch_is_audited_once(facts) -> None:
    verify_all(AS_OF)

    entry = AuditEntry.objects.get(object_type="verification.batch")
    assert entry.action == AuditAction.BATCH
    assert entry.purpose == Purpose.VERIFICATION
    assert entry.record_count == 1
    assert entry.actor is None


def test_batch_report_equals_single_report(users, household, facts) -> None:
    declare_asset(household, AssetKind.DEPOSITS, 120_000, date(2024, 1, 1))
    fact(carol(), "spending", "education", 2_500, date(2025, 6, 1))
    single = services.verify_household(
        users["owner"], household, as_of=AS_OF, purpose=RequestPurpose.REVIEW
    ).report
    VerificationRequest.objects.filter(pk=single.pk).update(as_of=date(2024, 1, 1))

    verify_all(AS_OF)

    batch = VerificationRequest.objects.get(run__isnull=False).report
    assert batch.compact_items
    assert not single.compact_items
    assert stored_items(batch) == stored_items(single)
    totals = [
        "declared_income_fen",
        "verified_income_fen",
        "declared_assets_fen",
        "verified_assets_fen",
        "verified_spending_fen",
        "minor_items",
        "major_items",
        "severity",
    ]
    for name in totals:
        assert getattr(batch, name) == getattr(single, name), name


def test_cycle_stage_runs_after_inbox_before_assessment(facts) -> None:
    names = [stage.name for stage in stages()]
    stage = next(stage for stage in stages() if stage.name == "verification.batch")

    assert stage.order == 200
    if "policy.assess" in names:
        assert names.index("verification.batch") < names.index("policy.assess")
    outcome = next(run_cycle(date(2025, 6, 1), only="verification.batch"))
    assert outcome.summary["as_of"] == "2025-06-30"
    assert outcome.summary["verified"] == 1


def test_verified_inputs_pass_engine_validation(household, far_household, facts):
    fact(
        alice(), "asset", "housing", 80_000_000, date(2020, 1, 1), quantity=Decimal(60)
    )
    fact(alice(), "asset", "business", 1_000_000, date(2020, 1, 1))
    fact(person(BOB_ID), "income", "wages", 500_000, date(2025, 1, 1))

    frames = verified_inputs([household.pk], AS_OF)

    assert frames.incomes.to_dicts() == [
        {
            "person_id": alice().pk,
            "kind": "wages",
            "monthly_fen": 312_345,
            "source": "verified",
        }
    ]
    assets = {row["kind"]: row for row in frames.assets.to_dicts()}
    assert set(assets) == {"deposits", "housing"}
    assert assets["housing"]["floor_area_m2"] == 60.0
    assert assets["housing"]["value_fen"] == 80_000_000
    assert frames.spending.to_dicts() == [
        {"household_id": household.pk, "kind": "education", "amount_12m_fen": 150_000}
    ]
    households = pl.DataFrame(
        {
            "household_id": [household.pk],
            "city": ["上海市"],
            "district_code": ["310101"],
            "hukou_local": [True],
            "data_source": ["verified"],
        }
    ).cast(HOUSEHOLDS.schema)
    persons = pl.concat(
        [
            empty_table(PERSONS),
            pl.DataFrame(
                {
                    "person_id": [alice().pk, carol().pk],
                    "household_id": [household.pk, household.pk],
                    "relationship": ["head", "child"],
                    "birth_date": [date(1980, 1, 1), date(2005, 3, 3)],
                    "serious_illness": [False, False],
                    "full_time_student": [False, False],
                    "lives_with_household_long_term": [True, True],
                    "in_prison": [False, False],
                    "in_drug_rehab": [False, False],
                    "declared_missing": [False, False],
                    "clergy_apart_3y": [False, False],
                    "unsupported_child": [False, False],
                    "has_able_supporter_outside": [False, False],
                }
            ),
        ],
        how="diagonal_relaxed",
    ).cast(PERSONS.full_schema)
    checked = validate_tables(
        {
            "households": households,
            "persons": persons,
            "incomes": frames.incomes,
            "assets": frames.assets,
            "spending": frames.spending,
        }
    )
    assert checked.incomes.height == 1
    assert checked.assets.height == 2
    assert checked.spending.height == 1


def test_batch_report_page_and_pdf(users, facts, settings) -> None:
    settings.OTP_REQUIRED = False
    verify_all(AS_OF)
    report = VerificationReport.objects.get()
    client = signed_in(users["owner"])

    page = client.get(f"/verification/reports/{report.pk}/")
    document = client.get(f"/verification/reports/{report.pk}.pdf")

    html = page.content.decode()
    assert page.status_code == 200
    assert "3,123.45" in html
    assert "623.45" in html
    assert "999.00" in html
    assert "市税务局" in html
    assert document.status_code == 200
    assert document.content.startswith(b"%PDF")


def test_parts_give_same_reports(users, household, far_household, facts, monkeypatch):
    far_worker = User.objects.get(username="far_worker")
    bob = person(BOB_ID)
    services.record_authorisation(
        far_worker,
        far_household,
        signed_by=bob,
        members=[bob],
        data_kinds=NEEDED_KINDS,
        signed_on=date(2025, 6, 1),
        valid_until=date(2026, 5, 31),
    )
    fact(bob, "income", "wages", 500_000, date(2025, 1, 1))
    monkeypatch.setattr(batch_module, "PART_HOUSEHOLDS", 1)

    summary = verify_all(AS_OF)

    assert summary["verified"] == 2
    assert summary["items"] == 4
    reports = {
        report.request.household_id: report
        for report in VerificationReport.objects.select_related("request")
    }
    assert reports[household.pk].verified_income_fen == 312_345
    assert reports[far_household.pk].verified_income_fen == 500_000
    assert [item.person_id for item in stored_items(reports[far_household.pk])] == [
        bob.pk
    ]


def test_cycle_stage_of_the_running_month_is_dated_today(facts) -> None:
    today = timezone.localdate()
    outcome = next(run_cycle(today.replace(day=1), only="verification.batch"))
    assert outcome.summary["as_of"] == today.isoformat()
