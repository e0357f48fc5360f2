"""Background routing of help requests (Celery; eager in the embedded default).

The tasks are bound to doudi's Celery app rather than `shared_task`, so that
a process that never imported `doudi.celery` (a web worker, a test) still
uses its configuration, eager mode included, instead of Celery's default app.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings

from doudi.celery import app
from doudi.core.locks import single_run
from doudi.portal import routing

logger = logging.getLogger(__name__)


@app.task(time_limit=120, soft_time_limit=100, acks_late=True)
def route_help_request(request_id: int) -> None:
    routing.route(request_id)


@app.task(time_limit=900, soft_time_limit=840)
def route_pending_requests() -> int:
    """Route every request left unrouted, for example after a broker outage."""
    with single_run("route-pending-help-requests", ttl_seconds=900) as acquired:
        if not acquired:
            return 0
        ids = routing.pending_ids()
        for request_id in ids:
            routing.route(request_id)
    if ids:
        logger.info("routing sweep routed %d help requests", len(ids))
    return len(ids)


def enqueue_routing(request_id: int) -> None:
    """Queue the routing, unless PORTAL_ROUTE_ON_SUBMIT is False.

    With it False (the load benchmark), requests wait for the sweep.
    """
    if not getattr(settings, "PORTAL_ROUTE_ON_SUBMIT", True):
        return
    try:
        route_help_request.delay(request_id)
    except Exception:
        # The request is stored already, so a failed hand-over must not undo
        # the resident's answer: the sweep routes it later.
        logger.exception("help request %s could not be queued for routing", request_id)


def sweep_now() -> int:
    """Route every unrouted request at once, whatever its age."""
    ids = routing.pending_ids(older_than=timedelta(0))
    for request_id in ids:
        routing.route(request_id)
    return len(ids)
