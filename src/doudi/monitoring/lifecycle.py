"""Every change a person makes to a warning: assign, visit, resolve, close.

Each service checks the actor's role and region against `PERMITS`, refuses
a warning that changed since the actor loaded it (the version guard), adds
a timeline event and writes the audit entry, all in one transaction.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.monitoring import notify
from doudi.monitoring.models import Outcome, Warning, WarningEvent, WarningStatus
from doudi.monitoring.permissions import (
    OBJECT_TYPE,
    PERMITS,
    WarningAction,
    audit_denied,
    can_read,
    is_worker_of,
)
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User

logger = logging.getLogger(__name__)

MAX_NOTE_CHARACTERS: Final = 4000


class WarningError(Exception):
    """An action the lifecycle does not allow now. The message states why."""


class StaleWarning(WarningError):
    """Another person acted on the warning after this person loaded it."""

    def __init__(self) -> None:
        super().__init__(
            _("Someone else acted on this warning; reload the page to see the change.")
        )


class NotAllowedNow(WarningError):
    """The action does not apply to the warning at its current status."""


def load(warning_id: int) -> Warning:
    """Return the warning with its community, or raise Http404."""
    found = Warning.objects.select_related("region").filter(pk=warning_id).first()
    if found is None:
        raise Http404(_("No warning %(pk)s.") % {"pk": warning_id})
    return found


def require(
    actor: User,
    warning: Warning,
    action: WarningAction,
    version: int,
    request: HttpRequest | None = None,
) -> None:
    """Raise unless `actor` may take `action` on `warning` as it is now.

    PermissionDenied (audited) for a role or region that may not act,
    StaleWarning when `version` is older than the warning, and NotAllowedNow
    when its status does not allow the action.
    """
    if not can_read(actor, warning):
        audit_denied(actor, warning, action, request)
        raise PermissionDenied(_("This warning is outside your work list."))
    if warning.version != version:
        raise StaleWarning()
    roles = PERMITS.get(warning.status, {}).get(action)
    if roles is None:
        raise NotAllowedNow(
            _("“%(action)s” is not possible while the warning is “%(status)s”.")
            % {"action": action.label, "status": warning.get_status_display()}
        )
    if actor.role not in roles:
        audit_denied(actor, warning, action, request)
        raise PermissionDenied(
            _("Your role cannot take the action “%(action)s”.")
            % {"action": action.label}
        )


def commit(
    actor: User | None,
    warning: Warning,
    version: int,
    action: WarningAction,
    changes: dict[str, Any],
    *,
    note: str = "",
    request: HttpRequest | None = None,
) -> Warning:
    """Apply `changes` if the warning is still at `version`; log and audit it.

    The UPDATE names the version in its WHERE clause, so of two concurrent
    actions the second matches no row and raises StaleWarning. Call it
    inside the service's transaction, before other writes, so a loser
    writes nothing.
    """
    updated = Warning.objects.filter(pk=warning.pk, version=version).update(
        version=F("version") + 1, **changes
    )
    if updated != 1:
        raise StaleWarning()
    add_event(actor, warning, action, note=note)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=OBJECT_TYPE,
        object_id=warning.pk,
        purpose=Purpose.MONITORING,
        request=request,
        detail={"action": action.value, "fields": sorted(changes)},
    )
    warning.refresh_from_db()
    logger.info("warning %s: %s by user %s", warning.pk, action.value, _id(actor))
    return warning


def _id(actor: User | None) -> object:
    return actor.pk if actor is not None else "system"


def add_event(
    actor: User | None, warning: Warning, action: WarningAction, *, note: str = ""
) -> WarningEvent:
    return WarningEvent.objects.create(
        warning=warning, action=action, actor=actor, at=timezone.now(), note=note
    )


def clean_note(text: str) -> str:
    """Return the note stripped, or raise ValidationError when it is too long."""
    text = text.strip()
    if len(text) > MAX_NOTE_CHARACTERS:
        raise ValidationError(
            _("The note has %(count)d characters; shorten it to %(max)d.")
            % {"count": len(text), "max": MAX_NOTE_CHARACTERS}
        )
    return text


def assign(
    actor: User,
    warning_id: int,
    *,
    version: int,
    assignee_id: int | None = None,
    request: HttpRequest | None = None,
) -> Warning:
    """Give the warning to a community worker of its community (by default, the actor).

    A new warning becomes assigned; a visited one keeps its status and only
    changes hands.
    """
    warning = load(warning_id)
    require(actor, warning, WarningAction.ASSIGN, version, request)
    assignee = _assignee(actor, warning, assignee_id)
    changes: dict[str, Any] = {"assigned_to": assignee}
    if warning.status == WarningStatus.NEW:
        changes["status"] = WarningStatus.ASSIGNED
    with transaction.atomic():
        warning = commit(
            actor,
            warning,
            version,
            WarningAction.ASSIGN,
            changes,
            note=assignee.get_username(),
            request=request,
        )
        notify.notify_assignee(warning, assignee, actor)
    return warning


def _assignee(actor: User, warning: Warning, assignee_id: int | None) -> User:
    if assignee_id is None or assignee_id == actor.pk:
        assignee = actor
    else:
        found = User.objects.select_related("region").filter(pk=assignee_id).first()
        if found is None:
            raise ValidationError(
                _("No user %(pk)s: choose a community worker of the community.")
                % {"pk": assignee_id}
            )
        assignee = found
    if not is_worker_of(assignee, warning):
        raise ValidationError(
            _(
                "%(user)s is not a community worker of this household's "
                "community: choose one who is."
            )
            % {"user": assignee.get_username()}
        )
    return assignee


def record_visit(
    actor: User,
    warning_id: int,
    *,
    version: int,
    visited_on: date,
    note: str = "",
    request: HttpRequest | None = None,
) -> Warning:
    """Record the home visit (or the contact) that checked the warning."""
    warning = load(warning_id)
    require(actor, warning, WarningAction.VISIT, version, request)
    _check_visit_day(warning, visited_on)
    text = clean_note(note)
    with transaction.atomic():
        return commit(
            actor,
            warning,
            version,
            WarningAction.VISIT,
            {"status": WarningStatus.VISITED},
            note=_visit_note(visited_on, text),
            request=request,
        )


def _check_visit_day(warning: Warning, visited_on: date) -> None:
    today = timezone.localdate()
    raised_on = timezone.localdate(warning.first_seen_at)
    if visited_on > today:
        raise ValidationError(
            _("The visit day %(day)s is in the future; enter the day of the visit.")
            % {"day": visited_on.isoformat()}
        )
    if visited_on < raised_on:
        raise ValidationError(
            _(
                "The visit day %(day)s is before the warning was raised on "
                "%(raised)s; enter the day of the visit."
            )
            % {"day": visited_on.isoformat(), "raised": raised_on.isoformat()}
        )


def _visit_note(visited_on: date, text: str) -> str:
    day = visited_on.isoformat()
    return f"{day}: {text}" if text else day


def resolve(
    actor: User,
    warning_id: int,
    *,
    version: int,
    outcome: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Warning:
    """End a visited warning with one of the four outcomes.

    A case opened in doudi goes through `convert_to_case`. Resolving with
    "new case" here means the warning was pushed to another agency, so the
    note must name it.
    """
    if outcome not in Outcome.values:
        raise ValidationError(
            _("%(value)s is not an outcome; use one of: %(allowed)s.")
            % {"value": outcome, "allowed": ", ".join(Outcome.values)}
        )
    text = clean_note(note)
    if outcome == Outcome.NEW_CASE and not text:
        raise ValidationError(
            _("Name the agency the household was pushed to in the note.")
        )
    warning = load(warning_id)
    require(actor, warning, WarningAction.RESOLVE, version, request)
    changes = {
        "status": WarningStatus.RESOLVED,
        "outcome": outcome,
        "closing_note": text,
        "closed_at": timezone.now(),
    }
    with transaction.atomic():
        return commit(
            actor,
            warning,
            version,
            WarningAction.RESOLVE,
            changes,
            note=text,
            request=request,
        )


def close_no_need(
    actor: User,
    warning_id: int,
    *,
    version: int,
    reason: str,
    request: HttpRequest | None = None,
) -> Warning:
    """Close a warning that needs no help, with the reason (required)."""
    text = clean_note(reason)
    if not text:
        raise ValidationError(
            _("The reason is missing: say why this household needs no help.")
        )
    warning = load(warning_id)
    require(actor, warning, WarningAction.CLOSE, version, request)
    changes = {
        "status": WarningStatus.CLOSED,
        "outcome": "",
        "closing_note": text,
        "closed_at": timezone.now(),
    }
    with transaction.atomic():
        return commit(
            actor,
            warning,
            version,
            WarningAction.CLOSE,
            changes,
            note=text,
            request=request,
        )
