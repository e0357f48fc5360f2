"""Each row problem sends the row to quarantine; good rows are still stored."""

from __future__ import annotations

import json
from datetime import date

import pytest

from doudi.exchange.feeds import FEEDS
from doudi.exchange.ingest import ingest_bytes, ingest_records
from doudi.exchange.models import Channel, ExchangeFact, QuarantinedRow
from doudi.exchange.tests.conftest import TODAY, claim, csv_bytes


def _ingest(source, rows, kind="medical_claim"):
    return ingest_records(
        rows, source=source, kind=kind, channel=Channel.PUSH, today=TODAY
    )


@pytest.mark.parametrize(
    ("values", "reason", "field"),
    [
        ({"region_code": "999999"}, "unknown_region", "region_code"),
        ({"out_of_pocket": "-5.00"}, "negative_amount", "out_of_pocket"),
        ({"settled_on": "2027-01-01"}, "future_date", "settled_on"),
        ({"total_cost": ""}, "missing_value", "total_cost"),
        ({"name": "王\ufffd试"}, "undecodable_text", "name"),
        ({"total_cost": "12.345"}, "invalid_value", "total_cost"),
        ({"settled_on": "2026-02-30"}, "invalid_value", "settled_on"),
    ],
)
def test_row_problem_quarantined(source, persons, values, reason, field):
    batch = _ingest(source, [claim(), claim(**values)])
    assert batch.rows_stored == 1
    assert batch.rows_quarantined == 1
    row = QuarantinedRow.objects.get(batch=batch)
    assert row.row_number == 2
    assert row.reason == reason
    assert row.message.startswith(field)
    assert json.loads(row.raw)["name"] == claim(**values)["name"]
    for value in values.values():
        if value:
            assert value not in row.message


def test_bad_enumerated_value(source, persons):
    row = {
        "resident_id": "310101198001010018",
        "name": "王测试",
        "birth_date": "1980-01-01",
        "utility": "telephone",
        "arrears": "10",
        "months_in_arrears": "2",
        "as_of": "2026-05-01",
    }
    batch = _ingest(source, [row], kind="utility_arrears")
    quarantined = QuarantinedRow.objects.get(batch=batch)
    assert quarantined.reason == "invalid_value"
    assert "water, electricity, gas" in quarantined.message


def test_end_before_start(source, persons, authorise):
    authorise(persons["alice"], ["social_insurance"])
    row = {
        "resident_id": "310101198001010018",
        "name": "王测试",
        "birth_date": "1980-01-01",
        "benefit_type": "employee_pension",
        "monthly_amount": "3000",
        "start_date": "2026-03-01",
        "end_date": "2026-02-01",
    }
    batch = _ingest(source, [row], kind="social_insurance")
    quarantined = QuarantinedRow.objects.get(batch=batch)
    assert quarantined.reason == "invalid_value"
    assert quarantined.message.startswith("end_date is not after start_date")


def test_undecodable_bytes_in_cell(source, persons):
    data = (
        csv_bytes([claim()])
        + "\n".join([",".join(claim(name="王\x01").values())]).encode()
    )
    batch = ingest_bytes(
        data,
        file_name="c.csv",
        source=source,
        kind="medical_claim",
        channel=Channel.INBOX,
        today=TODAY,
    )
    assert batch.rows_total == 2
    assert QuarantinedRow.objects.get(batch=batch).reason == "undecodable_text"


def test_duplicates_counted_once(source, persons):
    batch = _ingest(source, [claim(), claim(), claim(out_of_pocket="-1")] * 2)
    assert batch.rows_total == 6
    assert batch.rows_stored == 1
    assert batch.rows_quarantined == 1
    assert batch.rows_duplicate == 4
    assert ExchangeFact.objects.filter(batch=batch).count() == 1


def test_first_problem_in_field_order(source, persons):
    batch = _ingest(source, [claim(settled_on="", out_of_pocket="-1")])
    assert QuarantinedRow.objects.get(batch=batch).reason == "missing_value"


def _benefit(start: str, end: str) -> dict[str, str]:
    return {
        "resident_id": "310101198001010018",
        "name": "王测试",
        "birth_date": "1980-01-01",
        "benefit_type": "employee_pension",
        "monthly_amount": "3000",
        "start_date": start,
        "end_date": end,
    }


def test_future_end_of_validity_stored(source, persons, authorise):
    authorise(persons["alice"], ["social_insurance"])
    batch = _ingest(source, [_benefit("2026-03-01", "2030-12-31")], "social_insurance")
    assert batch.rows_stored == 1
    fact = ExchangeFact.objects.get(batch=batch)
    assert fact.valid_to == date(2030, 12, 31)


def test_future_start_date_quarantined(source, persons, authorise):
    authorise(persons["alice"], ["social_insurance"])
    batch = _ingest(source, [_benefit("2027-01-01", "2030-12-31")], "social_insurance")
    quarantined = QuarantinedRow.objects.get(batch=batch)
    assert quarantined.reason == "future_date"
    assert quarantined.message.startswith("start_date")


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        (
            "unemployment",
            {
                "status": "registered",
                "registered_on": "2026-01-05",
                "benefit_monthly": "1800",
                "benefit_until": "2027-06-30",
            },
        ),
        (
            "disability_certificate",
            {
                "certificate_number": "31010119800101001841",
                "category": "physical",
                "grade": "2",
                "issued_on": "2020-05-01",
                "valid_until": "2030-04-30",
            },
        ),
    ],
)
def test_end_dates_may_lie_ahead(source, persons, kind, values):
    row = {
        "resident_id": "310101198001010018",
        "name": "王测试",
        "birth_date": "1980-01-01",
        **values,
    }
    batch = _ingest(source, [row], kind)
    assert batch.rows_quarantined == 0
    assert batch.rows_stored >= 1


def test_future_deregistration_stored(source, persons, authorise):
    authorise(persons["alice"], ["business_registration"])
    row = {
        "resident_id": "310101198001010018",
        "name": "王测试",
        "birth_date": "1980-01-01",
        "business_status": "active",
        "registered_capital": "50000",
        "registered_on": "2024-01-01",
        "deregistered_on": "2027-01-01",
    }
    batch = _ingest(source, [row], "business_registration")
    assert batch.rows_stored == 1


def test_validity_ends_are_range_ends():
    for feed in FEEDS.values():
        for spec in feed.fields:
            if spec.ends_validity:
                assert any(end == spec.name for _, end in feed.ranges), spec.name


def test_message_is_shown_in_the_readers_language(source, persons):
    """A row quarantined by a Chinese cycle run reads in English, and back."""
    from django.utils import translation

    with translation.override("zh-hans"):
        batch = _ingest(source, [claim(out_of_pocket="-5.00")])
    row = QuarantinedRow.objects.select_related("batch").get(batch=batch)
    assert row.field == "out_of_pocket"

    with translation.override("en"):
        english = row.shown_message
    with translation.override("zh-hans"):
        chinese = row.shown_message

    assert english.startswith("out_of_pocket is negative")
    assert chinese == row.message
    assert chinese != english
