"""Operator pages: who may open them, masking, audit, corrections and matches."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from doudi.conftest import ALICE_ID
from doudi.conftest import signed_in as _signed_in
from doudi.exchange.ingest import ingest_records
from doudi.exchange.models import (
    Batch,
    BatchStatus,
    Channel,
    ExchangeFact,
    QuarantinedRow,
    RowStatus,
    UnmatchedRecord,
)
from doudi.exchange.tests.conftest import TODAY, claim, csv_bytes
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import AuditEntry


def signed_in(user):
    """A signed-in client that asks for English pages, so texts can be matched."""
    client = _signed_in(user)
    client.cookies["django_language"] = "en"
    return client


MASKED_ID = "310101********0018"


@pytest.fixture
def held(source, persons):
    """A batch with one stored, one quarantined and one unmatched row."""
    return ingest_records(
        [claim(), claim(out_of_pocket="-3", settled_on="2026-05-03"), claim(None)],
        source=source,
        kind="medical_claim",
        channel=Channel.PUSH,
        today=TODAY,
    )


@pytest.fixture
def row(held):
    return QuarantinedRow.objects.get(batch=held)


@pytest.fixture
def record(held):
    return UnmatchedRecord.objects.get(batch=held)


def _urls(held, row):
    return {
        "batches": reverse("exchange:batch_list"),
        "batch": reverse("exchange:batch_detail", args=[held.pk]),
        "sources": reverse("exchange:source_list"),
        "quarantine": reverse("exchange:quarantine_list"),
        "row": reverse("exchange:quarantined_row", args=[row.pk]),
        "unmatched": reverse("exchange:unmatched_list"),
        "upload": reverse("exchange:upload"),
    }


LISTS = {"batches", "batch", "sources", "quarantine"}


@pytest.mark.parametrize(
    "page", ["batches", "batch", "sources", "quarantine", "row", "unmatched", "upload"]
)
def test_operator_opens_every_page(operator, held, row, page):
    response = signed_in(operator).get(_urls(held, row)[page])
    assert response.status_code == 200


@pytest.mark.parametrize(
    "page", ["batches", "batch", "sources", "quarantine", "row", "unmatched", "upload"]
)
def test_city_admin_reads_lists_only(users, held, row, page):
    response = signed_in(users["city"]).get(_urls(held, row)[page])
    assert response.status_code == (200 if page in LISTS else 403)


@pytest.mark.parametrize(
    "role", ["owner", "street", "district", "auditor", "analyst", "provider"]
)
@pytest.mark.parametrize(
    "page", ["batches", "quarantine", "row", "unmatched", "upload"]
)
def test_other_roles_forbidden(users, held, row, role, page):
    response = signed_in(users[role]).get(_urls(held, row)[page])
    assert response.status_code == 403


def test_anonymous_sent_to_sign_in(client, held, row):
    response = client.get(_urls(held, row)["quarantine"])
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


def test_city_admin_list_has_no_row_links(users, row):
    response = signed_in(users["city"]).get(reverse("exchange:quarantine_list"))
    content = response.content.decode()
    assert "out_of_pocket is negative" in content
    assert reverse("exchange:quarantined_row", args=[row.pk]) not in content


def test_city_admin_cannot_act(users, row, record):
    client = signed_in(users["city"])
    posts = [
        reverse("exchange:reveal_row", args=[row.pk]),
        reverse("exchange:resubmit_row", args=[row.pk]),
        reverse("exchange:discard_row", args=[row.pk]),
        reverse("exchange:confirm", args=[record.pk]),
        reverse("exchange:discard", args=[record.pk]),
    ]
    for url in posts:
        assert client.post(url, {"reason": "x", "person": 1}).status_code == 403
    row.refresh_from_db()
    assert row.status == RowStatus.OPEN


def test_row_page_masked_and_audited(operator, row):
    response = signed_in(operator).get(
        reverse("exchange:quarantined_row", args=[row.pk])
    )
    content = response.content.decode()
    assert "王**" in content
    assert MASKED_ID in content
    assert ALICE_ID not in content
    assert "-3" not in content
    assert "1980-**-**" in content
    assert 'id="resubmit"' not in content
    entry = AuditEntry.objects.get(object_type="exchange.quarantinedrow")
    assert entry.action == AuditAction.READ
    assert entry.purpose == Purpose.DATA_QUALITY
    assert entry.actor == operator
    assert entry.detail["revealed"] is False


def test_reveal_shows_values_and_audits(operator, row):
    response = signed_in(operator).post(reverse("exchange:reveal_row", args=[row.pk]))
    content = response.content.decode()
    assert ALICE_ID in content
    assert "王测试" in content
    assert 'value="-3"' in content
    assert 'id="resubmit"' in content
    entry = AuditEntry.objects.get(object_type="exchange.quarantinedrow")
    assert entry.action == AuditAction.REVEAL
    assert entry.purpose == Purpose.DATA_QUALITY


def _corrected(**values):
    fields = claim(settled_on="2026-05-03", **values)
    return {f"row-{name}": value or "" for name, value in fields.items()}


def test_correct_and_resubmit_stores_row(operator, row, held):
    client = signed_in(operator)
    url = reverse("exchange:resubmit_row", args=[row.pk])
    response = client.post(url, _corrected(out_of_pocket="3"))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == RowStatus.RESUBMITTED
    new = row.resubmitted_in
    assert new.channel == Channel.RESUBMIT
    assert new.received_by == operator
    assert ExchangeFact.objects.get(batch=new).amount_fen == 300
    page = client.get(response["Location"]).content.decode()
    assert f"accepted in batch {new.pk}" in page
    assert "Corrected and re-submitted" in page
    assert not QuarantinedRow.objects.filter(status=RowStatus.OPEN).exists()


def test_resubmit_still_invalid_stays(operator, row):
    url = reverse("exchange:resubmit_row", args=[row.pk])
    response = signed_in(operator).post(url, _corrected(out_of_pocket="x"))
    assert response.status_code == 400
    assert "quarantined again" in response.content.decode()
    row.refresh_from_db()
    assert row.status == RowStatus.OPEN
    assert row.reason == "invalid_value"


def test_discard_needs_reason(operator, row):
    client = signed_in(operator)
    url = reverse("exchange:discard_row", args=[row.pk])
    assert client.post(url, {"reason": " "}).status_code == 400
    assert client.post(url, {"reason": "Sent twice by mistake"}).status_code == 302
    row.refresh_from_db()
    assert row.status == RowStatus.DISCARDED
    entry = AuditEntry.objects.get(
        action=AuditAction.UPDATE, object_type="exchange.quarantinedrow"
    )
    assert entry.detail["reason"] == "Sent twice by mistake"


def test_unmatched_lists_candidates_audited(operator, record, persons):
    response = signed_in(operator).get(reverse("exchange:unmatched_list"))
    content = response.content.decode()
    assert "王**" in content
    assert "示例一社区" in content
    assert "1980-01-01" in content
    assert f'name="person" value="{persons["alice"].pk}"' in content
    assert "王测试" not in content
    entry = AuditEntry.objects.get(object_type="exchange.unmatchedrecord")
    assert entry.action == AuditAction.READ
    assert entry.detail["records"] == [record.pk]


def test_confirm_candidate_stores_fact(operator, record, persons):
    url = reverse("exchange:confirm", args=[record.pk])
    response = signed_in(operator).post(
        url, {"person": persons["alice"].pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f'id="unmatched-{record.pk}"' in response.content.decode()
    record.refresh_from_db()
    assert record.status == RowStatus.CONFIRMED
    assert ExchangeFact.objects.filter(
        batch=record.batch, person=persons["alice"], row_number=record.row_number
    ).exists()


def test_confirm_non_candidate_refused(operator, record, persons):
    url = reverse("exchange:confirm", args=[record.pk])
    response = signed_in(operator).post(url, {"person": persons["bob"].pk})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RowStatus.OPEN


def test_discard_unmatched(operator, record):
    url = reverse("exchange:discard", args=[record.pk])
    signed_in(operator).post(url, {"reason": "Not our resident"})
    record.refresh_from_db()
    assert record.status == RowStatus.DISCARDED


def _upload(client, source, name, data, **extra):
    upload = io.BytesIO(data)
    upload.name = name
    body = {"source": source.pk, "kind": "medical_claim", "file": upload, **extra}
    return client.post(reverse("exchange:upload"), body, follow=True)


def test_upload_csv_shows_batch(operator, source, persons):
    data = csv_bytes([claim(), claim(out_of_pocket="-1")])
    response = _upload(signed_in(operator), source, "claims.csv", data)
    batch = Batch.objects.get()
    assert batch.channel == Channel.UPLOAD
    assert batch.received_by == operator
    assert batch.rows_stored == 1
    assert batch.rows_quarantined == 1
    content = response.content.decode()
    assert f"received as batch {batch.pk}" in content
    assert f"?batch={batch.pk}" in content


def test_same_upload_again_says_nothing_changed(operator, source, persons):
    data = csv_bytes([claim()])
    client = signed_in(operator)
    _upload(client, source, "claims.csv", data)

    response = _upload(client, source, "claims-again.csv", data)

    batch = Batch.objects.get()
    content = response.content.decode()
    assert "already received on" in content
    assert f"as batch {batch.pk}; nothing was changed" in content


def test_rejected_upload_shows_message(operator, source, persons):
    response = _upload(signed_in(operator), source, "claims.csv", b"name\nx\n")
    batch = Batch.objects.get()
    assert batch.status == BatchStatus.REJECTED
    content = response.content.decode()
    assert "rejected whole" in content
    assert "settled_on" in content


def test_upload_corrects_batch(operator, source, persons, held):
    data = csv_bytes([claim(out_of_pocket="5")])
    _upload(signed_in(operator), source, "fixed.csv", data, supersedes=held.pk)
    new = Batch.objects.exclude(pk=held.pk).get()
    assert new.supersedes == held


def test_upload_kind_not_registered(operator, source, persons):
    source.kinds = ["vehicle"]
    source.save()
    response = _upload(signed_in(operator), source, "c.csv", csv_bytes([claim()]))
    assert "not registered to send" in response.content.decode()
    assert not Batch.objects.exists()


def test_quarantine_filter_fragment(operator, row):
    client = signed_in(operator)
    url = reverse("exchange:quarantine_list")
    response = client.get(
        url,
        {"reason": "negative_amount"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="quarantine",
    )
    content = response.content.decode()
    assert "<html" not in content
    assert "out_of_pocket is negative" in content
    other = client.get(url, {"reason": "future_date"}).content.decode()
    assert "out_of_pocket is negative" not in other


def test_batch_list_counts(operator, held):
    content = signed_in(operator).get(reverse("exchange:batch_list")).content.decode()
    assert f"Batch {held.pk}" in content or f"批次 {held.pk}" in content
    assert "medical" in content


def test_nav_link_for_exchange_roles(operator, users):
    url = reverse("exchange:source_list")
    assert 'href="/exchange/batches/"' in signed_in(operator).get(url).content.decode()
    households = reverse("registry:household_list")
    owner_page = signed_in(users["owner"]).get(households).content.decode()
    assert 'href="/exchange/batches/"' not in owner_page


def test_english_available(operator, row):
    client = signed_in(operator)
    client.cookies["django_language"] = "en"
    content = client.get(reverse("exchange:quarantine_list")).content.decode()
    assert 'lang="en"' in content
    assert "Quarantine" in content
