"""The stored trace gives back what the engine computed, and the same text."""

from datetime import date

import polars as pl
import pytest
from django.conf import settings
from django.utils import translation

from doudi.assessments import registry_inputs, storage
from doudi.assessments.models import Assessment, AssessmentRun, TraceChunk
from doudi.assessments.queries import latest_for
from doudi.assessments.stages import assess_month
from doudi.policy import PolicyParameters
from doudi.policy.engine import Assessment as EngineAssessment
from doudi.policy.engine import assess
from doudi.policy.explain import explain
from doudi.policy.registry_frames import inputs_from_frames
from doudi.registry import bulk_load
from doudi.registry.models import PersonFact
from doudi.synth import generate_city

MONTH = date(2026, 11, 1)
DAY = date(2026, 11, 30)
SCHEMES = ("dibao", "edge", "rigid", "tekun", "temporary")


@pytest.fixture(scope="module")
def city():
    return generate_city(120, 33, DAY)


@pytest.fixture
def loaded(db, city):
    bulk_load.load_city(city)
    return city


def _engine_result() -> EngineAssessment:
    frames = registry_inputs.read_registry(DAY)
    inputs = inputs_from_frames(frames, city_name=settings.DOUDI_CITY)
    params = PolicyParameters.load()
    return assess(inputs, params, city=settings.DOUDI_CITY, on=DAY)


def _household_ids() -> list[int]:
    return sorted(set(Assessment.objects.values_list("household_id", flat=True)))


def test_trace_rows_equal_engine_rows(loaded):
    assess_month(MONTH)
    result = _engine_result()
    run = AssessmentRun.objects.get()
    for household_id in _household_ids():
        stored = storage.read_trace_rows(run.pk, household_id)
        assert sorted(stored) == sorted(SCHEMES)
        for scheme in SCHEMES:
            assert stored[scheme] == result.row(household_id, scheme)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_explanation_equals_engine_text(loaded, language):
    assess_month(MONTH)
    result = _engine_result()
    household_id = _household_ids()[0]
    with translation.override(language):
        explained = latest_for(household_id)
        labels = {Assessment(scheme=s).get_scheme_display(): s for s in SCHEMES}
    assert [item.month for item in explained] == ["2026-11"] * len(SCHEMES)
    for item in explained:
        row = result.row(household_id, labels[item.scheme])
        assert item.lines == explain(row, result.provenance, language)
        assert item.lines


def test_every_household_found_across_chunks(loaded, monkeypatch):
    monkeypatch.setattr(storage, "HOUSEHOLDS_PER_CHUNK", 7)
    assess_month(MONTH)
    run = AssessmentRun.objects.get()
    ids = _household_ids()
    assert TraceChunk.objects.count() == -(-len(ids) // 7)
    for household_id in ids:
        assert sorted(storage.read_trace_rows(run.pk, household_id)) == sorted(SCHEMES)


def test_unknown_household_has_no_trace(loaded):
    assess_month(MONTH)
    run = AssessmentRun.objects.get()
    assert storage.read_trace_rows(run.pk, max(_household_ids()) + 1000) == {}
    assert latest_for(max(_household_ids()) + 1000) == []


def test_latest_month_shown(loaded):
    assess_month(MONTH)
    assess_month(date(2026, 12, 1))
    explained = latest_for(_household_ids()[0])
    assert {item.month for item in explained} == {"2026-12"}


def test_household_rows_match_trace_amounts(loaded):
    assess_month(MONTH)
    run = AssessmentRun.objects.get()
    household_id = _household_ids()[-1]
    stored = storage.read_trace_rows(run.pk, household_id)
    for row in Assessment.objects.filter(run=run, household_id=household_id):
        assert row.eligible == bool(stored[row.scheme]["eligible"])
        assert row.amount_fen == (stored[row.scheme]["amount_fen"] or 0)


def test_registry_text_read_exactly(loaded):
    fact = PersonFact.objects.filter(valid_to__isnull=True).first()
    assert fact is not None
    odd = 'a,"b"\nc'
    PersonFact.objects.filter(pk=fact.pk).update(code=odd, grade=None)
    frames = registry_inputs.read_registry(DAY)
    facts = pl.concat(
        [
            frames.facts.select("person_id", "code"),
            frames.incomes.select("person_id", code="kind"),
        ]
    )
    assert odd in facts.filter(pl.col("person_id") == fact.person_id)["code"].to_list()


def test_registry_read_same_in_chunks(loaded, monkeypatch):
    whole = registry_inputs.read_registry(DAY)
    monkeypatch.setattr(registry_inputs, "SQLITE_IDS_PER_QUERY", 5)
    chunked = registry_inputs.read_registry(DAY)
    for name in ("households", "persons", "facts", "incomes", "assets"):
        expected = getattr(whole, name)
        actual = getattr(chunked, name)
        keys = expected.columns
        assert actual.sort(keys).equals(expected.sort(keys)), name


def test_nullable_text_read_as_null(loaded):
    query = registry_inputs.Query(
        """
        SELECT f.person_id, NULLIF(f.kind, 'income') AS kind, f.code
        FROM registry_personfact f
        """,
        {"person_id": pl.Int64(), "kind": pl.Utf8(), "code": pl.Utf8()},
        key="person_id",
        key_table="registry_person",
    )
    facts = registry_inputs.read_query(query, [])
    incomes = facts.filter(pl.col("kind").is_null())
    assert not incomes.is_empty()
    assert incomes["code"].null_count() == 0
    assert facts.filter(pl.col("kind") == "income").is_empty()
