"""Route a sent help request: open a case, or hand it to a community worker.

A request from a resident whose phone is linked to a household, for a kind
of help that a scheme answers, becomes an application through
`open_case` (channel PORTAL, opened by the resident's own user). Every
other request goes to the community worker: of the household's community
when linked, or of the intake desk (no region) that every community worker
sees when the phone is not linked yet. Routing is idempotent: a routed
request is left as it is.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from doudi.assessments.models import Scheme
from doudi.cases.declaration import Declaration
from doudi.cases.models import Channel
from doudi.cases.opening import open_case
from doudi.portal.choices import Destination, EventKind, HelpKind, RequestStatus
from doudi.portal.models import HelpRequest, RequestEvent

logger = logging.getLogger(__name__)

# The scheme that covers each kind of help; kinds not listed are needs that
# services or the community worker meet (housing, schooling, work, care,
# disability services).
SCHEME_FOR_KIND: Final = {
    HelpKind.LIVING_COSTS: Scheme.DIBAO,
    HelpKind.ILLNESS: Scheme.RIGID,
    HelpKind.EMERGENCY: Scheme.TEMPORARY,
}
# Requests still unrouted this long after sending are routed by the sweep.
SWEEP_AFTER: Final = timedelta(minutes=2)


def route(request_id: int) -> HelpRequest | None:
    """Route one sent request; return it, or None if it does not exist."""
    with transaction.atomic():
        help_request = (
            HelpRequest.objects.select_for_update(of=("self",))
            .select_related("account__user")
            .filter(pk=request_id)
            .first()
        )
        if help_request is None or help_request.status != RequestStatus.RECEIVED:
            return help_request
        if not _route_to_case(help_request):
            _route_to_worker(help_request)
        help_request.routed_at = timezone.now()
        help_request.save(
            update_fields=["status", "destination", "case", "routed_at", "updated_at"]
        )
    logger.info(
        "help request %s routed to %s", help_request.pk, help_request.destination
    )
    return help_request


def _route_to_case(help_request: HelpRequest) -> bool:
    scheme = SCHEME_FOR_KIND.get(HelpKind(help_request.kind))
    user = help_request.account.user
    if scheme is None or help_request.household_id is None or user is None:
        return False
    try:
        case, new = open_case(
            user,
            household_id=help_request.household_id,
            scheme=scheme,
            channel=Channel.PORTAL,
            declaration=Declaration(situation=help_request.details or ""),
        )
    except (PermissionDenied, ValidationError) as error:
        # For example the resident left the household: a worker sorts it out.
        logger.warning(
            "help request %s not opened as a case: %s",
            help_request.pk,
            type(error).__name__,
        )
        return False
    help_request.case = case
    help_request.status = RequestStatus.CASE_OPENED
    help_request.destination = Destination.CASE
    kind = EventKind.CASE_OPENED if new else EventKind.JOINED_CASE
    _event(help_request, kind)
    return True


def _route_to_worker(help_request: HelpRequest) -> None:
    help_request.status = RequestStatus.WITH_WORKER
    help_request.destination = Destination.COMMUNITY_WORKER
    linked = help_request.household_id is not None
    _event(help_request, EventKind.TO_WORKER if linked else EventKind.TO_INTAKE_DESK)


def _event(help_request: HelpRequest, kind: EventKind) -> None:
    RequestEvent.objects.create(request=help_request, kind=kind, at=timezone.now())


def pending_ids(older_than: timedelta = SWEEP_AFTER) -> list[int]:
    """Return the ids of sent requests still waiting to be routed."""
    cutoff = timezone.now() - older_than
    return list(
        HelpRequest.objects.filter(
            status=RequestStatus.RECEIVED, submitted_at__lte=cutoff
        ).values_list("pk", flat=True)
    )
