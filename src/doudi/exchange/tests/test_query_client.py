"""The query client against the fake department: answers, errors and retries."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from doudi.conftest import ALICE_ID, BOB_ID, CAROL_ID
from doudi.exchange.fake_department import Behaviour, FakeDepartment, Misbehaviour
from doudi.exchange.kinds import FeedKind
from doudi.exchange.models import Batch, Channel, DataSource, DeliveryMode
from doudi.exchange.query_client import (
    QueryClient,
    QueryFailed,
    QueryRefused,
    QueryRejected,
    RetryPolicy,
)
from doudi.privacy.models import AuditEntry
from doudi.verification.models import Authorisation

SECRET = "department-secret"
FAST = RetryPolicy(timeout_seconds=2.0, max_attempts=3, backoff_seconds=0.01)


def _car(resident_id: str, name: str, born: str) -> dict[str, str]:
    return {
        "resident_id": resident_id,
        "name": name,
        "birth_date": born,
        "vehicle_type": "car",
        "value": "52000.00",
        "registered_on": "2019-04-01",
    }


TABLE = {
    "vehicle": {
        ALICE_ID: [_car(ALICE_ID, "王测试", "1980-01-01")],
        BOB_ID: [_car(BOB_ID, "李测试", "1975-05-05")],
    },
    "medical_claim": {
        CAROL_ID: [
            {
                "resident_id": CAROL_ID,
                "name": "王小测",
                "birth_date": "2005-03-03",
                "settled_on": "2026-05-02",
                "total_cost": "800.00",
                "out_of_pocket": "120.50",
            }
        ]
    },
}


@pytest.fixture
def department():
    with FakeDepartment(TABLE, secret=SECRET) as fake:
        yield fake


@pytest.fixture
def querying(db, department) -> DataSource:
    source = DataSource.objects.create(
        code="transport",
        department="Public security (vehicles)",
        kinds=[FeedKind.VEHICLE.value, FeedKind.MEDICAL_CLAIM.value],
        delivery_mode=DeliveryMode.QUERY,
        query_url=department.url,
    )
    source.query_secret = SECRET
    source.save()
    return source


@pytest.fixture
def authorised(household, users) -> Authorisation:
    today = timezone.localdate()
    head = household.memberships.get(relationship="head").person
    authorisation = Authorisation.objects.create(
        household=household,
        signed_by=head,
        data_kinds=[FeedKind.VEHICLE.value],
        signed_on=today - timedelta(days=30),
        valid_until=today + timedelta(days=365),
        recorded_by=users["city"],
    )
    authorisation.members.add(*[m.person for m in household.memberships.all()])
    return authorisation


def _client(source, behaviour=None, policy=FAST, department=None, kind="vehicle"):
    if department is not None and behaviour is not None:
        department.behaviour = behaviour
    sleeps: list[float] = []
    client = QueryClient(source, kind, policy=policy, sleep=sleeps.append)
    return client, sleeps


def test_answer_stored_as_query_batch(querying, household, authorised, department):
    client, sleeps = _client(querying)
    result = client.query([household.pk], request_id="r-1")
    assert result.batch is not None
    assert result.batch.channel == Channel.QUERY
    assert result.batch.rows_stored == 1
    assert result.records == 1
    assert result.attempts == 1
    assert sleeps == []
    [sent] = department.received
    assert sent["request_id"] == "r-1"
    assert sent["kind"] == "vehicle"
    assert {person["resident_id"] for person in sent["persons"]} == {ALICE_ID, CAROL_ID}
    assert AuditEntry.objects.filter(object_type="exchange.query", object_id="r-1")


def test_refused_without_authorisation(querying, household, department):
    client, _ = _client(querying)
    with pytest.raises(QueryRefused, match=f"household {household.pk} has no auth"):
        client.query([household.pk])
    assert department.received == []
    assert not Batch.objects.exists()


def test_refused_when_member_uncovered(querying, household, authorised, department):
    carol = household.memberships.get(relationship="child").person
    authorised.members.remove(carol)
    client, _ = _client(querying)
    with pytest.raises(QueryRefused, match="1 members of household"):
        client.query([household.pk])
    assert department.received == []


def test_refused_for_expired_authorisation(querying, household, authorised, department):
    client, _ = _client(querying)
    later = authorised.valid_until + timedelta(days=1)
    with pytest.raises(QueryRefused):
        client.query([household.pk], as_of=later)
    assert department.received == []


def test_monitoring_kind_needs_no_authorisation(querying, household, department):
    client, _ = _client(querying, kind="medical_claim")
    result = client.query([household.pk])
    assert result.batch is not None
    assert result.batch.rows_stored == 1


def test_slow_answer_retried_once_stored(querying, household, authorised, department):
    behaviour = Behaviour(script=[Misbehaviour.SLOW], slow_seconds=1.5)
    policy = RetryPolicy(timeout_seconds=0.5, max_attempts=3, backoff_seconds=0.01)
    client, _sleeps = _client(querying, behaviour, policy, department)
    result = client.query([household.pk], request_id="slow-1")
    assert result.attempts == 2
    assert department.posts["slow-1"] == 2
    assert department.computed["slow-1"] == 1
    assert Batch.objects.count() == 1
    again, _ = _client(querying)
    assert again.query([household.pk], request_id="slow-1").batch == result.batch
    assert Batch.objects.count() == 1


def test_server_error_retried_with_backoff(querying, household, authorised, department):
    behaviour = Behaviour(script=[Misbehaviour.ERROR_500, Misbehaviour.ERROR_500])
    client, sleeps = _client(querying, behaviour, department=department)
    result = client.query([household.pk], request_id="e-1")
    assert result.attempts == 3
    assert sleeps == [0.01, 0.02]
    assert department.computed["e-1"] == 1


def test_retry_after_honoured(querying, household, authorised, department):
    behaviour = Behaviour(script=[Misbehaviour.BUSY_429], retry_after_seconds=7)
    client, sleeps = _client(querying, behaviour, department=department)
    client.query([household.pk])
    assert sleeps == [7.0]


def test_retry_after_capped(querying, household, authorised, department):
    behaviour = Behaviour(script=[Misbehaviour.UNAVAILABLE_503], retry_after_seconds=90)
    policy = RetryPolicy(max_attempts=2, backoff_seconds=0.01, max_wait_seconds=3)
    client, sleeps = _client(querying, behaviour, policy, department)
    client.query([household.pk])
    assert sleeps == [3]


def test_retries_run_out(querying, household, authorised, department):
    behaviour = Behaviour(script=[Misbehaviour.UNAVAILABLE_503] * 3)
    client, sleeps = _client(querying, behaviour, department=department)
    with pytest.raises(QueryFailed) as raised:
        client.query([household.pk])
    message = str(raised.value)
    assert "transport" in message
    assert "vehicle" in message
    assert "after 3 attempts" in message
    assert "busy: Try again later." in message
    assert len(sleeps) == 2
    assert not Batch.objects.exists()


def test_malformed_json_fails(querying, household, authorised, department):
    behaviour = Behaviour(script=[Misbehaviour.MALFORMED_JSON])
    client, _ = _client(querying, behaviour, department=department)
    with pytest.raises(QueryFailed, match="not valid JSON"):
        client.query([household.pk])
    assert not Batch.objects.exists()


def test_wrong_request_id_fails(querying, household, authorised, department):
    behaviour = Behaviour(script=[Misbehaviour.WRONG_REQUEST_ID])
    client, _ = _client(querying, behaviour, department=department)
    with pytest.raises(QueryFailed, match="for request other, not w-1"):
        client.query([household.pk], request_id="w-1")
    assert not Batch.objects.exists()


def test_pending_answer_polled(querying, household, authorised, department):
    behaviour = Behaviour(script=[Misbehaviour.PENDING], pending_polls=2)
    behaviour.retry_after_seconds = 0
    client, sleeps = _client(querying, behaviour, department=department)
    result = client.query([household.pk], request_id="p-1")
    assert result.batch is not None
    assert department.polls["p-1"] == 3
    assert sleeps == [0.0, 0.0, 0.0]


def test_client_error_not_retried(querying, household, department):
    querying.kinds = [*querying.kinds, "marriage"]
    querying.save()
    client, sleeps = _client(querying, kind="marriage")
    with pytest.raises(QueryRejected) as raised:
        client.query([household.pk], request_id="k-1")
    assert raised.value.status == 422
    assert raised.value.code == "unsupported_kind"
    assert "does not answer marriage queries" in str(raised.value)
    assert department.posts["k-1"] == 0
    assert sleeps == []


def test_wrong_secret_rejected(querying, household, authorised, department):
    querying.query_secret = "stale"
    querying.save()
    client, sleeps = _client(querying)
    with pytest.raises(QueryRejected) as raised:
        client.query([household.pk])
    assert raised.value.status == 401
    assert sleeps == []


def test_unreachable_department_fails(querying, household, authorised):
    querying.query_url = "http://127.0.0.1:9"
    querying.save()
    client, sleeps = _client(querying)
    with pytest.raises(QueryFailed, match="connection failed"):
        client.query([household.pk])
    assert len(sleeps) == 2


def test_records_of_other_persons_dropped(querying, household, authorised, department):
    department.table = {
        "vehicle": {ALICE_ID: TABLE["vehicle"][ALICE_ID] + TABLE["vehicle"][BOB_ID]}
    }
    client, _ = _client(querying)
    result = client.query([household.pk])
    assert result.records == 1
    assert result.dropped == 1


def test_no_records_no_batch(querying, far_household, department):
    client, _ = _client(querying, kind="medical_claim")
    result = client.query([far_household.pk])
    assert result.batch is None
    assert not Batch.objects.exists()


def test_logs_no_personal_data(querying, household, authorised, department, caplog):
    department.behaviour = Behaviour(script=[Misbehaviour.ERROR_500])
    client, _ = _client(querying)
    with caplog.at_level(logging.DEBUG, logger="doudi.exchange"):
        client.query([household.pk], request_id="log-1")
    text = caplog.text
    assert "log-1" in text
    for value in (ALICE_ID, CAROL_ID, "王测试", "王小测", SECRET):
        assert value not in text


def test_inactive_source_refused(querying, household, authorised, department):
    querying.active = False
    querying.save()
    client, _ = _client(querying)
    with pytest.raises(QueryRefused, match="inactive"):
        client.query([household.pk])


def test_command_queries_and_reports(querying, household, authorised, department):
    out = io.StringIO()
    call_command(
        "query_department",
        "--source",
        "transport",
        "--kind",
        "vehicle",
        "--household",
        str(household.pk),
        "--request-id",
        "cmd-1",
        stdout=out,
    )
    assert "request cmd-1: 2 persons asked, 1 records" in out.getvalue()
    assert Batch.objects.get().channel == Channel.QUERY


def test_command_refusal_is_error(querying, household, department):
    with pytest.raises(CommandError, match="no authorisation"):
        call_command(
            "query_department",
            "--source",
            "transport",
            "--kind",
            "vehicle",
            "--household",
            str(household.pk),
        )
