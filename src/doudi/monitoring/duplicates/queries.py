"""What the review pages show: pairs in the reader's region, masked by default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doudi.monitoring.duplicates.models import DuplicatePair, PairStatus
from doudi.monitoring.duplicates.review import visible_pairs
from doudi.privacy import audit
from doudi.privacy.access import can_reveal_full_id
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.masking import mask_name, mask_resident_id
from doudi.privacy.models import User
from doudi.registry.models import Region

OBJECT_TYPE: Final = "duplicates.pair"
PAGE_SIZE: Final = 25

# The linkage model's comparison and level names, as pages show them.
LABELS: Final[dict[str, Promise]] = {
    "resident_id": gettext_lazy("Resident ID"),
    "name": gettext_lazy("Name"),
    "birth_date": gettext_lazy("Birth date"),
    "sex": gettext_lazy("Sex"),
    "address": gettext_lazy("Address"),
    "missing": gettext_lazy("missing on one side"),
    "same ID": gettext_lazy("same ID"),
    "same ID, wrong check character": gettext_lazy("same ID, wrong check character"),
    "same ID with birth month and day swapped": gettext_lazy(
        "same ID with birth month and day swapped"
    ),
    "different valid IDs": gettext_lazy("different valid IDs"),
    "ID differs in one digit, check character wrong": gettext_lazy(
        "ID differs in one digit, check character wrong"
    ),
    "different IDs": gettext_lazy("different IDs"),
    "same name": gettext_lazy("same name"),
    "same name in pinyin (homophone or pinyin-only record)": gettext_lazy(
        "same name in pinyin (homophone or pinyin-only record)"
    ),
    "name differs in one character": gettext_lazy("name differs in one character"),
    "similar pinyin": gettext_lazy("similar pinyin"),
    "different name": gettext_lazy("different name"),
    "same birth date": gettext_lazy("same birth date"),
    "birth month and day swapped": gettext_lazy("birth month and day swapped"),
    "birth date differs in one digit": gettext_lazy("birth date differs in one digit"),
    "different birth date": gettext_lazy("different birth date"),
    "same sex": gettext_lazy("same sex"),
    "different sex": gettext_lazy("different sex"),
    "same address": gettext_lazy("same address"),
    "similar address": gettext_lazy("similar address"),
    "different address": gettext_lazy("different address"),
}


@dataclass(frozen=True)
class Side:
    name: str
    resident_id: str
    birth_date: date | None
    place: str
    assistance: str


@dataclass(frozen=True)
class Reason:
    comparison: str
    level: str
    weight: float


@dataclass(frozen=True)
class PairView:
    pair: DuplicatePair
    left: Side
    right: Side
    reasons: list[Reason]
    revealed: bool


def deny(user: User, request: HttpRequest | None, object_id: object = "") -> None:
    """Audit a denied read or decision, then raise PermissionDenied."""
    audit.record(
        actor=user,
        action=AuditAction.DENIED,
        object_type=OBJECT_TYPE,
        object_id=object_id,
        purpose=Purpose.MONITORING,
        request=request,
    )
    if object_id:
        raise PermissionDenied(
            _("Your role or region does not give access to this pair.")
        )
    raise PermissionDenied(
        _("Your role does not review duplicates: district approvers do.")
    )


def pair_page(
    user: User, status: str, number: str | None, request: HttpRequest
) -> Page[DuplicatePair]:
    """Return one page of the user's pairs with a status, strongest first (audited)."""
    pairs = visible_pairs(user).filter(status=status).order_by("-match_weight", "pk")
    page = Paginator(pairs, PAGE_SIZE).get_page(number)
    audit.record(
        actor=user,
        action=AuditAction.READ,
        object_type=OBJECT_TYPE,
        purpose=Purpose.MONITORING,
        request=request,
        record_count=len(page.object_list),
        detail={"status": status, "page": page.number},
    )
    return page


def open_pair(
    user: User, pk: int, request: HttpRequest, *, reveal: bool = False
) -> PairView:
    """Return the pair for its page (audited); 403 outside the user's region."""
    pair = visible_pairs(user).filter(pk=pk).first()
    if pair is None:
        deny(user, request, pk)
    assert pair is not None
    revealed = reveal and can_reveal_full_id(user)
    if reveal and not revealed:
        deny(user, request, pk)
    audit.record(
        actor=user,
        action=AuditAction.REVEAL if revealed else AuditAction.READ,
        object_type=OBJECT_TYPE,
        object_id=pk,
        purpose=Purpose.MONITORING,
        request=request,
    )
    return PairView(
        pair=pair,
        left=_person_side(pair, "left", revealed),
        right=_right_side(pair, revealed),
        reasons=_reasons(pair),
        revealed=revealed,
    )


def _reasons(pair: DuplicatePair) -> list[Reason]:
    return [
        Reason(
            comparison=str(LABELS.get(item["comparison"], item["comparison"])),
            level=str(LABELS.get(item["level"], item["level"])),
            weight=round(float(item["weight"]), 1),
        )
        for item in pair.reasons
    ]


def _person_side(pair: DuplicatePair, side: str, revealed: bool) -> Side:
    person = getattr(pair, f"{side}_person")
    award = getattr(pair, f"{side}_award")
    region = Region.objects.filter(path=getattr(pair, f"{side}_region_path")).first()
    return Side(
        name=person.name if revealed else mask_name(person.name),
        resident_id=person.resident_id
        if revealed
        else mask_resident_id(person.resident_id),
        birth_date=person.birth_date,
        place=region.name if region else "",
        assistance=award.get_scheme_display() if award else "",
    )


def _right_side(pair: DuplicatePair, revealed: bool) -> Side:
    row = pair.imported_row
    if row is None:
        return _person_side(pair, "right", revealed)
    number = row.resident_id or ""
    return Side(
        name=row.name if revealed else mask_name(row.name),
        resident_id=number if revealed else mask_resident_id(number),
        birth_date=row.birth_date,
        place=row.imported_list.source_city,
        assistance=row.scheme,
    )


def status_choice(value: str | None) -> str:
    return value if value in PairStatus.values else PairStatus.PENDING
