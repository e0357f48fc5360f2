"""Write audit entries, seal them into the hash chain, and verify the chain.

Writing an entry takes no lock: each row carries the hash of its own
content. A sealer (a periodic task, the monthly cycle, or `doudi audit
seal`) appends the entries not yet chained to `AuditLink` in one
transaction, so web requests never queue on the chain.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import AuditEntry, AuditLink, User

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
SEAL_BATCH = 5000
# Each lost race means another sealer committed links, so a few retries in a
# row are plenty. A persistent IntegrityError is a fault and must not loop.
SEAL_RETRIES = 5
# PostgreSQL advisory lock key that makes sealers queue instead of race. The
# value only has to differ from other advisory lock keys in the database.
SEAL_LOCK_KEY = 0x646F756469  # "doudi" in ASCII


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def content_hash(entry: AuditEntry) -> str:
    fields = {
        "created_at": _timestamp(entry.created_at),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "role": entry.role,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "purpose": entry.purpose,
        "ip_address": entry.ip_address,
        "record_count": entry.record_count,
        "checksum": entry.checksum,
        "detail": entry.detail,
    }
    canonical = json.dumps(
        fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def link_hash(seq: int, entry_id: int, entry_hash: str, prev_hash: str) -> str:
    text = f"{seq}|{entry_id}|{entry_hash}|{prev_hash}"
    return hashlib.sha256(text.encode()).hexdigest()


def client_ip(request: HttpRequest | None) -> str | None:
    """Return the client address in the form the database stores it.

    GenericIPAddressField rewrites IPv6 addresses to Django's canonical form
    when saving. The content hash must be computed over that stored form, or
    verification would report the entry as changed.
    """
    if request is None:
        return None
    value = str(request.META.get("REMOTE_ADDR") or "").strip()
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 6:
        return clean_ipv6_address(value)
    return str(address)


def record(
    *,
    actor: User | None,
    action: AuditAction,
    object_type: str,
    object_id: object = "",
    purpose: Purpose,
    request: HttpRequest | None = None,
    record_count: int | None = None,
    checksum: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry. `actor=None` means the system itself."""
    if actor is not None and actor.is_authenticated:
        label, role, actor_ref = actor.get_username(), actor.role, actor
    else:
        label, role, actor_ref = "system", "", None
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor_ref,
        actor_label=label,
        role=role,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        purpose=purpose,
        ip_address=client_ip(request),
        record_count=record_count,
        checksum=checksum,
        detail=detail or {},
    )
    entry.content_hash = content_hash(entry)
    entry.save(force_insert=True)
    return entry


def record_batch(
    *,
    action: AuditAction,
    object_type: str,
    record_count: int,
    checksum: str,
    purpose: Purpose = Purpose.SYSTEM,
    detail: dict[str, Any] | None = None,
    actor: User | None = None,
) -> AuditEntry:
    """Record a batch job as one entry: what, how many records, a checksum."""
    return record(
        actor=actor,
        action=action,
        object_type=object_type,
        purpose=purpose,
        record_count=record_count,
        checksum=checksum,
        detail=detail,
    )


def seal(batch_size: int = SEAL_BATCH) -> int:
    """Chain every entry that has no link yet; return how many were sealed.

    Two sealers running at once cannot fork the chain, because `seq` is the
    primary key and `entry_id` is unique. The second one's insert fails, its
    transaction rolls back, and it starts again from the new last link, at
    most SEAL_RETRIES times in a row. On PostgreSQL an advisory lock makes
    sealers wait for each other, and SQLite's IMMEDIATE transactions do the
    same, so such races are rare.
    """
    sealed = 0
    races = 0
    while True:
        try:
            count = _seal_once(batch_size)
        except IntegrityError:
            races += 1
            if races > SEAL_RETRIES:
                raise
            logger.warning(
                "audit seal lost a race with another sealer; retry %d", races
            )
            continue
        races = 0
        sealed += count
        if count < batch_size:
            break
    if sealed:
        logger.info("audit seal appended %d entries to the chain", sealed)
    return sealed


def _seal_once(batch_size: int) -> int:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
        last = AuditLink.objects.order_by("-seq").first()
        seq, prev = (last.seq, last.link_hash) if last else (0, GENESIS_HASH)
        linked = AuditLink.objects.values("entry_id")
        pending = list(
            AuditEntry.objects.exclude(id__in=linked)
            .order_by("id")
            .values_list("id", "content_hash")[:batch_size]
        )
        now = timezone.now()
        links = []
        for entry_id, entry_hash in pending:
            seq += 1
            current = link_hash(seq, entry_id, entry_hash, prev)
            links.append(
                AuditLink(
                    seq=seq,
                    entry_id=entry_id,
                    prev_hash=prev,
                    link_hash=current,
                    sealed_at=now,
                )
            )
            prev = current
        AuditLink.objects.bulk_create(links)
        return len(links)


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    entry_id: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    links_checked: int
    unsealed_entries: int
    first_break: ChainBreak | None
    head: tuple[int, str] | None = None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify(
    chunk: int = 5000, *, expected_head: tuple[int, str] | None = None
) -> ChainReport:
    """Walk the chain in order and return the first broken link, if any.

    Removing the newest links leaves no gap to find: their entries only count
    as unsealed again. To detect it, keep the head (`seq`, `link_hash`) that a
    verification returns somewhere outside this database, and pass it back
    as `expected_head`: a chain that no longer contains it is reported broken.
    """
    checked = 0
    prev = GENESIS_HASH
    expected_seq = 1
    anchor_seen = expected_head is None
    for link, entry in _links_with_entries(chunk):
        problem = _check_link(link, entry, expected_seq, prev)
        if not problem and expected_head and link.seq == expected_head[0]:
            anchor_seen = True
            if link.link_hash != expected_head[1]:
                problem = "the link hash differs from the recorded head"
        if problem:
            return ChainReport(
                checked, _unsealed_count(), ChainBreak(link.seq, link.entry_id, problem)
            )
        checked += 1
        prev = link.link_hash
        expected_seq += 1
    head = (expected_seq - 1, prev) if checked else None
    if not anchor_seen and expected_head is not None:
        missing = ChainBreak(expected_head[0], 0, "the recorded head link is missing")
        return ChainReport(checked, _unsealed_count(), missing, head)
    return ChainReport(checked, _unsealed_count(), None, head)


def _check_link(
    link: AuditLink, entry: AuditEntry | None, expected_seq: int, prev: str
) -> str:
    if link.seq != expected_seq:
        return f"link {expected_seq} is missing"
    if link.prev_hash != prev:
        return "previous hash does not match the link before it"
    if entry is None:
        return "the entry of this link was deleted"
    recomputed = content_hash(entry)
    if recomputed != entry.content_hash:
        return "the entry was changed after it was written"
    if link_hash(link.seq, link.entry_id, recomputed, prev) != link.link_hash:
        return "the link hash does not match its entry"
    return ""


def _links_with_entries(chunk: int) -> Iterator[tuple[AuditLink, AuditEntry | None]]:
    last_seq = 0
    while True:
        links = list(AuditLink.objects.filter(seq__gt=last_seq).order_by("seq")[:chunk])
        if not links:
            return
        entries = AuditEntry.objects.in_bulk([link.entry_id for link in links])
        for link in links:
            yield link, entries.get(link.entry_id)
        last_seq = links[-1].seq


def _unsealed_count() -> int:
    return AuditEntry.objects.exclude(
        id__in=AuditLink.objects.values("entry_id")
    ).count()
