"""What a data exchange operator does with held rows: correct them or match them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import polars as pl
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.core.bulk import insert_frame
from doudi.exchange.facts import fact_frame
from doudi.exchange.feeds import FEEDS
from doudi.exchange.models import (
    Batch,
    BatchStatus,
    Channel,
    ExchangeFact,
    QuarantinedRow,
    RowStatus,
    UnmatchedRecord,
)
from doudi.exchange.pipeline import (
    DeliveryError,
    ingest_records,
    records_frame,
    require_operator,
)
from doudi.exchange.validation import Context, prepare, validate
from doudi.exchange.wording import problem_message
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User
from doudi.registry.models import Person, Region
from doudi.verification.authorisations import authorised_person_ids


def resubmit(
    rows: Sequence[QuarantinedRow],
    corrected: Sequence[Mapping[str, object]],
    *,
    actor: User,
) -> Batch:
    """Ingest corrected versions of open quarantined rows of one batch.

    `corrected[i]` replaces `rows[i]`. A row whose correction is accepted
    (stored, unmatched or a duplicate) becomes RESUBMITTED with
    `resubmitted_in` set. A row whose correction fails again stays OPEN
    with the new reason and message, and its copy in the new batch is
    discarded, so the operator works on one row, not two.
    """
    require_operator(actor)
    origin = _origin(rows, corrected)
    batch = ingest_records(
        corrected,
        source=origin.source,
        kind=origin.kind,
        channel=Channel.RESUBMIT,
        received_by=actor,
    )
    if batch.status == BatchStatus.REJECTED:
        raise DeliveryError(batch.error)
    failed = {
        row.row_number: row
        for row in QuarantinedRow.objects.filter(batch=batch).exclude(
            status=RowStatus.RESUBMITTED
        )
    }
    now = timezone.now()
    with transaction.atomic():
        for number, row in enumerate(rows, start=1):
            _settle(row, failed.get(number), batch, actor, now)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="exchange.quarantinedrow",
            object_id=origin.pk,
            purpose=Purpose.DATA_QUALITY,
            record_count=len(rows),
            detail={
                "batch": origin.pk,
                "rows": [row.row_number for row in rows],
                "resubmitted_in": batch.pk,
                "failed_again": len(failed),
            },
        )
    return batch


def _origin(
    rows: Sequence[QuarantinedRow], corrected: Sequence[Mapping[str, object]]
) -> Batch:
    if not rows or len(rows) != len(corrected):
        raise DeliveryError(
            _("Give one corrected row for each quarantined row, and at least one.")
        )
    if len({row.batch_id for row in rows}) != 1:
        raise DeliveryError(_("Re-submit the rows of one batch at a time."))
    if any(row.status != RowStatus.OPEN for row in rows):
        raise DeliveryError(_("Only open quarantined rows can be re-submitted."))
    return rows[0].batch


def _settle(
    row: QuarantinedRow,
    copy: QuarantinedRow | None,
    batch: Batch,
    actor: User,
    now: object,
) -> None:
    if copy is None:
        row.status = RowStatus.RESUBMITTED
        row.resubmitted_in = batch
        row.resolved_by = actor
        row.resolved_at = now  # type: ignore[assignment]
        row.save(
            update_fields=["status", "resubmitted_in", "resolved_by", "resolved_at"]
        )
        return
    row.reason, row.message, row.field = copy.reason, copy.message, copy.field
    row.save(update_fields=["reason", "message", "field"])
    copy.status = RowStatus.DISCARDED
    copy.resolved_by = actor
    copy.resolved_at = now  # type: ignore[assignment]
    copy.save(update_fields=["status", "resolved_by", "resolved_at"])


def confirm_match(
    record: UnmatchedRecord, person: Person, *, actor: User
) -> ExchangeFact | None:
    """Store an unmatched row's facts for `person`, chosen by an operator.

    Returns the first fact stored, or None when the record was already
    confirmed for this person. Raises DeliveryError if the record is not
    open, if the row is no longer valid, or if the kind needs an
    authorisation that does not cover `person` today.
    """
    require_operator(actor)
    if record.status == RowStatus.CONFIRMED and record.person_id == person.pk:
        return None
    if record.status != RowStatus.OPEN:
        raise DeliveryError(_("Only open unmatched records can be confirmed."))
    batch = record.batch
    feed = FEEDS[batch.kind]
    today = timezone.localdate()
    if feed.needs_authorisation and person.pk not in authorised_person_ids(
        feed.name, today
    ):
        raise DeliveryError(
            _("No valid authorisation covers this person for %(kind)s records.")
            % {"kind": feed.name}
        )
    row = _revalidated(record, today)
    with transaction.atomic():
        facts = fact_frame(
            row.with_columns(pl.lit(person.pk, dtype=pl.Int64).alias("person_id")),
            feed,
            batch.pk,
        )
        insert_frame(ExchangeFact._meta.db_table, facts)
        record.status, record.person = RowStatus.CONFIRMED, person
        record.resolved_by, record.resolved_at = actor, timezone.now()
        record.save(update_fields=["status", "person", "resolved_by", "resolved_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="exchange.unmatchedrecord",
            object_id=record.pk,
            purpose=Purpose.DATA_QUALITY,
            detail={"batch": batch.pk, "row": record.row_number, "person": person.pk},
        )
    return (
        ExchangeFact.objects.filter(
            batch=batch, row_number=record.row_number, person=person
        )
        .order_by("-pk")
        .first()
    )


def _revalidated(record: UnmatchedRecord, today: object) -> pl.DataFrame:
    feed = FEEDS[record.batch.kind]
    raw = json.loads(record.raw)
    frame = prepare(records_frame([raw]), feed).with_columns(
        pl.lit(record.row_number, dtype=pl.UInt32).alias("row_number")
    )
    codes = set(Region.objects.values_list("code", flat=True))
    row = validate(frame, feed, Context(today, codes))  # type: ignore[arg-type]
    reason, field = row["_reason"][0], row["_field"][0]
    if reason is not None:
        raise DeliveryError(problem_message(feed, reason, field))
    return row
