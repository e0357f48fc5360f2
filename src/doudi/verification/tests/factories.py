"""Department facts, batches and authorisations for the verification tests.

Rows are created directly, as the exchange app would store them, so these
tests do not depend on ingestion.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from doudi.conftest import ALICE_ID, CAROL_ID
from doudi.exchange.kinds import FeedKind
from doudi.exchange.models import (
    Batch,
    BatchStatus,
    Channel,
    DataSource,
    DeliveryMode,
    ExchangeFact,
    FileFormat,
)
from doudi.privacy.models import User
from doudi.registry.choices import AssetKind, FactKind, FactSource
from doudi.registry.models import Household, HouseholdAsset, Person, PersonFact
from doudi.registry.services import resident_id_index
from doudi.verification import services
from doudi.verification.authorisations import NEEDED_KINDS

AS_OF = date(2025, 6, 30)
SIGNED = date(2025, 6, 1)
UNTIL = date(2026, 5, 31)
KIND_OF_CATEGORY = {
    "income": FeedKind.WAGES_TAX,
    "asset": FeedKind.FINANCIAL_ASSET,
    "spending": FeedKind.MEDICAL_CLAIM,
}
_checksums = itertools.count(1)


def person(resident_id: str) -> Person:
    return Person.objects.get(resident_id_index=resident_id_index(resident_id))


def alice() -> Person:
    return person(ALICE_ID)


def carol() -> Person:
    return person(CAROL_ID)


def source(code: str = "tax", department: str = "市税务局") -> DataSource:
    found, _ = DataSource.objects.get_or_create(
        code=code,
        defaults={"department": department, "delivery_mode": DeliveryMode.FILE},
    )
    return found


def batch(kind: str = FeedKind.WAGES_TAX, code: str = "tax") -> Batch:
    return Batch.objects.create(
        source=source(code),
        kind=kind,
        checksum=f"{next(_checksums):064x}",
        channel=Channel.INBOX,
        file_format=FileFormat.CSV,
        status=BatchStatus.STORED,
    )


def fact(
    who: Person,
    category: str,
    item: str,
    amount_fen: int,
    valid_from: date,
    *,
    valid_to: date | None = None,
    in_batch: Batch | None = None,
    superseded_by: Batch | None = None,
    quantity: Decimal | None = None,
) -> ExchangeFact:
    in_batch = in_batch or batch(KIND_OF_CATEGORY[category])
    return ExchangeFact.objects.create(
        batch=in_batch,
        row_number=ExchangeFact.objects.filter(batch=in_batch).count() + 1,
        person=who,
        kind=in_batch.kind,
        category=category,
        item=item,
        amount_fen=amount_fen,
        quantity=quantity,
        valid_from=valid_from,
        valid_to=valid_to,
        superseded_by=superseded_by,
    )


def declare_income(who: Person, item: str, amount_fen: int, since: date) -> None:
    PersonFact.objects.create(
        person=who,
        kind=FactKind.INCOME,
        code=item,
        amount_fen=amount_fen,
        valid_from=since,
        source=FactSource.DECLARED,
    )


def declare_asset(
    household: Household, kind: AssetKind, value_fen: int, since: date
) -> None:
    HouseholdAsset.objects.create(
        household=household,
        kind=kind,
        value_fen=value_fen,
        valid_from=since,
        source=FactSource.DECLARED,
    )


def authorise(
    actor: User,
    household: Household,
    *,
    members: list[Person] | None = None,
    kinds: Sequence[str] = NEEDED_KINDS,
    signed_on: date = SIGNED,
    valid_until: date = UNTIL,
):
    return services.record_authorisation(
        actor,
        household,
        signed_by=alice(),
        members=members if members is not None else [alice(), carol()],
        data_kinds=kinds,
        signed_on=signed_on,
        valid_until=valid_until,
    )
