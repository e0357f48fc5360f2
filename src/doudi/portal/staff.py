"""What community workers do with help requests: read them, audited.

A worker sees the requests of households in their region, and the intake
desk: requests from residents whose phone is not linked yet (no region).
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from doudi.portal import documents
from doudi.portal.choices import Destination, RequestStatus
from doudi.portal.models import HelpRequest, HelpRequestDocument
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User

OBJECT_TYPE = "portal.helprequest"


def is_worker(user: object) -> bool:
    return (
        isinstance(user, User)
        and user.is_active
        and user.role == Role.COMMUNITY_WORKER
        and user.region is not None
    )


def require_worker(user: object) -> User:
    if not is_worker(user):
        raise PermissionDenied(_("Only community workers handle help requests."))
    assert isinstance(user, User)
    return user


def _visible(worker: User) -> QuerySet[HelpRequest]:
    assert worker.region is not None
    return HelpRequest.objects.exclude(status=RequestStatus.DRAFT).filter(
        Q(region__isnull=True) | Q(region__path__startswith=worker.region.path)
    )


def queue(worker: User, request: HttpRequest | None = None) -> list[HelpRequest]:
    """Return the requests waiting for a worker, oldest first, audited as a search."""
    worker = require_worker(worker)
    rows = list(
        _visible(worker)
        .filter(destination=Destination.COMMUNITY_WORKER)
        .select_related("region")
        .order_by("submitted_at")[:200]
    )
    audit.record(
        actor=worker,
        action=AuditAction.SEARCH,
        object_type=OBJECT_TYPE,
        purpose=Purpose.CASE_WORK,
        request=request,
        record_count=len(rows),
    )
    return rows


def open_request(
    worker: User, pk: int, request: HttpRequest | None = None
) -> HelpRequest:
    """Return one request with its personal details, audited as a read."""
    worker = require_worker(worker)
    found = _visible(worker).select_related("account", "region").filter(pk=pk).first()
    if found is None:
        audit.record(
            actor=worker,
            action=AuditAction.DENIED,
            object_type=OBJECT_TYPE,
            object_id=pk,
            purpose=Purpose.CASE_WORK,
            request=request,
        )
        raise Http404(_("No help request %(pk)s in your region.") % {"pk": pk})
    audit.record(
        actor=worker,
        action=AuditAction.READ,
        object_type=OBJECT_TYPE,
        object_id=pk,
        purpose=Purpose.CASE_WORK,
        request=request,
    )
    return found


def open_document(
    worker: User, document_id: int, request: HttpRequest | None = None
) -> tuple[HelpRequestDocument, Path]:
    """Return a request's document and its file for a worker who may read it."""
    worker = require_worker(worker)
    document = HelpRequestDocument.objects.filter(pk=document_id).first()
    visible = (
        document is not None
        and _visible(worker).filter(pk=document.request_id).exists()
    )
    action = AuditAction.READ if visible else AuditAction.DENIED
    audit.record(
        actor=worker,
        action=action,
        object_type="portal.document",
        object_id=document_id,
        purpose=Purpose.CASE_WORK,
        request=request,
    )
    if document is None or not visible:
        raise Http404(_("No document %(pk)s in your region.") % {"pk": document_id})
    return document, documents.path_of(document)
