"""What the operator pages show of held rows, and discarding them.

Raw rows hold personal data: each field is masked by its sensitivity in
the feed schema unless the operator asks to reveal the row, and every view
is audited with the purpose DATA_QUALITY. Columns that the feed does not
define are masked as sensitive, because nothing says what they hold.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doudi.exchange.feeds import FEEDS, FieldSpec, FieldType, Sensitivity
from doudi.exchange.models import QuarantinedRow, RowStatus, UnmatchedRecord
from doudi.exchange.pipeline import DeliveryError
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.masking import mask_name
from doudi.privacy.models import User
from doudi.registry.models import Membership, Person

# A discard reason is kept in the audit entry; longer text is cut.
MAX_REASON_LENGTH = 500
CLEAR = frozenset({Sensitivity.PUBLIC, Sensitivity.INTERNAL})
SENSITIVITY_LABELS = {
    Sensitivity.PUBLIC: gettext_lazy("Public"),
    Sensitivity.INTERNAL: gettext_lazy("Internal"),
    Sensitivity.PERSONAL: gettext_lazy("Personal"),
    Sensitivity.SENSITIVE: gettext_lazy("Sensitive"),
}
VIEW_ROLES = frozenset({Role.DATA_OPERATOR, Role.CITY_ADMIN})


def can_view(user: object) -> bool:
    """Lists of sources, batches and quarantine reasons: operators and city admins."""
    return isinstance(user, User) and user.is_active and user.role in VIEW_ROLES


def can_operate(user: object) -> bool:
    """Raw rows, uploads, corrections and matches: data exchange operators only."""
    return isinstance(user, User) and user.is_active and user.role == Role.DATA_OPERATOR


@dataclass(frozen=True)
class RawField:
    name: str
    label: str
    value: str
    shown: str
    sensitivity: str
    required: bool


def raw_fields(kind: str, raw_text: str, *, reveal: bool) -> list[RawField]:
    """Return the row's fields in feed order, then any extra delivered columns."""
    raw = json.loads(raw_text)
    feed = FEEDS[kind]
    specs: list[FieldSpec | None] = list(feed.fields)
    names = [spec.name for spec in feed.fields]
    extra = [name for name in raw if name not in names]
    fields = []
    for spec, name in zip(
        [*specs, *[None] * len(extra)], [*names, *extra], strict=True
    ):
        value = _text(raw.get(name))
        fields.append(
            RawField(
                name=name,
                label=str(spec.label) if spec else name,
                value=value,
                shown=value if reveal else masked(spec, value),
                sensitivity=str(
                    SENSITIVITY_LABELS[
                        spec.sensitivity if spec else Sensitivity.SENSITIVE
                    ]
                ),
                required=bool(spec and spec.required),
            )
        )
    return fields


def masked(spec: FieldSpec | None, value: str) -> str:
    """Return `value` as a reader without a reason to see it whole may see it."""
    if not value or (spec is not None and spec.sensitivity in CLEAR):
        return value
    if spec is not None and spec.type == FieldType.RESIDENT_ID:
        return _mask_id(value)
    if spec is None or spec.sensitivity == Sensitivity.SENSITIVE:
        return "*" * min(len(value), 8)
    if spec.type in (FieldType.DATE, FieldType.MONTH):
        # The year alone rarely identifies anyone; month and day often help.
        return value[:4] + "".join("*" if ch.isdigit() else ch for ch in value[4:])
    return mask_name(value)


def _mask_id(value: str) -> str:
    # Held rows may carry an ID that fails its check, which the registry's
    # mask_resident_id does not accept; hide the birth date digits the same way.
    if len(value) == 18:
        return value[:6] + "*" * 8 + value[14:]
    return "*" * len(value)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def audit_row_view(
    user: User,
    row: QuarantinedRow | UnmatchedRecord,
    request: HttpRequest,
    *,
    reveal: bool,
) -> None:
    audit.record(
        actor=user,
        action=AuditAction.REVEAL if reveal else AuditAction.READ,
        object_type=f"exchange.{type(row).__name__.lower()}",
        object_id=row.pk,
        purpose=Purpose.DATA_QUALITY,
        request=request,
        detail={"batch": row.batch_id, "row": row.row_number, "revealed": reveal},
    )


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str
    birth_date: date
    community: str


def candidates(person_ids: Sequence[int]) -> dict[int, Candidate]:
    """Return the candidate persons with masked names and current community."""
    people = Person.objects.in_bulk(list(person_ids))
    communities = dict(
        Membership.objects.filter(
            person_id__in=people, end_date__isnull=True
        ).values_list("person_id", "household__region__name")
    )
    return {
        pk: Candidate(
            person_id=pk,
            name=mask_name(str(person.name)),
            birth_date=person.birth_date,
            community=communities.get(pk) or _("No current household"),
        )
        for pk, person in people.items()
    }


def discard(row: QuarantinedRow | UnmatchedRecord, reason: str, *, actor: User) -> None:
    """Close an open held row without storing it; the reason goes to the audit log."""
    if not can_operate(actor):
        raise DeliveryError(_("Only data exchange operators can discard rows."))
    reason = reason.strip()[:MAX_REASON_LENGTH]
    if not reason:
        raise DeliveryError(_("Say why the row is discarded."))
    with transaction.atomic():
        locked = type(row).objects.select_for_update().get(pk=row.pk)
        if locked.status != RowStatus.OPEN:
            raise DeliveryError(_("Only open rows can be discarded."))
        locked.status = RowStatus.DISCARDED
        locked.resolved_by = actor
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["status", "resolved_by", "resolved_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=f"exchange.{type(row).__name__.lower()}",
            object_id=row.pk,
            purpose=Purpose.DATA_QUALITY,
            detail={
                "batch": row.batch_id,
                "row": row.row_number,
                "status": RowStatus.DISCARDED.value,
                "reason": reason,
            },
        )
    row.refresh_from_db()
