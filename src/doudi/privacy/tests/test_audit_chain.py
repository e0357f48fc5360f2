"""The audit log's hash chain and the triggers that make it append-only.

Tamper tests drop the triggers, change rows with raw SQL as an intruder
with table rights would, and check that verification names the first
broken link. They run with committed data (`transactional_db`), and
`clean_audit_after` empties the append-only tables before Django's flush.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import timezone

from doudi.privacy import audit, triggers
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import AuditEntry, AuditLink

REJECTED = "append-only"


def _entry(number: int = 0, request: HttpRequest | None = None) -> AuditEntry:
    return audit.record(
        actor=None,
        action=AuditAction.READ,
        object_type="test.thing",
        object_id=number,
        purpose=Purpose.SYSTEM,
        detail={"n": number},
        request=request,
    )


def _seq_of(entry: AuditEntry) -> int:
    return AuditLink.objects.get(entry_id=entry.pk).seq


def _execute(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _rejected(sql: str, params: list[Any]) -> None:
    # A savepoint, so that PostgreSQL can go on after the error.
    with pytest.raises(DatabaseError, match=REJECTED), transaction.atomic():
        _execute(sql, params)


@pytest.fixture
def sealed(transactional_db: None, clean_audit_after: None) -> list[AuditEntry]:
    entries = [_entry(number) for number in range(1, 5)]
    audit.seal()
    return entries


@pytest.fixture
def unguarded(sealed: list[AuditEntry]) -> Iterator[list[AuditEntry]]:
    """The sealed entries with the append-only triggers dropped."""
    triggers.drop(connection)
    yield sealed
    triggers.install(connection)


# Record, seal, verify


def test_sealed_chain_verifies(db):
    for number in range(3):
        _entry(number)
    assert audit.seal() == 3
    report = audit.verify()
    assert report.intact
    assert report.links_checked == 3
    assert report.unsealed_entries == 0


def test_verify_counts_unsealed(db):
    _entry(1)
    audit.seal()
    _entry(2)
    report = audit.verify()
    assert report.intact
    assert report.unsealed_entries == 1


def test_seal_with_nothing_new(db):
    _entry(1)
    audit.seal()
    assert audit.seal() == 0


def test_seal_in_batches(db):
    for number in range(5):
        _entry(number)
    assert audit.seal(batch_size=2) == 5
    assert audit.verify().links_checked == 5


def test_reseal_continues_chain(db):
    _entry(1)
    _entry(2)
    audit.seal()
    last = AuditLink.objects.get(seq=2)
    _entry(3)
    _entry(4)
    assert audit.seal() == 2
    assert AuditLink.objects.get(seq=3).prev_hash == last.link_hash
    report = audit.verify()
    assert report.intact
    assert report.links_checked == 4


def test_first_link_starts_at_genesis(db):
    _entry(1)
    audit.seal()
    assert AuditLink.objects.get(seq=1).prev_hash == audit.GENESIS_HASH


def test_ipv6_client_keeps_chain_intact(db):
    request = RequestFactory().get("/", REMOTE_ADDR="2001:0DB8:0:0:0:0:0:0001")
    entry = _entry(1, request=request)
    audit.seal()
    assert AuditEntry.objects.get(pk=entry.pk).ip_address == "2001:db8::1"
    assert audit.verify().intact


def test_invalid_client_address_not_stored(db):
    request = RequestFactory().get("/", REMOTE_ADDR="not an address")
    assert _entry(1, request=request).ip_address is None


def test_batch_job_writes_one_entry(db):
    checksum = "ab" * 32
    before = AuditEntry.objects.count()
    entry = audit.record_batch(
        action=AuditAction.BATCH,
        object_type="test.job",
        record_count=1200,
        checksum=checksum,
    )
    assert AuditEntry.objects.count() == before + 1
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.record_count == 1200
    assert stored.checksum == checksum
    assert stored.actor_label == "system"
    assert stored.purpose == Purpose.SYSTEM


# Triggers reject changes


def test_update_entry_rejected(db):
    entry = _entry(1)
    _rejected(
        "UPDATE privacy_auditentry SET actor_label = %s WHERE id = %s",
        ["intruder", entry.pk],
    )


def test_delete_entry_rejected(db):
    entry = _entry(1)
    _rejected("DELETE FROM privacy_auditentry WHERE id = %s", [entry.pk])


def test_update_link_rejected(db):
    _entry(1)
    audit.seal()
    _rejected(
        "UPDATE privacy_auditlink SET link_hash = %s WHERE seq = %s", ["0" * 64, 1]
    )


def test_delete_link_rejected(db):
    _entry(1)
    audit.seal()
    _rejected("DELETE FROM privacy_auditlink WHERE seq = %s", [1])


def test_orm_update_rejected(db):
    entry = _entry(1)
    with pytest.raises(DatabaseError, match=REJECTED), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(detail={"n": 2})


def test_orm_delete_rejected(db):
    entry = _entry(1)
    with pytest.raises(DatabaseError, match=REJECTED), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_rejected_update_changes_nothing(db):
    entry = _entry(1)
    _rejected(
        "UPDATE privacy_auditentry SET actor_label = %s WHERE id = %s",
        ["intruder", entry.pk],
    )
    assert AuditEntry.objects.get(pk=entry.pk).actor_label == "system"


def test_truncate_rejected_on_postgresql(transactional_db, clean_audit_after):
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL has TRUNCATE")
    # Committed first: PostgreSQL refuses to truncate a table that has
    # deferred foreign key checks pending in the same transaction.
    _entry(1)
    _rejected("TRUNCATE privacy_auditentry CASCADE", [])


# Two sealers cannot fork the chain


def test_duplicate_seq_rejected(db):
    first = _entry(1)
    audit.seal()
    spare = _entry(2)
    link = AuditLink.objects.get(entry_id=first.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditLink.objects.create(
            seq=link.seq,
            entry_id=spare.pk,
            prev_hash=link.prev_hash,
            link_hash=link.link_hash,
            sealed_at=timezone.now(),
        )


def test_duplicate_entry_id_rejected(db):
    first = _entry(1)
    audit.seal()
    link = AuditLink.objects.get(entry_id=first.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditLink.objects.create(
            seq=link.seq + 1,
            entry_id=first.pk,
            prev_hash=link.link_hash,
            link_hash=link.link_hash,
            sealed_at=timezone.now(),
        )


def test_concurrent_sealers_keep_one_chain(transactional_db, clean_audit_after):
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory SQLite test database has no concurrent writers")
    for number in range(200):
        _entry(number)
    start = threading.Barrier(2)
    sealed: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            sealed.append(audit.seal(batch_size=10))
        except BaseException as error:  # reported by the asserts below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(sealed) == 200
    report = audit.verify()
    assert report.intact
    assert report.links_checked == 200


# Tamper detection (triggers dropped)


def test_changed_detail_detected(unguarded):
    target = unguarded[1]
    _execute(
        "UPDATE privacy_auditentry SET detail = %s WHERE id = %s",
        ['{"n": 99}', target.pk],
    )
    broken = audit.verify().first_break
    assert broken is not None
    assert broken.seq == _seq_of(target)
    assert broken.entry_id == target.pk
    assert "changed" in broken.reason


def test_changed_actor_label_detected(unguarded):
    target = unguarded[2]
    _execute(
        "UPDATE privacy_auditentry SET actor_label = %s WHERE id = %s",
        ["someone else", target.pk],
    )
    broken = audit.verify().first_break
    assert broken is not None
    assert broken.seq == _seq_of(target)
    assert "changed" in broken.reason


def test_rehashed_entry_detected(unguarded):
    # An intruder who also rewrites content_hash breaks the link hash instead.
    target = unguarded[1]
    _execute(
        "UPDATE privacy_auditentry SET actor_label = %s WHERE id = %s",
        ["someone else", target.pk],
    )
    changed = AuditEntry.objects.get(pk=target.pk)
    _execute(
        "UPDATE privacy_auditentry SET content_hash = %s WHERE id = %s",
        [audit.content_hash(changed), target.pk],
    )
    broken = audit.verify().first_break
    assert broken is not None
    assert broken.seq == _seq_of(target)
    assert "link hash" in broken.reason


def test_first_break_reported(unguarded):
    later, earlier = unguarded[3], unguarded[1]
    for entry in (later, earlier):
        _execute(
            "UPDATE privacy_auditentry SET actor_label = %s WHERE id = %s",
            ["someone else", entry.pk],
        )
    broken = audit.verify().first_break
    assert broken is not None
    assert broken.seq == _seq_of(earlier)


def test_links_before_break_counted(unguarded):
    target = unguarded[2]
    _execute(
        "UPDATE privacy_auditentry SET actor_label = %s WHERE id = %s",
        ["someone else", target.pk],
    )
    assert audit.verify().links_checked == _seq_of(target) - 1


def test_deleted_entry_detected(unguarded):
    target = unguarded[1]
    seq = _seq_of(target)
    _execute("DELETE FROM privacy_auditentry WHERE id = %s", [target.pk])
    broken = audit.verify().first_break
    assert broken is not None
    assert broken.seq == seq
    assert "deleted" in broken.reason


def test_deleted_link_detected(unguarded):
    seq = _seq_of(unguarded[1])
    _execute("DELETE FROM privacy_auditlink WHERE seq = %s", [seq])
    broken = audit.verify().first_break
    assert broken is not None
    assert broken.seq == seq + 1
    assert f"link {seq} is missing" in broken.reason


def test_changed_prev_hash_detected(unguarded):
    seq = _seq_of(unguarded[2])
    _execute(
        "UPDATE privacy_auditlink SET prev_hash = %s WHERE seq = %s", ["f" * 64, seq]
    )
    broken = audit.verify().first_break
    assert broken is not None
    assert broken.seq == seq
    assert "previous hash" in broken.reason


def test_changed_checksum_detected(unguarded):
    target = unguarded[0]
    _execute(
        "UPDATE privacy_auditentry SET checksum = %s WHERE id = %s",
        ["cd" * 32, target.pk],
    )
    broken = audit.verify().first_break
    assert broken is not None
    assert broken.seq == _seq_of(target)


def test_reinstalled_triggers_reject(unguarded):
    triggers.install(connection)
    _rejected("DELETE FROM privacy_auditentry WHERE id = %s", [unguarded[0].pk])


# The `doudi audit` command


def test_verify_command_intact(sealed):
    output = StringIO()
    call_command("audit", "verify", stdout=output)
    assert "audit chain intact: 4 links checked" in output.getvalue()


def test_verify_command_names_link(unguarded):
    target = unguarded[1]
    _execute(
        "UPDATE privacy_auditentry SET actor_label = %s WHERE id = %s",
        ["someone else", target.pk],
    )
    with pytest.raises(CommandError, match=f"broken at link {_seq_of(target)} "):
        call_command("audit", "verify")


def test_seal_command_reports_count(transactional_db, clean_audit_after):
    _entry(1)
    _entry(2)
    output = StringIO()
    call_command("audit", "seal", stdout=output)
    assert output.getvalue().strip() == "sealed 2 entries"


# Removing the newest links, caught by a head kept elsewhere


def test_verify_reports_head(db):
    for number in range(3):
        _entry(number)
    audit.seal()
    head = audit.verify().head
    assert head is not None
    assert head[0] == 3
    assert head[1] == AuditLink.objects.get(seq=3).link_hash


def test_removed_newest_links_caught_by_head(unguarded):
    head = audit.verify().head
    assert head is not None
    _execute("DELETE FROM privacy_auditlink WHERE seq = %s", [head[0]])
    assert audit.verify().intact
    report = audit.verify(expected_head=head)
    assert not report.intact
    assert report.first_break is not None
    assert report.first_break.reason == "the recorded head link is missing"


def test_rewritten_head_caught(unguarded):
    head = audit.verify().head
    assert head is not None
    report = audit.verify(expected_head=(head[0], "f" * 64))
    assert report.first_break is not None
    assert report.first_break.seq == head[0]


def test_command_checks_expected_head(unguarded):
    head = audit.verify().head
    assert head is not None
    _execute("DELETE FROM privacy_auditlink WHERE seq = %s", [head[0]])
    with pytest.raises(CommandError, match="recorded head link is missing"):
        call_command("audit", "verify", "--expect-head", f"{head[0]}:{head[1]}")


def test_command_rejects_malformed_head(db):
    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("audit", "verify", "--expect-head", "12")
