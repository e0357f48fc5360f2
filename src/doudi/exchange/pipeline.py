"""Ingest a delivery: read, validate, quarantine, match and store, all or nothing.

The public entry points are re-exported by doudi.exchange.ingest.

Every row of a batch ends in exactly one place: a stored fact, the
quarantine, the unmatched queue, or the duplicate count, and
`rows_total` is their sum. Reading, validating and matching happen before
the transaction. The batch and everything it contains are then written in
one transaction, so a crash leaves either the whole batch or nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.core.bulk import insert_frame
from doudi.exchange.facts import fact_frame
from doudi.exchange.feeds import FEEDS, PERSON_FIELDS, FeedSpec
from doudi.exchange.identity import canonical_ids
from doudi.exchange.kinds import FeedKind
from doudi.exchange.matching import any_in, candidates
from doudi.exchange.models import (
    Batch,
    BatchStatus,
    Channel,
    DataSource,
    ExchangeFact,
    FileFormat,
    QuarantinedRow,
    QuarantineReason,
    RowStatus,
    UnmatchedReason,
    UnmatchedRecord,
)
from doudi.exchange.reading import UnreadableFile, format_of, read_bytes
from doudi.exchange.run_cache import (
    authorised_person_frame,
    person_ids,
    resident_id_indexes,
)
from doudi.exchange.validation import (
    ROW,
    Context,
    MissingColumns,
    messages,
    prepare,
    validate,
)
from doudi.exchange.wording import not_authorised_message
from doudi.privacy import audit
from doudi.privacy.access import can_operate_exchange
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.keys import keyring
from doudi.privacy.models import User
from doudi.registry.bulk_indexes import rebuilt_after
from doudi.registry.models import Region

logger = logging.getLogger(__name__)

# Seconds to sleep inside the batch transaction, after every write and
# before the commit. Only the test that kills ingestion mid-batch sets it.
PAUSE_ENV = "DOUDI_EXCHANGE_TEST_PAUSE_SECONDS"
IDENTIFYING_FIELDS = tuple(spec.name for spec in PERSON_FIELDS)
# Facts in one batch from which the fact table's secondary indexes are
# rebuilt instead of updated, if the batch also outnumbers the stored facts.
REBUILD_AT_ROWS = 100_000
# SQLite page cache for loads of at least LARGE_CACHE_AT_ROWS facts.
LARGE_CACHE_AT_ROWS = 10_000
LARGE_CACHE_KIB = 256 * 1024


class DeliveryError(ValueError):
    """A delivery that cannot be accepted at all, such as a wrong kind."""


@dataclass(frozen=True)
class Delivery:
    source: DataSource
    feed: FeedSpec
    channel: str
    checksum: str
    file_name: str
    supersedes: Batch | None
    received_by: User | None
    today: date


@dataclass(frozen=True)
class Sorted:
    """Destinations of the rows of a batch, counted before anything is written."""

    total: int
    stored: pl.DataFrame
    quarantined: pl.DataFrame
    unmatched: pl.DataFrame
    duplicates: int


def ingest_bytes(
    data: bytes,
    *,
    file_name: str,
    source: DataSource,
    kind: str,
    channel: str,
    supersedes: Batch | None = None,
    received_by: User | None = None,
    today: date | None = None,
) -> Batch:
    """Ingest one delivered file and return its batch.

    Re-delivering the same bytes for the same source and kind returns the
    existing batch and changes nothing. A file that cannot be read is
    stored as a REJECTED batch with `error` stating what failed and where.
    """
    delivery = _delivery(
        source,
        kind,
        channel,
        hashlib.sha256(data).hexdigest(),
        file_name,
        supersedes,
        received_by,
        today,
    )
    existing = _existing(delivery)
    if existing is not None:
        return existing
    _check_supersedes(delivery)
    file_format, encoding = FileFormat.OTHER, ""
    try:
        file_format = format_of(file_name)
        read = read_bytes(data, file_format)
        encoding = read.encoding
        frame = _prepared(read.frame, delivery.feed)
    except UnreadableFile as error:
        return _reject(delivery, file_format, encoding, str(error))
    return _ingest_frame(delivery, frame, file_format, encoding)


def ingest_file(
    path: Path,
    *,
    source: DataSource,
    kind: str,
    channel: str = Channel.INBOX,
    supersedes: Batch | None = None,
    received_by: User | None = None,
    today: date | None = None,
) -> Batch:
    return ingest_bytes(
        path.read_bytes(),
        file_name=path.name,
        source=source,
        kind=kind,
        channel=channel,
        supersedes=supersedes,
        received_by=received_by,
        today=today,
    )


def ingest_records(
    records: Sequence[Mapping[str, object]],
    *,
    source: DataSource,
    kind: str,
    channel: str,
    supersedes: Batch | None = None,
    received_by: User | None = None,
    today: date | None = None,
) -> Batch:
    """Ingest rows given as mappings (push API, query responses, corrections).

    The checksum is the SHA-256 of the records as canonical JSON (sorted
    keys, no spaces), so the same records sent again find the same batch.
    """
    canonical = json.dumps(
        list(records),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    delivery = _delivery(
        source,
        kind,
        channel,
        hashlib.sha256(canonical.encode()).hexdigest(),
        "",
        supersedes,
        received_by,
        today,
    )
    existing = _existing(delivery)
    if existing is not None:
        return existing
    _check_supersedes(delivery)
    try:
        frame = _prepared(records_frame(records), delivery.feed)
    except UnreadableFile as error:
        return _reject(delivery, FileFormat.JSON, "", str(error))
    return _ingest_frame(delivery, frame, FileFormat.JSON, "")


def records_frame(records: Sequence[Mapping[str, object]]) -> pl.DataFrame:
    """Return the records as a frame of text columns, in first-seen key order."""
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(str(key) for key in record))
    data = {name: [_text(record.get(name)) for record in records] for name in columns}
    return pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _delivery(
    source: DataSource,
    kind: str,
    channel: str,
    checksum: str,
    file_name: str,
    supersedes: Batch | None,
    received_by: User | None,
    today: date | None,
) -> Delivery:
    if kind not in FeedKind.values:
        raise DeliveryError(
            _("%(kind)s is not a kind of records; use one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(FeedKind.values)}
        )
    if kind not in source.kinds:
        raise DeliveryError(
            _("Source %(source)s is not registered to send %(kind)s records.")
            % {"source": source.code, "kind": kind}
        )
    if not source.active:
        raise DeliveryError(
            _("Source %(source)s is inactive.") % {"source": source.code}
        )
    if channel not in Channel.values:
        raise DeliveryError(_("%(channel)s is not a channel.") % {"channel": channel})
    return Delivery(
        source=source,
        feed=FEEDS[kind],
        channel=channel,
        checksum=checksum,
        file_name=file_name[:255].replace("\x00", ""),
        supersedes=supersedes,
        received_by=received_by,
        today=today or timezone.localdate(),
    )


def _check_supersedes(delivery: Delivery) -> None:
    old = delivery.supersedes
    if old is None:
        return
    if old.source_id != delivery.source.pk or old.kind != delivery.feed.name:
        raise DeliveryError(
            _(
                "Batch %(batch)s has another source or kind, so this delivery cannot "
                "correct it."
            )
            % {"batch": old.pk}
        )
    later = Batch.objects.filter(supersedes=old).first()
    if later is not None:
        raise DeliveryError(
            _(
                "Batch %(batch)s was already corrected by batch %(later)s; correct "
                "that one instead."
            )
            % {"batch": old.pk, "later": later.pk}
        )


def _existing(delivery: Delivery) -> Batch | None:
    return Batch.objects.filter(
        source=delivery.source, kind=delivery.feed.name, checksum=delivery.checksum
    ).first()


def _prepared(frame: pl.DataFrame, feed: FeedSpec) -> pl.DataFrame:
    try:
        prepared = prepare(frame, feed)
    except MissingColumns as error:
        raise UnreadableFile(
            _(
                "The header (line 1) lacks the required columns %(columns)s; it has "
                "%(found)s."
            )
            % {
                "columns": ", ".join(error.columns),
                "found": ", ".join(frame.columns) or _("no columns"),
            }
        ) from None
    if prepared.height == 0:
        raise UnreadableFile(_("The file has a header but no rows."))
    return prepared


def _reject(delivery: Delivery, file_format: str, encoding: str, error: str) -> Batch:
    try:
        with transaction.atomic():
            batch = _new_batch(
                delivery,
                file_format,
                encoding,
                status=BatchStatus.REJECTED,
                # PostgreSQL text cannot hold NUL, which a bad header may contain.
                error=error.replace("\x00", "\\x00"),
            )
            _audit(batch, delivery)
    except IntegrityError as error:
        return _existing_or_raise(delivery, error)
    logger.warning(
        "exchange batch %s of source %s (%s) rejected whole",
        batch.pk,
        delivery.source.code,
        delivery.feed.name,
    )
    return batch


def _new_batch(
    delivery: Delivery, file_format: str, encoding: str, **fields: Any
) -> Batch:
    """Create the batch row of a delivery, with `fields` as its outcome."""
    return Batch.objects.create(
        source=delivery.source,
        kind=delivery.feed.name,
        checksum=delivery.checksum,
        channel=delivery.channel,
        file_name=delivery.file_name,
        file_format=file_format,
        encoding=encoding,
        received_by=delivery.received_by,
        **fields,
    )


def _existing_or_raise(delivery: Delivery, error: IntegrityError) -> Batch:
    """Return the batch that a concurrent delivery of the same bytes created."""
    existing = _existing(delivery)
    if existing is None:
        raise error
    return existing


def _ingest_frame(
    delivery: Delivery, frame: pl.DataFrame, file_format: str, encoding: str
) -> Batch:
    region_codes = set(Region.objects.values_list("code", flat=True))
    validated = validate(frame, delivery.feed, Context(delivery.today, region_codes))
    rows = sort_rows(validated, delivery.feed, delivery.today)
    try:
        with transaction.atomic():
            batch = _new_batch(
                delivery,
                file_format,
                encoding,
                status=BatchStatus.STORED,
                supersedes=delivery.supersedes,
                rows_total=rows.total,
                rows_stored=rows.stored.height,
                rows_quarantined=rows.quarantined.height,
                rows_unmatched=rows.unmatched.height,
                rows_duplicate=rows.duplicates,
            )
            _write(batch, delivery.feed, rows)
            if delivery.supersedes is not None:
                supersede(delivery.supersedes, batch)
            _audit(batch, delivery)
            _pause_for_tests(batch)
    except IntegrityError as error:
        return _existing_or_raise(delivery, error)
    logger.info(
        "exchange batch %s of source %s (%s): %d rows, %d stored, %d quarantined, "
        "%d unmatched, %d duplicate",
        batch.pk,
        delivery.source.code,
        delivery.feed.name,
        batch.rows_total,
        batch.rows_stored,
        batch.rows_quarantined,
        batch.rows_unmatched,
        batch.rows_duplicate,
    )
    return batch


def sort_rows(validated: pl.DataFrame, feed: FeedSpec, today: date) -> Sorted:
    """Split validated rows into stored, quarantined, unmatched and duplicate."""
    duplicates = int(validated["_duplicate"].sum())
    rows = validated.filter(~pl.col("_duplicate"))
    invalid = rows.filter(pl.col("_reason").is_not_null())
    quarantined = [_quarantine_frame(invalid, feed)]

    valid = _match(rows.filter(pl.col("_reason").is_null()), today)
    matched = valid.filter(pl.col("person_id").is_not_null())
    unmatched = valid.filter(pl.col("person_id").is_null())
    unmatched = unmatched.with_columns(
        pl.Series(
            "_candidates",
            candidates(unmatched["c_name"], unmatched["v_birth_date"]),
            dtype=pl.List(pl.Int64),
        )
    )
    if feed.needs_authorisation:
        allowed = authorised_person_frame(feed.name, today)
        refused = matched.join(allowed, on="person_id", how="anti")
        matched = matched.join(allowed, on="person_id", how="semi")
        allowed_ids = set(allowed["person_id"].to_list()) if unmatched.height else set()
        covered = pl.Series(
            any_in(unmatched["_candidates"].to_list(), allowed_ids), dtype=pl.Boolean
        )
        refused_unmatched = unmatched.filter(~covered)
        unmatched = unmatched.filter(covered)
        quarantined.append(
            _refused_frame(
                pl.concat([refused, refused_unmatched], how="diagonal_relaxed"), feed
            )
        )
    return Sorted(
        total=validated.height,
        stored=matched,
        quarantined=pl.concat(quarantined).sort(ROW),
        unmatched=_unmatched_frame(unmatched),
        duplicates=duplicates,
    )


def _match(valid: pl.DataFrame, today: date) -> pl.DataFrame:
    """Add `canonical_id`, `id_problem` and `person_id` (null when unmatched)."""
    ids = canonical_ids(valid["c_resident_id"], today)
    valid = valid.with_columns(
        ids["canonical"].alias("canonical_id"), ids["problem"].alias("id_problem")
    )
    hashes = resident_id_indexes(valid["canonical_id"])
    valid = valid.with_columns(hashes.alias("resident_id_index"))
    found = person_ids(valid["resident_id_index"])
    return valid.join(found, on="resident_id_index", how="left", maintain_order="left")


def _raw_columns(frame: pl.DataFrame) -> list[str]:
    """Return the delivered columns: everything not added by validation."""
    added = ("c_", "v_", "_")
    return [
        name
        for name in frame.columns
        if name != ROW and not name.startswith(added) and name not in _MATCH_COLUMNS
    ]


_MATCH_COLUMNS = ("canonical_id", "id_problem", "resident_id_index", "person_id")


def _encrypted_raw(
    frame: pl.DataFrame,
    columns: list[str],
    model: type[QuarantinedRow] | type[UnmatchedRecord],
) -> pl.Series:
    context = f"exchange.{model._meta.model_name}.raw"
    ring = keyring()
    return pl.Series(
        [
            ring.encrypt(json.dumps(row, ensure_ascii=False), context=context)
            for row in frame.select(columns).iter_rows(named=True)
        ],
        dtype=pl.String,
    )


def _quarantine_frame(invalid: pl.DataFrame, feed: FeedSpec) -> pl.DataFrame:
    texts = messages(feed)
    message = [
        texts[(reason, field)]
        for reason, field in zip(invalid["_reason"], invalid["_field"], strict=True)
    ]
    return pl.DataFrame(
        {
            "row_number": invalid[ROW].cast(pl.Int64),
            "raw": _encrypted_raw(invalid, _raw_columns(invalid), QuarantinedRow),
            "reason": invalid["_reason"],
            "message": pl.Series(message, dtype=pl.String),
            "field": invalid["_field"].cast(pl.String),
        }
    )


def _refused_frame(refused: pl.DataFrame, feed: FeedSpec) -> pl.DataFrame:
    """Quarantine rows of persons without authorisation, keeping only who."""
    return pl.DataFrame(
        {
            "row_number": refused[ROW].cast(pl.Int64),
            "raw": _encrypted_raw(refused, list(IDENTIFYING_FIELDS), QuarantinedRow),
            "reason": pl.Series(
                [QuarantineReason.NOT_AUTHORISED.value] * refused.height,
                dtype=pl.String,
            ),
            "message": pl.Series(
                [not_authorised_message(feed)] * refused.height, dtype=pl.String
            ),
            "field": pl.Series([""] * refused.height, dtype=pl.String),
        }
    )


def _unmatched_frame(unmatched: pl.DataFrame) -> pl.DataFrame:
    reason = pl.coalesce(
        pl.col("id_problem"), pl.lit(UnmatchedReason.NOT_FOUND.value)
    ).alias("reason")
    return pl.DataFrame(
        {
            "row_number": unmatched[ROW].cast(pl.Int64),
            "raw": _encrypted_raw(unmatched, _raw_columns(unmatched), UnmatchedRecord),
            "reason": unmatched.select(reason)["reason"],
            "candidates": pl.Series(
                [json.dumps(people) for people in unmatched["_candidates"].to_list()],
                dtype=pl.String,
            ),
        }
    )


def _write(batch: Batch, feed: FeedSpec, rows: Sorted) -> None:
    if rows.stored.height:
        store_facts(fact_frame(rows.stored, feed, batch.pk))
    common = [
        pl.lit(batch.pk, dtype=pl.Int64).alias("batch_id"),
        pl.lit(RowStatus.OPEN.value).alias("status"),
        pl.lit(None, dtype=pl.Int64).alias("resolved_by_id"),
        pl.lit(None, dtype=pl.String).alias("resolved_at"),
    ]
    if rows.quarantined.height:
        insert_frame(
            QuarantinedRow._meta.db_table,
            rows.quarantined.with_columns(
                *common, pl.lit(None, dtype=pl.Int64).alias("resubmitted_in_id")
            ),
        )
    if rows.unmatched.height:
        insert_frame(
            UnmatchedRecord._meta.db_table,
            rows.unmatched.with_columns(
                *common, pl.lit(None, dtype=pl.Int64).alias("person_id")
            ),
        )


def store_facts(facts: pl.DataFrame) -> None:
    """Insert fact rows inside the caller's transaction.

    Some loads have at least REBUILD_AT_ROWS facts and outnumber the facts
    already stored. They run with ExchangeFact's secondary indexes (and, on
    PostgreSQL, its foreign keys) dropped and rebuilt after, because one
    build from the whole table then costs less than updating them row by
    row. On SQLite a large load also gets a larger page cache, so that the
    indexes' pages are not written out again and again.
    """
    table = ExchangeFact._meta.db_table
    with _sqlite_cache(facts.height):
        if facts.height >= max(REBUILD_AT_ROWS, _stored_facts_estimate()):
            with rebuilt_after([table]):
                insert_frame(table, facts)
        else:
            insert_frame(table, facts)


def _stored_facts_estimate() -> int:
    """Return the highest fact id, which facts, never deleted, approach."""
    latest = ExchangeFact.objects.order_by("-pk").values_list("pk", flat=True)
    return latest.first() or 0


@contextmanager
def _sqlite_cache(rows: int) -> Iterator[None]:
    if connection.vendor != "sqlite" or rows < LARGE_CACHE_AT_ROWS:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        # A negative size is in KiB.
        cursor.execute(f"PRAGMA cache_size = {-LARGE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def supersede(old: Batch, new: Batch) -> int:
    """Mark the facts of `old` (and of its re-submitted rows) replaced by `new`.

    Open quarantined and unmatched rows of `old` are discarded, because the
    corrected batch carries those rows again. Returns the facts marked.
    """
    resubmitted = QuarantinedRow.objects.filter(
        batch=old, resubmitted_in__isnull=False
    ).values("resubmitted_in")
    replaced = ExchangeFact.objects.filter(superseded_by__isnull=True).filter(
        batch__in=[old.pk, *resubmitted.values_list("resubmitted_in", flat=True)]
    )
    count = replaced.update(superseded_by=new)
    now = timezone.now()
    for model in (QuarantinedRow, UnmatchedRecord):
        model.objects.filter(batch=old, status=RowStatus.OPEN).update(
            status=RowStatus.DISCARDED, resolved_at=now
        )
    return count


def _audit(batch: Batch, delivery: Delivery) -> None:
    purpose = (
        Purpose.VERIFICATION
        if delivery.feed.needs_authorisation
        else Purpose.MONITORING
    )
    audit.record_batch(
        action=AuditAction.CREATE,
        object_type="exchange.batch",
        record_count=batch.rows_total,
        checksum=batch.checksum,
        purpose=purpose,
        actor=delivery.received_by,
        detail={
            "batch": batch.pk,
            "source": delivery.source.code,
            "kind": batch.kind,
            "channel": batch.channel,
            "status": batch.status,
            "stored": batch.rows_stored,
            "quarantined": batch.rows_quarantined,
            "unmatched": batch.rows_unmatched,
            "duplicate": batch.rows_duplicate,
            "supersedes": batch.supersedes_id,
        },
    )


def _pause_for_tests(batch: Batch) -> None:
    # Production ignores the variable, so it cannot keep a batch's locks held.
    if settings.IS_PRODUCTION:
        return
    seconds = float(os.environ.get(PAUSE_ENV) or 0)
    if seconds > 0:
        logger.warning(
            "exchange batch %s paused %.1f s before commit (%s is set)",
            batch.pk,
            seconds,
            PAUSE_ENV,
        )
        time.sleep(seconds)


def require_operator(actor: User) -> None:
    """Raise PermissionDenied for anyone but a data exchange operator.

    City administrators may only read.
    """
    if not can_operate_exchange(actor) or actor.role != Role.DATA_OPERATOR:
        raise PermissionDenied(_("Only data exchange operators can do this."))
