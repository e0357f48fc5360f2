"""Re-encryption of every encrypted column under a new current key.

The tests add a synthetic key, make it current, rotate, and then read the
raw columns with SQL and the values through the ORM.
"""

from __future__ import annotations

import base64
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from doudi.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    Objection,
    PublicNotice,
    SurveyRecord,
)
from doudi.conftest import ALICE_ID
from doudi.exchange.models import Batch, DataSource, QuarantinedRow, UnmatchedRecord
from doudi.feedback.models import Feedback
from doudi.monitoring.duplicates.models import ImportedList, ImportedRow
from doudi.notifications.models import Preference
from doudi.payments.models import Award, ReportedChange
from doudi.portal.models import HelpRequest, HelpRequestDocument, PortalAccount
from doudi.privacy import rotation
from doudi.privacy.choices import AuditAction
from doudi.privacy.keys import reset_keyring
from doudi.privacy.models import AuditEntry, User
from doudi.registry import queries, services
from doudi.registry.choices import FactKind
from doudi.registry.models import Household, Person, PersonFact

NEW_KEY = base64.b64encode(bytes(range(100, 132))).decode()
ENCRYPTED_COLUMNS = {
    ("registry_household", "address"),
    ("registry_person", "name"),
    ("registry_person", "resident_id"),
    ("registry_person", "phone"),
    ("registry_personfact", "reference"),
    ("exchange_datasource", "query_secret"),
    ("exchange_quarantinedrow", "raw"),
    ("exchange_unmatchedrecord", "raw"),
    ("cases_case", "declaration"),
    ("cases_case", "recommendation_explanation"),
    ("cases_case", "refusal_reason"),
    ("cases_casedocument", "original_name"),
    ("cases_caseevent", "note"),
    ("cases_objection", "summary"),
    ("cases_surveyrecord", "findings"),
    ("payments_award", "payee"),
    ("payments_reportedchange", "description"),
    ("duplicates_importedrow", "name"),
    ("duplicates_importedrow", "resident_id"),
    ("duplicates_importedrow", "address"),
    ("notifications_preference", "email_address"),
    ("notifications_preference", "wechat_openid"),
    ("portal_portalaccount", "phone"),
    ("portal_helprequest", "contact_phone"),
    ("portal_helprequest", "details"),
    ("portal_helprequestdocument", "original_name"),
    ("feedback_feedback", "comment"),
}
ENCRYPTED_FIELDS = {
    Household: ["address"],
    Person: ["name", "resident_id", "phone"],
    PersonFact: ["reference"],
    DataSource: ["query_secret"],
    QuarantinedRow: ["raw"],
    UnmatchedRecord: ["raw"],
    Case: ["declaration", "recommendation_explanation", "refusal_reason"],
    CaseDocument: ["original_name"],
    CaseEvent: ["note"],
    Objection: ["summary"],
    SurveyRecord: ["findings"],
    Award: ["payee"],
    ReportedChange: ["description"],
    ImportedRow: ["name", "resident_id", "address"],
    Preference: ["email_address", "wechat_openid"],
    PortalAccount: ["phone"],
    HelpRequest: ["contact_phone", "details"],
    HelpRequestDocument: ["original_name"],
    Feedback: ["comment"],
}


class Interrupted(Exception):
    """Raised by a test callback to stop a rotation between chunks."""


@pytest.fixture
def records(users, household, far_household) -> dict[tuple[str, int, str], object]:
    """Create rows for every encrypted column and return their plain values."""
    head = household.memberships.get(relationship="head").person
    services.record_fact(
        users["owner"],
        person=head,
        kind=FactKind.DISABILITY,
        valid_from=date(2021, 1, 1),
        code="physical",
        grade=2,
        reference="残疾证示例0001",
    )
    source = DataSource.objects.create(
        code="bank",
        department="示例银行",
        kinds=["financial_asset"],
        delivery_mode="query",
        query_url="http://127.0.0.1:9/",
        query_secret="示例密钥-not-a-real-secret",
    )
    batch = Batch.objects.create(
        source=source,
        kind="financial_asset",
        checksum="0" * 64,
        channel="query",
        file_format="json",
        status="stored",
    )
    QuarantinedRow.objects.create(
        batch=batch,
        row_number=1,
        raw='{"name": "示例甲", "amount": "-1"}',
        reason="negative_amount",
        message="amount is negative",
    )
    UnmatchedRecord.objects.create(
        batch=batch, row_number=2, raw='{"name": "示例乙"}', reason="missing_id"
    )
    award = _case_records(users["owner"], household)
    _portal_records(users["owner"], household, award)
    return _plain_values()


