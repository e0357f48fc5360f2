"""Operators correct quarantined rows and confirm unmatched records."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied

from doudi.exchange.ingest import DeliveryError, confirm_match, ingest_records, resubmit
from doudi.exchange.models import (
    Channel,
    ExchangeFact,
    QuarantinedRow,
    RowStatus,
    UnmatchedRecord,
)
from doudi.exchange.tests.conftest import TODAY, claim


def _ingest(source, rows):
    return ingest_records(
        rows, source=source, kind="medical_claim", channel=Channel.PUSH, today=TODAY
    )


def test_resubmit_fixes_row(source, persons, operator):
    batch = _ingest(source, [claim(out_of_pocket="-3"), claim(total_cost="x")])
    rows = list(QuarantinedRow.objects.filter(batch=batch).order_by("row_number"))
    fixed = [json.loads(row.raw) for row in rows]
    fixed[0]["out_of_pocket"] = "3"
    fixed[1]["total_cost"] = "-1"
    new = resubmit(rows, fixed, actor=operator)
    first, second = (QuarantinedRow.objects.get(pk=row.pk) for row in rows)
    assert first.status == RowStatus.RESUBMITTED
    assert first.resubmitted_in == new
    assert second.status == RowStatus.OPEN
    assert second.reason == "negative_amount"
    assert ExchangeFact.objects.get(batch=new).amount_fen == 300
    copy = QuarantinedRow.objects.get(batch=new)
    assert copy.status == RowStatus.DISCARDED


def test_resubmit_needs_operator(source, persons, users):
    batch = _ingest(source, [claim(out_of_pocket="-3")])
    rows = list(QuarantinedRow.objects.filter(batch=batch))
    with pytest.raises(PermissionDenied):
        resubmit(rows, [claim()], actor=users["owner"])


def test_confirm_match_stores_fact(source, persons, operator):
    batch = _ingest(source, [claim(None)])
    record = UnmatchedRecord.objects.get(batch=batch)
    fact = confirm_match(record, persons["alice"], actor=operator)
    assert fact is not None
    assert fact.person == persons["alice"]
    assert fact.batch == batch
    record.refresh_from_db()
    assert record.status == RowStatus.CONFIRMED
    assert confirm_match(record, persons["alice"], actor=operator) is None
    assert ExchangeFact.objects.filter(batch=batch).count() == 1


def test_confirm_refused_without_authorisation(source, persons, operator):
    row = {
        "resident_id": None,
        "name": "王测试",
        "birth_date": "1980-01-01",
        "vehicle_type": "car",
        "registered_on": "2020-01-01",
    }
    batch = ingest_records(
        [row], source=source, kind="vehicle", channel=Channel.QUERY, today=TODAY
    )
    assert batch.rows_quarantined == 1
    assert batch.rows_unmatched == 0
    with pytest.raises(DeliveryError):
        confirm_match(
            UnmatchedRecord(batch=batch, row_number=1, raw="{}", reason="x"),
            persons["bob"],
            actor=operator,
        )


def test_city_admin_reads_but_cannot_resubmit(users) -> None:
    from django.core.exceptions import PermissionDenied

    from doudi.exchange.pipeline import require_operator

    with pytest.raises(PermissionDenied):
        require_operator(users["city"])
