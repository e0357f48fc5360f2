"""Help requests: drafts saved as the resident types, then one request per form.

The form's idempotency key (a UUID in its URL) names the request from the
first draft save, so a form sent twice, or sent again after a lost answer,
finds the same row and creates nothing new. Routing runs after the commit,
in the background, so accepting a request is one short transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.portal import documents, ratelimit
from doudi.portal.accounts import linked_household
from doudi.portal.choices import (
    ContactMethod,
    HelpKind,
    RequestStatus,
    Urgency,
    Who,
)
from doudi.portal.forms import MAX_DETAILS_CHARACTERS
from doudi.portal.limits import limit
from doudi.portal.models import HelpRequest, PortalAccount
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User

logger = logging.getLogger(__name__)

HOUR = 3600
OBJECT_TYPE = "portal.helprequest"
_CHOICES = {
    "who": Who.values,
    "kind": HelpKind.values,
    "urgency": Urgency.values,
    "contact_method": ContactMethod.values,
}


def _draft_values(data: Mapping[str, Any]) -> dict[str, str]:
    """Keep what the resident typed: valid choices and trimmed text."""
    values = {
        name: str(data.get(name, ""))
        for name, allowed in _CHOICES.items()
        if str(data.get(name, "")) in allowed
    }
    for name, most in (("contact_phone", 32), ("details", MAX_DETAILS_CHARACTERS)):
        if name in data:
            values[name] = str(data.get(name, ""))[:most]
    return values


def save_draft(
    account: PortalAccount, key: uuid.UUID, data: Mapping[str, Any]
) -> HelpRequest:
    """Store the unfinished form under its key; a sent request stays unchanged."""
    if not ratelimit.hit(
        "draft",
        str(account.pk),
        limit=limit("PORTAL_DRAFT_SAVES_PER_HOUR"),
        window_seconds=HOUR,
    ):
        raise ValidationError(
            _("Too many saves this hour; your last changes were not saved.")
        )
    values = _draft_values(data)
    with transaction.atomic():
        draft = _locked(account, key)
        if draft is None:
            created, _new = _create(
                account, key, {**values, "status": RequestStatus.DRAFT}
            )
            return created
        if draft.status != RequestStatus.DRAFT:
            return draft
        for name, value in values.items():
            setattr(draft, name, value)
        draft.save(update_fields=[*values, "updated_at"])
        return draft


def _locked(account: PortalAccount, key: uuid.UUID) -> HelpRequest | None:
    return (
        HelpRequest.objects.select_for_update()
        .filter(account=account, idempotency_key=key)
        .first()
    )


def _create(
    account: PortalAccount, key: uuid.UUID, values: dict[str, Any]
) -> tuple[HelpRequest, bool]:
    try:
        with transaction.atomic():
            row = HelpRequest.objects.create(
                account=account, idempotency_key=key, **values
            )
            return row, True
    except IntegrityError:
        # A concurrent request with the same key won; use its row.
        existing = _locked(account, key)
        if existing is None:
            raise
        return existing, False


def _status_of(account: PortalAccount, key: uuid.UUID) -> tuple[int, str] | None:
    rows = HelpRequest.objects.filter(account=account, idempotency_key=key)
    return rows.values_list("pk", "status").first()


def find_draft(account: PortalAccount, key: uuid.UUID) -> HelpRequest | None:
    return HelpRequest.objects.filter(account=account, idempotency_key=key).first()


def submit(
    account: PortalAccount,
    key: uuid.UUID,
    cleaned: Mapping[str, Any],
    *,
    uploads: list[UploadedFile] | None = None,
    assisted_by: User | None = None,
    request: HttpRequest | None = None,
) -> tuple[HelpRequest, bool]:
    """Send the request; return it and whether this call sent it.

    `cleaned` is the validated HelpRequestForm data. Sending a key that was
    already sent returns the stored request unchanged.
    """
    if assisted_by is not None and assisted_by.role != Role.COMMUNITY_WORKER:
        raise ValidationError(
            _("Only a community worker can help a resident send a request.")
        )
    existing = _status_of(account, key)
    if existing is not None and existing[1] != RequestStatus.DRAFT:
        return HelpRequest.objects.get(pk=existing[0]), False
    content_types = documents.check_uploads(uploads or [])
    if not ratelimit.hit(
        "submit",
        str(account.pk),
        limit=limit("PORTAL_REQUESTS_PER_HOUR"),
        window_seconds=HOUR,
    ):
        raise ValidationError(
            _(
                "You sent many requests this hour. Wait an hour, "
                "or call your community worker."
            )
        )
    with transaction.atomic():
        help_request, sent = _send(
            account, key, cleaned, assisted_by, has_draft=existing is not None
        )
        if sent:
            for upload, content_type in zip(uploads or [], content_types, strict=True):
                documents.store(help_request, upload, content_type)
            _after_sending(help_request, account, request)
    if sent:
        logger.info("help request %s received", help_request.pk)
    return help_request, sent


def _send(
    account: PortalAccount,
    key: uuid.UUID,
    cleaned: Mapping[str, Any],
    assisted_by: User | None,
    *,
    has_draft: bool,
) -> tuple[HelpRequest, bool]:
    household = linked_household(account)
    values = {
        **{name: cleaned.get(name) or "" for name in _CHOICES},
        "contact_phone": cleaned.get("contact_phone") or None,
        "details": cleaned.get("details") or None,
        "status": RequestStatus.RECEIVED,
        "household": household,
        "region": household.region if household else None,
        "assisted_by": assisted_by,
        "submitted_at": timezone.now(),
    }
    # Without a draft the insert comes first: a concurrent save of the same
    # key makes it fail, and the row that won is then updated below.
    current = _locked(account, key) if has_draft else None
    if current is None:
        row, created = _create(account, key, values)
        if created:
            return row, True
        current = row
    if current.status != RequestStatus.DRAFT:
        return current, False
    for name, value in values.items():
        setattr(current, name, value)
    current.save()
    return current, True


def _after_sending(
    help_request: HelpRequest, account: PortalAccount, request: HttpRequest | None
) -> None:
    audit.record(
        actor=help_request.assisted_by or account.user,
        action=AuditAction.CREATE,
        object_type=OBJECT_TYPE,
        object_id=help_request.pk,
        purpose=Purpose.CASE_WORK if help_request.assisted_by else Purpose.OWN_RECORD,
        request=request,
        detail={
            "account": account.pk,
            "kind": help_request.kind,
            "assisted": help_request.assisted_by_id is not None,
        },
    )
    from doudi.portal import tasks

    transaction.on_commit(lambda: tasks.enqueue_routing(help_request.pk))


def requests_of(account: PortalAccount) -> list[HelpRequest]:
    """Return the account's sent requests, newest first."""
    return list(
        HelpRequest.objects.filter(account=account)
        .exclude(status=RequestStatus.DRAFT)
        .order_by("-submitted_at")
    )


def request_of(account: PortalAccount, pk: int) -> HelpRequest:
    """Return the account's own request, or raise Http404 for any other."""
    found = (
        HelpRequest.objects.select_related("case")
        .filter(pk=pk, account=account)
        .exclude(status=RequestStatus.DRAFT)
        .first()
    )
    if found is None:
        raise Http404(_("No such request."))
    return found
