from datetime import date

import pytest

from doudi.assessments.models import (
    Assessment,
    AssessmentRun,
    ParameterRecord,
    TraceChunk,
)
from doudi.assessments.queries import latest_for
from doudi.assessments.stages import assess_month
from doudi.registry import bulk_load
from doudi.synth import generate_city

MONTH = date(2026, 11, 1)


@pytest.fixture(scope="module")
def city():
    return generate_city(300, 21, date(2026, 11, 30))


@pytest.fixture
def loaded(db, city):
    bulk_load.load_city(city)
    return city


def test_every_household_assessed_per_scheme(loaded):
    summary = assess_month(MONTH)
    schemes = Assessment.objects.values_list("scheme", flat=True).distinct()
    assert summary["households"] == 300
    assert Assessment.objects.count() == 300 * len(set(schemes))


def test_rerun_replaces_month(loaded):
    assess_month(MONTH)
    first = Assessment.objects.count()
    chunks = TraceChunk.objects.count()
    assess_month(MONTH)
    run = AssessmentRun.objects.get()
    assert Assessment.objects.count() == first
    assert set(Assessment.objects.values_list("run_id", flat=True)) == {run.pk}
    assert TraceChunk.objects.count() == chunks
    assert set(TraceChunk.objects.values_list("run_id", flat=True)) == {run.pk}


def test_rerun_keeps_audit_entries(loaded):
    from doudi.privacy.models import AuditEntry

    assess_month(MONTH)
    assess_month(MONTH)
    entries = AuditEntry.objects.filter(object_type="assessments.assessment")
    assert entries.count() == 2


def test_other_month_kept_on_rerun(loaded):
    assess_month(MONTH)
    assess_month(date(2026, 12, 1))
    assess_month(MONTH)
    months = set(AssessmentRun.objects.values_list("month", flat=True))
    assert months == {MONTH, date(2026, 12, 1)}
    assert Assessment.objects.filter(month=date(2026, 12, 1)).count() == 1500


def test_amounts_never_negative(loaded):
    assess_month(MONTH)
    assert not Assessment.objects.filter(amount_fen__lt=0).exists()


def test_parameters_recorded_per_district(loaded):
    assess_month(MONTH)
    districts = set(Assessment.objects.values_list("district_code", flat=True))
    recorded = set(ParameterRecord.objects.values_list("district_code", flat=True))
    assert districts <= recorded


def test_some_household_may_qualify_for_dibao(loaded):
    assess_month(MONTH)
    assert Assessment.objects.filter(scheme="dibao", eligible=True).exists()


def test_explanation_renders_for_household(loaded):
    assess_month(MONTH)
    household_id = Assessment.objects.filter(scheme="dibao").values_list(
        "household_id", flat=True
    )[0]
    explained = latest_for(household_id)
    assert explained
    assert all(item.lines for item in explained)


def test_empty_registry_assesses_nothing(db):
    assert assess_month(MONTH)["households"] == 0


def test_household_page_shows_assessment(loaded, django_user_model):
    from doudi.conftest import signed_in
    from doudi.privacy.choices import Role
    from doudi.registry.models import Household

    assess_month(MONTH)
    household = Household.objects.select_related("region").order_by("pk")[0]
    worker = django_user_model.objects.create_user(
        username="w", role=Role.COMMUNITY_WORKER, region=household.region
    )
    page = signed_in(worker).get(
        f"/registry/households/{household.pk}/", headers={"accept-language": "en"}
    )
    text = page.content.decode()
    assert "Assessment (recommendation)" in text
    assert "Minimum living allowance (dibao)" in text
