"""Operator pages of the data exchange: thin views over the ingestion services.

Data exchange operators use every page. City administrators read the lists
of sources, batches and quarantine reasons, but no raw row and no action.
Everyone else gets 403.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet, TextChoices
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from doudi.exchange import review
from doudi.exchange.forms import (
    BatchFilter,
    ConfirmForm,
    CorrectionForm,
    DiscardForm,
    QuarantineFilter,
    UnmatchedFilter,
    UploadForm,
)
from doudi.exchange.kinds import FeedKind
from doudi.exchange.models import (
    Batch,
    BatchStatus,
    Channel,
    DataSource,
    QuarantinedRow,
    QuarantineReason,
    RowStatus,
    UnmatchedReason,
    UnmatchedRecord,
)
from doudi.exchange.operator import confirm_match, resubmit
from doudi.exchange.pipeline import DeliveryError, ingest_bytes
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User
from doudi.registry.models import Person

PAGE_SIZE = 25

logger = logging.getLogger(__name__)


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _viewer(request: HttpRequest) -> User:
    if not review.can_view(request.user):
        raise PermissionDenied(
            _(
                "Only data exchange operators and city administrators "
                "read the data exchange pages."
            )
        )
    assert isinstance(request.user, User)
    return request.user


def _operator(request: HttpRequest) -> User:
    if not review.can_operate(request.user):
        raise PermissionDenied(_("Only data exchange operators can do this."))
    assert isinstance(request.user, User)
    return request.user


def _list_page(
    request: HtmxHttpRequest,
    template: str,
    fragment: str,
    target: str,
    context: dict[str, object],
) -> HttpResponse:
    """Render the whole page, or only the table for the filter form's htmx request."""
    partial = bool(request.htmx) and request.htmx.target == target
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {**context, "query": filters.urlencode(), "target": target}
    response = render(request, fragment if partial else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _label(choices: type[TextChoices], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _page(request: HttpRequest, queryset: QuerySet[Any]) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@require_GET
def source_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    sources = list(DataSource.objects.order_by("code"))
    for source in sources:
        source.kind_labels = [  # type: ignore[attr-defined]
            FeedKind(kind).label if kind in FeedKind.values else kind
            for kind in source.kinds
        ]
    return render(request, "exchange/source_list.html", {"sources": sources})


@login_required
@require_GET
def batch_list(request: HtmxHttpRequest) -> HttpResponse:
    _viewer(request)
    form = BatchFilter(request.GET or None)
    batches = Batch.objects.select_related("source").order_by("-received_at", "-pk")
    if form.is_valid():
        data = form.cleaned_data
        if data["source"] is not None:
            batches = batches.filter(source=data["source"])
        if data["kind"]:
            batches = batches.filter(kind=data["kind"])
        if data["status"]:
            batches = batches.filter(status=data["status"])
    context = {"form": form, "page": _page(request, batches)}
    return _list_page(
        request,
        "exchange/batch_list.html",
        "exchange/_batch_table.html",
        "batches",
        context,
    )


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _viewer(request)
    batch = get_object_or_404(
        Batch.objects.select_related("source", "supersedes", "received_by"), pk=pk
    )
    context = {
        "batch": batch,
        "corrected_by": batch.superseded_by.first(),
        "can_operate": review.can_operate(user),
    }
    return render(request, "exchange/batch_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    user = _operator(request)
    wanted = ("source", "kind", "supersedes")
    initial = {name: request.GET[name] for name in wanted if request.GET.get(name)}
    form = UploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        started = timezone.now()
        try:
            batch = ingest_bytes(
                data["file"].read(),
                file_name=data["file"].name or "",
                source=data["source"],
                kind=data["kind"],
                channel=Channel.UPLOAD,
                supersedes=data.get("supersedes_batch"),
                received_by=user,
            )
        except DeliveryError as error:
            logger.warning("exchange upload by user %s rejected: %s", user.pk, error)
            form.add_error(None, str(error))
        else:
            _upload_message(request, batch, repeated=batch.received_at < started)
            return redirect("exchange:batch_detail", pk=batch.pk)
    return render(request, "exchange/upload.html", {"form": form})


def _upload_message(request: HttpRequest, batch: Batch, *, repeated: bool) -> None:
    if repeated:
        # The same bytes again find the batch they made the first time.
        messages.info(
            request,
            _(
                "This file was already received on %(day)s as batch %(pk)s; "
                "nothing was changed."
            )
            % {"day": timezone.localtime(batch.received_at).date(), "pk": batch.pk},
        )
    elif batch.status == BatchStatus.REJECTED:
        messages.error(
            request,
            _("The file was rejected whole: %(error)s") % {"error": batch.error},
        )
    else:
        messages.success(
            request, _("The file was received as batch %(pk)s.") % {"pk": batch.pk}
        )


@login_required
@require_GET
def quarantine_list(request: HtmxHttpRequest) -> HttpResponse:
    user = _viewer(request)
    form = QuarantineFilter(request.GET or {"status": RowStatus.OPEN})
    rows = (
        QuarantinedRow.objects.select_related("batch", "batch__source")
        .order_by("-batch_id", "row_number")
        .defer("raw")
    )
    if form.is_valid():
        data = form.cleaned_data
        for name, lookup in (
            ("reason", "reason"),
            ("kind", "batch__kind"),
            ("batch", "batch_id"),
            ("status", "status"),
        ):
            if data[name]:
                rows = rows.filter(**{lookup: data[name]})
    page = _page(request, rows)
    for row in page:
        row.reason_label = _label(QuarantineReason, row.reason)
    context = {"form": form, "page": page, "can_operate": review.can_operate(user)}
    return _list_page(
        request,
        "exchange/quarantine_list.html",
        "exchange/_quarantine_table.html",
        "quarantine",
        context,
    )


def _quarantined(pk: int) -> QuarantinedRow:
    return get_object_or_404(
        QuarantinedRow.objects.select_related("batch", "batch__source"), pk=pk
    )


@login_required
@never_cache
@require_GET
def quarantined_row(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the row masked; the audit entry records the view."""
    user = _operator(request)
    row = _quarantined(pk)
    review.audit_row_view(user, row, request, reveal=False)
    return _row_page(request, row, reveal=False)


@login_required
@never_cache
@require_POST
def reveal_row(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the row in full with the correction form; audited as a reveal."""
    user = _operator(request)
    row = _quarantined(pk)
    review.audit_row_view(user, row, request, reveal=True)
    return _row_page(request, row, reveal=True)


def _row_page(
    request: HttpRequest,
    row: QuarantinedRow,
    *,
    reveal: bool,
    correction: CorrectionForm | None = None,
    discard: DiscardForm | None = None,
    status: int = 200,
) -> HttpResponse:
    fields = review.raw_fields(row.batch.kind, row.raw, reveal=reveal)
    row.reason_label = _label(QuarantineReason, row.reason)  # type: ignore[attr-defined]
    open_row = row.status == RowStatus.OPEN
    if correction is None and reveal and open_row:
        correction = CorrectionForm(fields=fields, prefix="row")
    context = {
        "row": row,
        "fields": fields,
        "revealed": reveal,
        "open": open_row,
        "correction": correction,
        "discard_form": discard or DiscardForm(),
    }
    return render(request, "exchange/quarantined_row.html", context, status=status)


@login_required
@never_cache
@require_POST
def resubmit_row(request: HttpRequest, pk: int) -> HttpResponse:
    user = _operator(request)
    row = _quarantined(pk)
    fields = review.raw_fields(row.batch.kind, row.raw, reveal=True)
    form = CorrectionForm(request.POST, fields=fields, prefix="row")
    if not form.is_valid():
        return _row_page(request, row, reveal=True, correction=form, status=400)
    try:
        batch = resubmit([row], [form.corrected()], actor=user)
    except DeliveryError as error:
        logger.warning("resubmitting quarantined row %s failed: %s", row.pk, error)
        form.add_error(None, str(error))
        return _row_page(request, row, reveal=True, correction=form, status=400)
    row.refresh_from_db()
    if row.status == RowStatus.RESUBMITTED:
        messages.success(
            request,
            _("The corrected row was accepted in batch %(pk)s.") % {"pk": batch.pk},
        )
        return redirect("exchange:quarantined_row", pk=row.pk)
    form.add_error(
        None,
        _("The corrected row was quarantined again: %(message)s")
        % {"message": row.shown_message},
    )
    return _row_page(request, row, reveal=True, correction=form, status=400)


@login_required
@require_POST
def discard_row(request: HttpRequest, pk: int) -> HttpResponse:
    user = _operator(request)
    row = _quarantined(pk)
    form = DiscardForm(request.POST)
    if form.is_valid():
        try:
            review.discard(row, form.cleaned_data["reason"], actor=user)
        except DeliveryError as error:
            logger.warning("discarding quarantined row %s failed: %s", row.pk, error)
            form.add_error("reason", str(error))
        else:
            messages.success(request, _("The row was discarded."))
            return redirect("exchange:quarantined_row", pk=row.pk)
    return _row_page(request, row, reveal=False, discard=form, status=400)


@login_required
@never_cache
@require_GET
def unmatched_list(request: HtmxHttpRequest) -> HttpResponse:
    """List open unmatched records with their candidates; the view is audited."""
    user = _operator(request)
    form = UnmatchedFilter(request.GET or None)
    records = (
        UnmatchedRecord.objects.filter(status=RowStatus.OPEN)
        .select_related("batch", "batch__source")
        .order_by("-batch_id", "row_number")
    )
    if form.is_valid():
        if form.cleaned_data["kind"]:
            records = records.filter(batch__kind=form.cleaned_data["kind"])
        if form.cleaned_data["batch"]:
            records = records.filter(batch_id=form.cleaned_data["batch"])
    page = _page(request, records)
    items = _unmatched_items(list(page.object_list))
    _audit_unmatched(user, items, request)
    context = {"form": form, "page": page, "items": items}
    return _list_page(
        request,
        "exchange/unmatched_list.html",
        "exchange/_unmatched_table.html",
        "unmatched",
        context,
    )


def _unmatched_items(records: list[UnmatchedRecord]) -> list[dict[str, object]]:
    people = review.candidates([pk for record in records for pk in record.candidates])
    items = []
    for record in records:
        record.reason_label = _label(  # type: ignore[attr-defined]
            UnmatchedReason, record.reason
        )
        fields = {
            field.name: field
            for field in review.raw_fields(record.batch.kind, record.raw, reveal=False)
        }
        items.append(
            {
                "record": record,
                "name": fields["name"].shown,
                "birth_date": fields["birth_date"].value,
                "resident_id": fields["resident_id"].shown,
                "candidates": [people[pk] for pk in record.candidates if pk in people],
            }
        )
    return items


def _audit_unmatched(
    user: User, items: list[dict[str, object]], request: HttpRequest
) -> None:
    if not items:
        return
    audit.record(
        actor=user,
        action=AuditAction.READ,
        object_type="exchange.unmatchedrecord",
        purpose=Purpose.DATA_QUALITY,
        request=request,
        record_count=len(items),
        detail={"records": [item["record"].pk for item in items]},  # type: ignore[attr-defined]
    )


@login_required
@require_POST
def confirm_unmatched(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    user = _operator(request)
    record = get_object_or_404(UnmatchedRecord.objects.select_related("batch"), pk=pk)
    form = ConfirmForm(request.POST)
    person_id = form.cleaned_data["person"] if form.is_valid() else None
    if person_id is None or person_id not in record.candidates:
        return _unmatched_result(
            request, record, _("Choose one of the candidates."), ok=False
        )
    person = get_object_or_404(Person, pk=person_id)
    try:
        confirm_match(record, person, actor=user)
    except DeliveryError as error:
        logger.warning(
            "confirming unmatched record %s as person %s failed: %s",
            record.pk,
            person.pk,
            error,
        )
        return _unmatched_result(request, record, str(error), ok=False)
    return _unmatched_result(
        request,
        record,
        _("Record confirmed for the chosen person; its facts are stored."),
        ok=True,
    )


@login_required
@require_POST
def discard_unmatched(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    user = _operator(request)
    record = get_object_or_404(UnmatchedRecord.objects.select_related("batch"), pk=pk)
    form = DiscardForm(request.POST)
    if not form.is_valid():
        return _unmatched_result(
            request, record, _("Say why the row is discarded."), ok=False
        )
    try:
        review.discard(record, form.cleaned_data["reason"], actor=user)
    except DeliveryError as error:
        logger.warning("discarding unmatched record %s failed: %s", record.pk, error)
        return _unmatched_result(request, record, str(error), ok=False)
    return _unmatched_result(request, record, _("The record was discarded."), ok=True)


def _unmatched_result(
    request: HtmxHttpRequest, record: UnmatchedRecord, text: str, *, ok: bool
) -> HttpResponse:
    """Replace the record's row for htmx; otherwise go back to the list."""
    if request.htmx:
        context = {"record": record, "text": text, "ok": ok}
        return render(request, "exchange/_unmatched_result.html", context)
    (messages.success if ok else messages.error)(request, text)
    return redirect("exchange:unmatched_list")
