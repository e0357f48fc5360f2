"""Every row of a random batch ends in exactly one place."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doudi.conftest import ALICE_ID, BOB_ID, CAROL_ID
from doudi.exchange.ingest import ingest_records
from doudi.exchange.models import (
    Channel,
    ExchangeFact,
    QuarantinedRow,
    UnmatchedRecord,
)
from doudi.exchange.tests.conftest import TODAY, claim

IDS = st.sampled_from([ALICE_ID, BOB_ID, CAROL_ID, "310101198001010019", None, ""])
AMOUNTS = st.sampled_from(["1.00", "-2", "x", "", "3.5", "1,000.10"])
DATES = st.sampled_from(["2026-01-01", "2027-01-01", "20260105", "bad", ""])
REGIONS = st.sampled_from(["310101", "999999", None])
ROWS = st.lists(
    st.builds(
        lambda rid, amount, day, region: claim(
            rid, out_of_pocket=amount, settled_on=day, region_code=region
        ),
        IDS,
        AMOUNTS,
        DATES,
        REGIONS,
    ),
    min_size=1,
    max_size=25,
)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=ROWS)
def test_rows_end_in_one_place(source, persons, rows):
    batch = ingest_records(
        rows, source=source, kind="medical_claim", channel=Channel.PUSH, today=TODAY
    )
    stored = set(
        ExchangeFact.objects.filter(batch=batch).values_list("row_number", flat=True)
    )
    held = set(
        QuarantinedRow.objects.filter(batch=batch).values_list("row_number", flat=True)
    )
    unmatched = set(
        UnmatchedRecord.objects.filter(batch=batch).values_list("row_number", flat=True)
    )
    assert len(stored) == batch.rows_stored
    assert len(held) == batch.rows_quarantined
    assert len(unmatched) == batch.rows_unmatched
    assert not stored & held
    assert not stored & unmatched
    assert not held & unmatched
    placed = len(stored) + len(held) + len(unmatched) + batch.rows_duplicate
    assert placed == batch.rows_total == len(rows)
    distinct = {tuple(sorted((k, str(v)) for k, v in row.items())) for row in rows}
    assert batch.rows_total - batch.rows_duplicate == len(distinct)
