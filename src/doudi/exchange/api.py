"""The push API: department systems send batches with a per-source bearer token.

A token is `<source code>.<random part>`; only its SHA-256 is stored, in
DataSource.push_token_hash. `doudi exchange_token SOURCE` issues one. An
unknown source, an inactive one and a wrong token all get the same 401.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import HttpBearer

from doudi.exchange.kinds import FeedKind
from doudi.exchange.models import Batch, Channel, DataSource
from doudi.exchange.pipeline import DeliveryError, ingest_bytes, ingest_records

logger = logging.getLogger(__name__)

# Django refuses to read a request body above DATA_UPLOAD_MAX_MEMORY_SIZE
# (2.5 MiB by default) with a bare 400, so JSON batches stay below it and
# get a 413 that names the limit and the fix. Django streams files to disk.
MAX_JSON_BYTES = 2 * 1024 * 1024
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_RECORDS = 20_000
# Compared against when the source is unknown, so that the time taken does
# not tell an unknown source from a wrong token.
_UNKNOWN_SOURCE_HASH = hashlib.sha256(b"no such source").hexdigest()

Value = str | int | bool | None


def issue_token(source: DataSource) -> str:
    """Create a new push token for `source`, store its hash, and return it.

    The previous token stops working at once. The token cannot be shown
    again, because only its SHA-256 is kept.
    """
    token = f"{source.code}.{secrets.token_urlsafe(32)}"
    source.push_token_hash = token_hash(token)
    source.save(update_fields=["push_token_hash"])
    return token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def source_for_token(token: str) -> DataSource | None:
    """Return the active source whose push token is `token`, or None."""
    code = token.split(".", 1)[0] if "." in token else ""
    source = DataSource.objects.filter(code=code, active=True).first() if code else None
    stored = source.push_token_hash if source and source.push_token_hash else ""
    matches = hmac.compare_digest(token_hash(token), stored or _UNKNOWN_SOURCE_HASH)
    return source if matches and stored else None


class PushToken(HttpBearer):
    """Bearer authentication of a department system, with the size limit."""

    def authenticate(self, request: HttpRequest, token: str) -> DataSource | None:
        source = source_for_token(token)
        if source is None:
            logger.warning("exchange push with an invalid token rejected")
            return None
        _check_size(request)
        return source


def _check_size(request: HttpRequest) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    multipart = request.content_type == "multipart/form-data"
    limit = MAX_FILE_BYTES if multipart else MAX_JSON_BYTES
    if length > limit:
        raise HttpError(413, _too_large(length, limit))


def _too_large(size: int, limit: int) -> str:
    return _(
        "The request body is %(size)d bytes; the limit is %(limit)d bytes. "
        "Split the records into several batches, or send a file upload."
    ) % {"size": size, "limit": limit}


class BatchIn(Schema):
    kind: FeedKind = Field(description="kind of records; one of the source's kinds")
    records: list[dict[str, Value]] = Field(
        min_length=1,
        max_length=MAX_RECORDS,
        description=(
            "rows keyed by the feed's field names; amounts as strings such as "
            '"1234.56"'
        ),
    )
    supersedes: int | None = Field(
        None, ge=1, le=2**62, description="id of an earlier batch this one corrects"
    )


class BatchOut(Schema):
    id: int
    kind: str
    channel: str
    status: str
    error: str
    received_at: datetime
    supersedes: int | None
    rows_total: int
    rows_stored: int
    rows_quarantined: int
    rows_unmatched: int
    rows_duplicate: int


class PushErrorOut(Schema):
    detail: str | list[dict[str, object]]


ERRORS: dict[int, type[Schema]] = {
    400: PushErrorOut,
    401: PushErrorOut,
    403: PushErrorOut,
    404: PushErrorOut,
    409: PushErrorOut,
    413: PushErrorOut,
    422: PushErrorOut,
}

router = Router(auth=PushToken(), tags=["exchange"])


@router.post("/batches", response={200: BatchOut, 201: BatchOut, **ERRORS})
def push_records(request: HttpRequest, payload: BatchIn) -> Status[BatchOut]:
    """Deliver records as JSON. The same records again return the same batch (200)."""
    source = _source(request)
    kind = _kind(source, payload.kind)
    supersedes = _supersedes(source, payload.supersedes)
    watermark = _last_batch_id()
    try:
        batch = ingest_records(
            payload.records,
            source=source,
            kind=kind,
            channel=Channel.PUSH,
            supersedes=supersedes,
        )
    except DeliveryError as error:
        logger.warning("exchange push from source %s rejected: %s", source.pk, error)
        raise HttpError(409, str(error)) from None
    return _answer(batch, watermark)


@router.post("/batches/file", response={200: BatchOut, 201: BatchOut, **ERRORS})
def push_file(
    request: HttpRequest,
    kind: Form[FeedKind],
    file: File[UploadedFile],
    supersedes: int = Form(None, ge=1, le=2**62),  # type: ignore[type-arg]
) -> Status[BatchOut]:
    """Deliver one file (.csv, .xlsx, .jsonl or .parquet; the name decides)."""
    source = _source(request)
    checked_kind = _kind(source, kind)
    earlier = _supersedes(source, supersedes)
    if file.size is not None and file.size > MAX_FILE_BYTES:
        raise HttpError(413, _too_large(file.size, MAX_FILE_BYTES))
    watermark = _last_batch_id()
    try:
        batch = ingest_bytes(
            file.read(),
            file_name=file.name or "",
            source=source,
            kind=checked_kind,
            channel=Channel.PUSH,
            supersedes=earlier,
        )
    except DeliveryError as error:
        logger.warning("exchange push from source %s rejected: %s", source.pk, error)
        raise HttpError(409, str(error)) from None
    return _answer(batch, watermark)


@router.get("/batches/{batch_id}", response={200: BatchOut, **ERRORS})
def get_batch(request: HttpRequest, batch_id: int) -> BatchOut:
    """Return one of the calling source's batches."""
    source = _source(request)
    batch = Batch.objects.filter(pk=batch_id, source=source).first()
    if batch is None:
        raise HttpError(404, _("Batch %(id)s not found.") % {"id": batch_id})
    return _out(batch)