def _case_records(worker: User, household: Household) -> Award:
    """Create a case and an award with every encrypted field of theirs set."""
    now = timezone.now()
    today = timezone.localdate()
    case = Case.objects.create(
        household=household,
        scheme="dibao",
        channel="walk_in",
        opened_at=now,
        declaration='{"incomes": []}',
        recommendation_explanation="示例说明",
        refusal_reason="示例理由",
    )
    CaseDocument.objects.create(
        case=case,
        kind="other",
        original_name="示例材料.pdf",
        stored_name="0" * 32 + ".pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=worker,
        uploaded_at=now,
    )
    CaseEvent.objects.create(
        case=case,
        actor_label="示例",
        role="community_worker",
        step="accept",
        action="accept",
        at=now,
        note="示例备注",
    )
    SurveyRecord.objects.create(
        case=case,
        visited_on=today,
        members_present=1,
        housing="rented",
        living_conditions="poor",
        declaration_matches=True,
        opinion="agree",
        recorded_by=worker,
        recorded_at=now,
        findings="示例调查结果",
    )
    street = household.region.parent
    assert street is not None
    notice = PublicNotice.objects.create(
        case=case,
        street=street,
        masked_name="示*",
        household_size=1,
        amount_fen=100,
        starts_on=today,
        ends_on=today,
        started_by=worker,
    )
    Objection.objects.create(
        notice=notice,
        received_on=today,
        summary="示例异议",
        recorded_by=worker,
        recorded_at=now,
    )
    award = Award.objects.create(
        household=household,
        scheme="dibao",
        amount_fen=100,
        approved_on=today,
        start_month=today.replace(day=1),
        starts_on=today.replace(day=1),
        status_since=today,
        review_interval_months=12,
        next_review_on=today,
        district_code="310101",
        granted_by=worker,
        granted_at=now,
        payee='{"holder": "示例", "number": "6200000000000000001"}',
    )
    ReportedChange.objects.create(
        award=award,
        category="other",
        reported_on=today,
        description="示例变化",
        description_index="0" * 32,
        recorded_by=worker,
        recorded_at=now,
    )
    return award


def _portal_records(worker: User, household: Household, award: Award) -> None:
    """Create the portal's, notifications', feedback's and linkage's encrypted rows."""
    now = timezone.now()
    head = household.memberships.get(relationship="head").person
    imported = ImportedList.objects.create(
        label="示例名单",
        source_city="示例市",
        checksum="0" * 64,
        imported_by=worker,
        imported_at=now,
    )
    ImportedRow.objects.create(
        imported_list=imported,
        line=2,
        name="示例丙",
        resident_id=ALICE_ID,
        address="示例路1号",
    )
    Preference.objects.create(
        person=head, email_address="resident@example.invalid", wechat_openid="oDEMO"
    )
    account = PortalAccount.objects.create(phone="+8613900000001", phone_index="1" * 32)
    request = HelpRequest.objects.create(
        account=account,
        idempotency_key="00000000-0000-4000-8000-000000000001",
        contact_phone="+8613900000002",
        details="示例求助说明",
    )
    HelpRequestDocument.objects.create(
        request=request,
        original_name="示例.pdf",
        stored_name="1" * 32 + ".pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_at=now,
    )
    Feedback.objects.create(
        household=household,
        region_path=household.region.path,
        subject_kind="award",
        award=award,
        rating=4,
        comment="示例评价",
        submitted_by=worker,
        idempotency_key="00000000-0000-4000-8000-000000000002",
        created_at=now,
        updated_at=now,
    )


def _plain_values() -> dict[tuple[str, int, str], object]:
    values: dict[tuple[str, int, str], object] = {}
    for model, fields in ENCRYPTED_FIELDS.items():
        for row in model._default_manager.order_by("pk"):
            for field in fields:
                values[(model.__name__, row.pk, field)] = getattr(row, field)
    return values


def _use_new_key(settings, key_id: str = "test2") -> str:
    settings.FIELD_ENCRYPTION_KEYS = (
        f"{settings.FIELD_ENCRYPTION_KEYS},{key_id}:{NEW_KEY}"
    )
    settings.FIELD_ENCRYPTION_CURRENT_KEY = key_id
    reset_keyring()
    return f"v1.{key_id}."


