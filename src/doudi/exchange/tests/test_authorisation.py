"""Kinds that need authorisation are stored only for authorised persons."""

from __future__ import annotations

import json

from doudi.exchange.ingest import ingest_records
from doudi.exchange.models import Channel, ExchangeFact, QuarantinedRow
from doudi.exchange.tests.conftest import TODAY
from doudi.verification.authorisations import (
    authorised_person_frame,
    authorised_person_ids,
)


def _deposit(resident_id, name="王测试", born="1980-01-01"):
    return {
        "resident_id": resident_id,
        "name": name,
        "birth_date": born,
        "asset_type": "deposits",
        "institution": "测试银行",
        "balance": "52000.00",
        "as_of": "2026-05-31",
    }


def _ingest(source, rows):
    return ingest_records(
        rows, source=source, kind="financial_asset", channel=Channel.QUERY, today=TODAY
    )


def test_unauthorised_person_refused(source, persons, authorise):
    authorise(persons["alice"], ["financial_asset"])
    batch = _ingest(
        source,
        [
            _deposit("310101198001010018"),
            _deposit("310104197505050034", "李测试", "1975-05-05"),
        ],
    )
    assert batch.rows_stored == 1
    assert ExchangeFact.objects.get(batch=batch).person == persons["alice"]
    refused = QuarantinedRow.objects.get(batch=batch)
    assert refused.reason == "not_authorised"
    kept = json.loads(refused.raw)
    assert set(kept) == {"resident_id", "name", "birth_date"}


def test_authorisation_for_other_kind_does_not_count(source, persons, authorise):
    authorise(persons["alice"], ["vehicle"])
    batch = _ingest(source, [_deposit("310101198001010018")])
    assert batch.rows_stored == 0
    assert batch.rows_quarantined == 1


def test_unmatched_kept_only_with_authorised_candidate(source, persons, authorise):
    authorise(persons["alice"], ["financial_asset"])
    batch = _ingest(
        source,
        [_deposit(None), _deposit(None, "李测试", "1975-05-05")],
    )
    assert batch.rows_unmatched == 1
    assert batch.rows_quarantined == 1
    assert QuarantinedRow.objects.get(batch=batch).row_number == 2


def test_monitoring_kind_needs_no_authorisation(source, persons):
    row = {
        "resident_id": "310104197505050034",
        "name": "李测试",
        "birth_date": "1975-05-05",
        "category": "physical",
        "grade": "2",
        "issued_on": "2020-01-01",
    }
    batch = ingest_records(
        [row],
        source=source,
        kind="disability_certificate",
        channel=Channel.PUSH,
        today=TODAY,
    )
    fact = ExchangeFact.objects.get(batch=batch)
    assert fact.code == "physical"
    assert fact.quantity == 2


def test_authorised_frame_equals_id_set(persons, authorise):
    authorise(persons["alice"], ["financial_asset", "vehicle"])
    authorise(persons["bob"], ["vehicle"])
    for kind in ("financial_asset", "vehicle", "wages_tax"):
        frame = authorised_person_frame(kind, TODAY)
        assert set(frame["person_id"].to_list()) == authorised_person_ids(kind, TODAY)
    assert authorised_person_frame("vehicle", TODAY).height == 2