def _source(request: HttpRequest) -> DataSource:
    source = getattr(request, "auth", None)
    assert isinstance(source, DataSource)
    return source


def _kind(source: DataSource, kind: FeedKind | str) -> str:
    value = FeedKind(kind).value
    if value not in source.kinds:
        raise HttpError(
            403,
            _("Source %(source)s may not send %(kind)s records.")
            % {"source": source.code, "kind": value},
        )
    return value


def _supersedes(source: DataSource, batch_id: int | None) -> Batch | None:
    if batch_id is None:
        return None
    batch = Batch.objects.filter(pk=batch_id, source=source).first()
    if batch is None:
        raise HttpError(
            404,
            _("Batch %(id)s, which this delivery would correct, was not found.")
            % {"id": batch_id},
        )
    return batch


def _last_batch_id() -> int:
    return Batch.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _answer(batch: Batch, watermark: int) -> Status[BatchOut]:
    # A batch older than the call was found again by its checksum. Two
    # identical deliveries racing each other may both get 201.
    created = batch.pk > watermark
    logger.info(
        "exchange push of source %s: batch %s %s",
        batch.source_id,
        batch.pk,
        "created" if created else "found again",
    )
    return Status(201 if created else 200, _out(batch))


def _out(batch: Batch) -> BatchOut:
    return BatchOut(
        id=batch.pk,
        kind=batch.kind,
        channel=batch.channel,
        status=batch.status,
        error=batch.error,
        received_at=batch.received_at,
        supersedes=batch.supersedes_id,
        rows_total=batch.rows_total,
        rows_stored=batch.rows_stored,
        rows_quarantined=batch.rows_quarantined,
        rows_unmatched=batch.rows_unmatched,
        rows_duplicate=batch.rows_duplicate,
    )