def _raw_tokens() -> dict[tuple[str, str], list[str]]:
    tokens: dict[tuple[str, str], list[str]] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for column in rotation.encrypted_columns():
            cursor.execute(
                f"SELECT {quote(column.column)} FROM {quote(column.table)} "  # noqa: S608
                f"WHERE {quote(column.column)} IS NOT NULL"
            )
            tokens[(column.table, column.column)] = [
                row[0] for row in cursor.fetchall()
            ]
    return tokens


def _count_with_prefix(prefix: str) -> int:
    return sum(
        token.startswith(prefix)
        for values in _raw_tokens().values()
        for token in values
    )


def test_encrypted_columns_are_found():
    found = {(column.table, column.column) for column in rotation.encrypted_columns()}
    assert found == ENCRYPTED_COLUMNS


def test_every_column_has_test_data(records):
    for column, tokens in _raw_tokens().items():
        assert tokens, column


def test_rotate_rewrites_every_column(settings, records):
    prefix = _use_new_key(settings)
    rotation.rotate()
    for column, tokens in _raw_tokens().items():
        assert tokens, column
        for token in tokens:
            assert token.startswith(prefix), column


def test_rotate_keeps_values(settings, records):
    _use_new_key(settings)
    rotation.rotate()
    assert _plain_values() == records


def test_rotate_returns_count(settings, records):
    _use_new_key(settings)
    total = sum(len(tokens) for tokens in _raw_tokens().values())
    assert rotation.rotate() == total


def test_rotate_twice_changes_nothing(settings, records):
    _use_new_key(settings)
    rotation.rotate()
    assert rotation.rotate() == 0


def test_old_key_not_needed_after(settings, records):
    _use_new_key(settings)
    rotation.rotate()
    settings.FIELD_ENCRYPTION_KEYS = f"test2:{NEW_KEY}"
    reset_keyring()
    assert _plain_values() == records


def test_search_works_after_rotation(settings, users, records):
    _use_new_key(settings)
    rotation.rotate()
    households, kind = queries.search_households(users["owner"], ALICE_ID)
    assert kind == "resident_id"
    assert households.count() == 1


def test_key_id_with_underscore(settings, records):
    # "_" is valid in key ids and matches any character in SQL LIKE, so
    # "test_" must not be mistaken for the old key "test1".
    prefix = _use_new_key(settings, key_id="test_")
    rotation.rotate()
    total = sum(len(tokens) for tokens in _raw_tokens().values())
    assert _count_with_prefix(prefix) == total


def test_rotation_is_audited(settings, records):
    _use_new_key(settings)
    total = rotation.rotate()
    entry = AuditEntry.objects.get(object_type="privacy.key_rotation")
    assert entry.action == AuditAction.BATCH
    assert entry.record_count == total
    assert entry.detail == {"current_key": "test2"}


# Resuming after a crash


def _stop_after_first_chunk(done: int) -> None:
    raise Interrupted(f"stopped after {done} values")


def test_interrupted_rotation_keeps_first_chunk(settings, records):
    prefix = _use_new_key(settings)
    with pytest.raises(Interrupted):
        rotation.rotate(chunk=1, after_chunk=_stop_after_first_chunk)
    assert _count_with_prefix(prefix) == 1


def test_rotation_resumes(settings, records):
    prefix = _use_new_key(settings)
    total = sum(len(tokens) for tokens in _raw_tokens().values())
    with pytest.raises(Interrupted):
        rotation.rotate(chunk=1, after_chunk=_stop_after_first_chunk)
    assert rotation.rotate(chunk=1) == total - 1
    assert _count_with_prefix(prefix) == total


def test_resumed_rotation_keeps_values(settings, records):
    _use_new_key(settings)
    with pytest.raises(Interrupted):
        rotation.rotate(chunk=1, after_chunk=_stop_after_first_chunk)
    rotation.rotate(chunk=1)
    assert _plain_values() == records


# The `doudi keys` command


def test_keys_rotate_command(settings, records):
    prefix = _use_new_key(settings)
    total = sum(len(tokens) for tokens in _raw_tokens().values())
    output, progress = StringIO(), StringIO()
    call_command("keys", "rotate", stdout=output, stderr=progress)
    assert f"rotated {total} values to key test2" in output.getvalue()
    assert _count_with_prefix(prefix) == total


def test_keys_generate_command():
    output = StringIO()
    call_command("keys", "generate", "--key-id", "k2027", stdout=output)
    key_id, _, encoded = output.getvalue().strip().partition(":")
    assert key_id == "k2027"
    assert len(base64.urlsafe_b64decode(encoded)) == 32
