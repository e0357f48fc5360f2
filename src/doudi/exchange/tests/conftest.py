"""Fixtures for the exchange tests: sources, feed rows and files."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import polars as pl
import pytest

from doudi.conftest import ALICE_ID, BOB_ID, CAROL_ID, make_user
from doudi.exchange.kinds import FeedKind
from doudi.exchange.models import DataSource, DeliveryMode
from doudi.privacy.choices import Role
from doudi.privacy.models import User
from doudi.registry.models import Household, Person, Region
from doudi.verification.models import Authorisation

TODAY = date(2026, 6, 15)


@pytest.fixture
def source(db: None) -> DataSource:
    return DataSource.objects.create(
        code="medical",
        department="Medical insurance bureau",
        kinds=list(FeedKind.values),
        delivery_mode=DeliveryMode.FILE,
    )


@pytest.fixture
def operator(regions: dict[str, Region]) -> User:
    return make_user("operator", Role.DATA_OPERATOR, regions["city"])


@pytest.fixture
def persons(household: Household, far_household: Household) -> dict[str, Person]:
    by_id = {}
    for person in Person.objects.all():
        by_id[person.resident_id] = person
    return {"alice": by_id[ALICE_ID], "carol": by_id[CAROL_ID], "bob": by_id[BOB_ID]}


@pytest.fixture
def authorise(
    users: dict[str, User],
) -> Callable[[Person, Sequence[str]], Authorisation]:
    def make(person: Person, kinds: Sequence[str]) -> Authorisation:
        household = person.memberships.get(end_date__isnull=True).household
        authorisation = Authorisation.objects.create(
            household=household,
            signed_by=person,
            data_kinds=list(kinds),
            signed_on=date(2026, 1, 1),
            valid_until=date(2026, 12, 31),
            recorded_by=users["city"],
        )
        authorisation.members.add(person)
        return authorisation

    return make


def claim(resident_id: str | None = ALICE_ID, **values: Any) -> dict[str, Any]:
    """A valid medical claim row of Alice, with `values` overriding fields."""
    row: dict[str, Any] = {
        "resident_id": resident_id,
        "name": "王测试",
        "birth_date": "1980-01-01",
        "settled_on": "2026-05-02",
        "total_cost": "1200.50",
        "out_of_pocket": "300.25",
        "region_code": "310101",
    }
    row.update(values)
    return row


def csv_bytes(rows: Sequence[dict[str, Any]], encoding: str = "utf-8") -> bytes:
    text = pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String)).write_csv()
    return text.encode(encoding)


def file_bytes(rows: Sequence[dict[str, Any]], file_format: str) -> bytes:
    frame = pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String))
    buffer = io.BytesIO()
    if file_format == "csv":
        return frame.write_csv().encode()
    if file_format == "jsonl":
        frame.write_ndjson(buffer)
    elif file_format == "parquet":
        frame.write_parquet(buffer)
    else:
        frame.write_excel(buffer)
    return buffer.getvalue()
