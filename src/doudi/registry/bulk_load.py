"""Load a synthetic city into the registry through bulk paths.

PostgreSQL takes rows through COPY and SQLite through `executemany`, both
inside one transaction, so a crash leaves nothing half-loaded. Values are
encrypted and blind-indexed here, in the loader, exactly as the services do
for single records.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from doudi.privacy import audit
from doudi.privacy.choices import AuditAction
from doudi.privacy.crypto import FieldKeyring
from doudi.privacy.keys import keyring
from doudi.registry.choices import FactKind, FactSource
from doudi.registry.models import (
    Household,
    HouseholdAsset,
    Membership,
    Person,
    PersonFact,
    Region,
    SynthRun,
)
from doudi.synth import SynthCity

logger = logging.getLogger(__name__)
CHUNK = 20_000


@dataclass(frozen=True)
class LoadResult:
    households: int
    persons: int
    facts: int
    skipped: bool


def load_city(
    city: SynthCity, *, progress: Callable[[str, int], None] | None = None
) -> LoadResult:
    """Load `city`; loading the same seed and size again does nothing."""
    households = city.households.height
    if SynthRun.objects.filter(seed=city.seed, households=households).exists():
        return LoadResult(0, 0, 0, skipped=True)
    report = progress or (lambda stage, count: None)
    with transaction.atomic():
        region_ids = load_regions(city.regions)
        report("regions", len(region_ids))
        hh_base = _next_id(Household)
        person_base = _next_id(Person)
        digest = hashlib.sha256()
        _load_households(city.households, hh_base, region_ids, digest)
        report("households", households)
        _load_persons(city.persons, person_base, digest)
        report("persons", city.persons.height)
        _load_memberships(city.persons, hh_base, person_base)
        facts = _load_facts(city, person_base)
        _load_assets(city.assets, hh_base, city.as_of)
        reset_sequences()
        report("facts", facts)
        SynthRun.objects.create(seed=city.seed, households=households, as_of=city.as_of)
        audit.record_batch(
            action=AuditAction.CREATE,
            object_type="registry.synthetic_city",
            record_count=households + city.persons.height,
            checksum=digest.hexdigest(),
            detail={"seed": city.seed, "households": households},
        )
    logger.info("loaded synthetic city seed=%s households=%s", city.seed, households)
    return LoadResult(households, city.persons.height, facts, skipped=False)


def _next_id(model: type[Model]) -> int:
    return int(model.objects.aggregate(top=Max("pk"))["top"] or 0)


def load_regions(regions: pl.DataFrame) -> dict[str, int]:
    """Insert the regions that are missing (by code); return code → id."""
    existing = dict(Region.objects.values_list("code", "pk"))
    paths = dict(Region.objects.values_list("code", "path"))
    for level in ("city", "district", "street", "community"):
        rows = regions.filter(pl.col("level") == level).iter_rows(named=True)
        new = [
            _region(row, existing, paths) for row in rows if row["code"] not in existing
        ]
        Region.objects.bulk_create(new, batch_size=2000)
        for region in new:
            existing[region.code] = region.pk
    return existing


def _region(row: dict[str, Any], ids: dict[str, int], paths: dict[str, str]) -> Region:
    parent = row["parent_code"]
    path = f"{paths[parent] if parent else ''}{row['code']}/"
    paths[row["code"]] = path
    return Region(
        code=row["code"],
        name=row["name"],
        level=row["level"],
        parent_id=ids[parent] if parent else None,
        path=path,
        urban=True if row["urban"] is None else bool(row["urban"]),
    )


def _context(model: type[Model], field: str) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}.{field}"


def _load_households(
    frame: pl.DataFrame, base: int, region_ids: dict[str, int], digest: Any
) -> None:
    ring, now = keyring(), timezone.now()
    context = _context(Household, "address")

    def rows() -> Iterator[tuple[Any, ...]]:
        for key, code, address, single, lost in frame.select(
            "hh_key", "community_code", "address", "single_parent", "lost_only_child"
        ).iter_rows():
            digest.update(f"h{key}|{code}".encode())
            yield (
                base + key,
                region_ids[code],
                ring.encrypt(address, context=context),
                single,
                lost,
                now,
                now,
            )

    columns = [
        "id",
        "region_id",
        "address",
        "single_parent",
        "lost_only_child",
        "created_at",
        "updated_at",
    ]
    _insert(Household._meta.db_table, columns, rows())


def _load_persons(frame: pl.DataFrame, base: int, digest: Any) -> None:
    ring, now = keyring(), timezone.now()
    contexts = {
        name: _context(Person, name) for name in ("name", "resident_id", "phone")
    }
    selected = frame.select(
        "person_key",
        "name",
        "sex",
        "birth_date",
        "resident_id",
        "phone",
        "hukou_type",
        "hukou_nature",
        "hukou_region_code",
        "residence_status",
    )

    def rows() -> Iterator[tuple[Any, ...]]:
        for (
            key,
            name,
            sex,
            born,
            rid,
            phone,
            h_type,
            h_nature,
            h_code,
            status,
        ) in selected.iter_rows():
            digest.update(f"p{key}".encode())
            yield (
                base + key,
                ring.encrypt(name, context=contexts["name"]),
                ring.blind_index(name, domain="person.name"),
                sex,
                born,
                ring.encrypt(rid, context=contexts["resident_id"]),
                ring.blind_index(rid, domain="person.resident_id"),
                ring.encrypt(phone, context=contexts["phone"]) if phone else None,
                ring.blind_index(phone, domain="person.phone") if phone else "",
                h_type,
                h_nature,
                h_code,
                status,
                now,
                now,
            )

    columns = [
        "id",
        "name",
        "name_index",
        "sex",
        "birth_date",
        "resident_id",
        "resident_id_index",
        "phone",
        "phone_index",
        "hukou_type",
        "hukou_nature",
        "hukou_region_code",
        "residence_status",
        "created_at",
        "updated_at",
    ]
    _insert(Person._meta.db_table, columns, rows())


def _load_memberships(frame: pl.DataFrame, hh_base: int, person_base: int) -> None:
    selected = frame.select("hh_key", "person_key", "relationship", "member_since")
    rows = (
        (hh_base + hh, person_base + person, relationship, since, None)
        for hh, person, relationship, since in selected.iter_rows()
    )
    columns = ["household_id", "person_id", "relationship", "start_date", "end_date"]
    _insert(Membership._meta.db_table, columns, rows)


def _load_facts(city: SynthCity, person_base: int) -> int:
    ring, now = keyring(), timezone.now()
    context = _context(PersonFact, "reference")
    facts = city.facts.select(
        "person_key",
        "kind",
        "code",
        "grade",
        "reference",
        "valid_from",
        "valid_to",
        "detail",
    )
    income_start = date(city.as_of.year, 1, 1)
    columns = [
        "person_id",
        "kind",
        "code",
        "grade",
        "amount_fen",
        "reference",
        "detail",
        "valid_from",
        "valid_to",
        "source",
        "recorded_at",
    ]
    fact_rows = (
        (
            person_base + key,
            kind,
            code or "",
            grade,
            None,
            _maybe_encrypt(ring, ref, context),
            detail or "{}",
            start,
            end,
            FactSource.SYNTHETIC,
            now,
        )
        for key, kind, code, grade, ref, start, end, detail in facts.iter_rows()
    )
    income_rows = (
        (
            person_base + key,
            FactKind.INCOME,
            kind,
            None,
            fen,
            None,
            "{}",
            income_start,
            None,
            FactSource.SYNTHETIC,
            now,
        )
        for key, kind, fen in city.incomes.select(
            "person_key", "kind", "monthly_declared_fen"
        ).iter_rows()
    )
    _insert(PersonFact._meta.db_table, columns, _chain(fact_rows, income_rows))
    return facts.height + city.incomes.height


def _maybe_encrypt(ring: FieldKeyring, value: str | None, context: str) -> str | None:
    return ring.encrypt(value, context=context) if value else None


def _chain(*iterables: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for iterable in iterables:
        yield from iterable


def _load_assets(frame: pl.DataFrame, hh_base: int, as_of: date) -> None:
    now = timezone.now()
    start = date(as_of.year, 1, 1)
    rows = (
        (hh_base + hh, kind, count, fen, start, None, FactSource.SYNTHETIC, now)
        for hh, kind, count, fen in frame.select(
            "hh_key", "kind", "count", "value_declared_fen"
        ).iter_rows()
    )
    columns = [
        "household_id",
        "kind",
        "count",
        "value_fen",
        "valid_from",
        "valid_to",
        "source",
        "recorded_at",
    ]
    _insert(HouseholdAsset._meta.db_table, columns, rows)


def _insert(
    table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    if connection.vendor == "postgresql":
        _copy_postgres(table, columns, rows)
    else:
        _executemany(table, columns, rows)


def _executemany(
    table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(columns))
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({placeholders})"
    )
    with connection.cursor() as cursor:
        for batch in _batched(rows, CHUNK):
            cursor.executemany(sql, [_sqlite_row(row) for row in batch])


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        value.isoformat(sep=" ")
        if isinstance(value, datetime)
        else value.isoformat()
        if isinstance(value, date)
        else value
        for value in row
    )


def _copy_postgres(
    table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def _batched(
    rows: Iterable[tuple[Any, ...]], size: int
) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def reset_sequences() -> None:
    """Move PostgreSQL id sequences past the explicit ids the loader wrote."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    models = [Region, Household, Person, Membership, PersonFact, HouseholdAsset]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
