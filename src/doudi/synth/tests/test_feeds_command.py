"""`doudi synth --feeds` and the ingestion of the feeds it writes."""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.test import override_settings

from doudi.exchange.inbox import process_inbox
from doudi.exchange.kinds import AUTHORISED_KINDS
from doudi.exchange.models import (
    Batch,
    BatchStatus,
    DataSource,
    ExchangeFact,
    QuarantinedRow,
    UnmatchedRecord,
)
from doudi.privacy.models import User
from doudi.synth import generate_city
from doudi.synth.feeds import FeedReport, demo_authorised_households, write_feeds
from doudi.synth_demo import DEMO_SOURCES, feed_layouts
from doudi.verification.models import Authorisation

HOUSEHOLDS = 600
SEED = 2
AS_OF = date(2026, 6, 20)
ARGUMENTS = (
    "synth",
    "--households",
    str(HOUSEHOLDS),
    "--seed",
    str(SEED),
    "--as-of",
    AS_OF.isoformat(),
    "--feeds",
)


@pytest.fixture
def data_dir(tmp_path):
    with override_settings(DATA_DIR=tmp_path):
        yield tmp_path


def _expected(tmp_path) -> FeedReport:
    """Write the same feeds elsewhere, for the outcomes each row should have."""
    city = generate_city(HOUSEHOLDS, SEED, AS_OF)
    street = User.objects.get(username="street_reviewer").region
    community = User.objects.get(username="community_worker").region
    assert street is not None
    assert community is not None
    households = demo_authorised_households(city, street.code, community.code)
    return write_feeds(city, AS_OF, feed_layouts(), households, tmp_path / "expected")


def _outcomes(report: FeedReport, prefix: str) -> Counter[tuple[str, str]]:
    return Counter(
        {
            (kind, outcome.split(":", 1)[1]): count
            for (kind, outcome), count in report.outcomes.items()
            if outcome.startswith(prefix)
        }
    )


def _counts(
    model: type[QuarantinedRow | UnmatchedRecord], field: str
) -> Counter[tuple[str, str]]:
    rows = model.objects.values("batch__kind", field).annotate(n=Count("pk"))
    return Counter({(row["batch__kind"], row[field]): row["n"] for row in rows})


@pytest.mark.django_db
def test_written_feeds_ingest_as_expected(data_dir, tmp_path):
    out = StringIO()
    call_command(*ARGUMENTS, stdout=out)
    assert "12 sources added" in out.getvalue()
    expected = _expected(tmp_path)

    report = process_inbox(today=AS_OF)

    assert report.files == len(expected.files)
    rejected = Batch.objects.filter(status=BatchStatus.REJECTED)
    assert sorted(rejected.values_list("kind", flat=True)) == [
        "medical_claim",
        "school_enrolment",
        "utility_arrears",
    ]
    errors = " ".join(rejected.values_list("error", flat=True))
    assert "Excel workbook cannot be read" in errors
    assert "neither UTF-8 nor GB18030" in errors
    assert "lacks the required columns" in errors

    quarantined = _counts(QuarantinedRow, "reason")
    assert quarantined == _outcomes(expected, "quarantined:")
    assert {reason for _, reason in quarantined} >= {
        "missing_value",
        "not_authorised",
        "unknown_region",
        "future_date",
        "negative_amount",
    }
    unmatched = _counts(UnmatchedRecord, "reason")
    assert unmatched == _outcomes(expected, "unmatched:")
    assert {reason for _, reason in unmatched} == {
        "invalid_id",
        "missing_id",
        "not_found",
    }

    stored = Batch.objects.values("kind").annotate(
        stored=Sum("rows_stored"), duplicate=Sum("rows_duplicate")
    )
    assert {row["kind"]: row["stored"] for row in stored if row["stored"]} == {
        kind: n
        for (kind, outcome), n in expected.outcomes.items()
        if outcome == "stored"
    }
    assert sum(row["duplicate"] for row in stored) == sum(
        n for (_, outcome), n in expected.outcomes.items() if outcome == "duplicate"
    )
    assert ExchangeFact.objects.filter(kind="disability_certificate").exists()
    assert ExchangeFact.objects.filter(kind="wages_tax").exists()


@pytest.mark.django_db
def test_feeds_rerun_changes_nothing(data_dir):
    call_command(*ARGUMENTS, stdout=StringIO())
    sources = DataSource.objects.count()
    authorisations = Authorisation.objects.count()
    process_inbox(today=AS_OF)
    batches = Batch.objects.count()

    out = StringIO()
    call_command(*ARGUMENTS, stdout=out)
    process_inbox(today=AS_OF)

    assert "0 written" in out.getvalue()
    assert DataSource.objects.count() == sources == len(DEMO_SOURCES)
    assert Authorisation.objects.count() == authorisations
    assert Batch.objects.count() == batches
    waiting = [path for path in (data_dir / "inbox").glob("*/*/*") if path.is_file()]
    assert waiting == []


@pytest.mark.django_db
def test_demo_authorisations_cover_authorised_kinds(data_dir):
    call_command(*ARGUMENTS, stdout=StringIO())
    authorisations = list(Authorisation.objects.all())
    assert authorisations
    street = User.objects.get(username="street_reviewer")
    assert street.region is not None
    for authorisation in authorisations:
        assert set(authorisation.data_kinds) == {
            kind.value for kind in AUTHORISED_KINDS
        }
        assert authorisation.signed_on == AS_OF
        assert authorisation.recorded_by == street
        assert authorisation.household.region.path.startswith(street.region.path)
        members = set(
            authorisation.household.memberships.values_list("person", flat=True)
        )
        assert set(authorisation.members.values_list("pk", flat=True)) == members


def test_feeds_month_invalid(db, data_dir):
    with pytest.raises(Exception, match="use YYYY-MM"):
        call_command(*ARGUMENTS, "2026-13", stdout=StringIO())
