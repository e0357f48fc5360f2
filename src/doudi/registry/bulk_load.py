"""Load a synthetic city into the registry through bulk paths.

PostgreSQL takes rows through COPY and SQLite through `executemany`, both
inside one transaction, so a crash leaves nothing half-loaded. Values are
encrypted and blind-indexed here, in the loader, exactly as the services do
for single records.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from doudi.core.bulk import insert_frame
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction
from doudi.privacy.crypto import FieldKeyring
from doudi.privacy.keys import keyring
from doudi.registry import bulk_indexes
from doudi.registry.bulk_protect import ColumnJob, Operation, protect_all
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
SLICE = 200_000
BULK_MODELS = (Household, Person, Membership, PersonFact, HouseholdAsset)


@dataclass(frozen=True)
class LoadResult:
    households: int
    persons: int
    facts: int
    skipped: bool


def load_city(
    city: SynthCity, *, progress: Callable[[str, int], None] | None = None
) -> LoadResult:
    """Load `city`; loading the same seed and size again does nothing.

    When the load at least doubles the registry, secondary indexes and
    constraints are dropped first and rebuilt at the end (see
    `bulk_indexes`). A small load into a large registry keeps them, because
    updating them row by row is then cheaper than a rebuild.
    """
    households = city.households.height
    if SynthRun.objects.filter(seed=city.seed, households=households).exists():
        return LoadResult(0, 0, 0, skipped=True)
    report = progress or (lambda stage, count: None)
    tables = [model._meta.db_table for model in BULK_MODELS]
    rebuild = Household.objects.count() <= households
    with _bulk_session(), transaction.atomic():
        region_ids = load_regions(city.regions)
        report("regions", len(region_ids))
        bases = (_next_id(Household), _next_id(Person))
        digest = hashlib.sha256()
        with bulk_indexes.rebuilt_after(tables) if rebuild else nullcontext():
            facts = _load_rows(city, bases, region_ids, digest, report)
        _check_foreign_keys(tables)
        report("indexes rebuilt" if rebuild else "indexes kept", len(tables))
        reset_sequences()
        SynthRun.objects.create(seed=city.seed, households=households, as_of=city.as_of)
        audit.record_batch(
            action=AuditAction.CREATE,
            object_type="registry.synthetic_city",
            record_count=households + city.persons.height,
            checksum=digest.hexdigest(),
            detail={"seed": city.seed, "households": households},
        )
    bulk_indexes.refresh_statistics(tables)
    logger.info("loaded synthetic city seed=%s households=%s", city.seed, households)
    return LoadResult(households, city.persons.height, facts, skipped=False)


def _load_rows(
    city: SynthCity,
    bases: tuple[int, int],
    region_ids: dict[str, int],
    digest: Any,
    report: Callable[[str, int], None],
) -> int:
    hh_base, person_base = bases
    _load_households(city.households, hh_base, region_ids, digest)
    report("households", city.households.height)
    _load_persons(city.persons, person_base, digest)
    report("persons", city.persons.height)
    _load_memberships(city.persons, hh_base, person_base)
    facts = _load_facts(city, person_base)
    _load_assets(city.assets, hh_base, city.as_of)
    report("facts", facts)
    return facts


def _slices(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """Cut a frame into parts, so encrypted copies of one part at a time exist."""
    for offset in range(0, frame.height, SLICE):
        yield frame.slice(offset, SLICE)


@contextmanager
def _bulk_session() -> Iterator[None]:
    """Prepare a SQLite connection for a bulk load and restore it afterwards.

    The page cache grows to 512 MiB because the random blind-index keys make
    index inserts touch pages all over the file. Foreign keys are switched
    off for the load (SQLite allows that only outside a transaction) and
    checked as a whole by `_check_foreign_keys` before the commit.
    """
    if connection.vendor != "sqlite":
        yield
        return
    outermost = not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -524288")  # KiB
        if outermost:
            cursor.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default
            if outermost:
                cursor.execute("PRAGMA foreign_keys = ON")


def _check_foreign_keys(tables: Sequence[str]) -> None:
    """Raise if a loaded row points at a missing row (SQLite only).

    PostgreSQL checks its foreign keys itself, when they are re-added after
    the load or per row.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"PRAGMA foreign_key_check({connection.ops.quote_name(table)})"
            )
            broken = cursor.fetchall()
            if broken:
                raise IntegrityError(
                    f"bulk load left {len(broken)} rows of {table} pointing at "
                    f"missing rows (first: rowid {broken[0][1]} → {broken[0][2]})"
                )


def _next_id(model: type[Model]) -> int:
    top = model._default_manager.aggregate(top=Max("pk"))["top"]
    return int(top or 0)


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


def _now() -> str:
    """Return the load time as ISO text, which both databases accept."""
    return timezone.now().isoformat(sep=" ")


def _dates_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Turn date columns into ISO text once, instead of per value in Python."""
    return frame.with_columns(
        pl.col(name).dt.to_string("%Y-%m-%d")
        for name, dtype in frame.schema.items()
        if dtype == pl.Date
    )


def _context(model: type[Model], field: str) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}.{field}"


def _encrypt(ring: FieldKeyring, values: pl.Series, context: str) -> pl.Series:
    return pl.Series(
        [None if v is None else ring.encrypt(v, context=context) for v in values],
        dtype=pl.Utf8,
    )


def _load_households(
    frame: pl.DataFrame, base: int, region_ids: dict[str, int], digest: Any
) -> None:
    now = _now()
    codes = pl.DataFrame(
        {"community_code": list(region_ids), "region_id": list(region_ids.values())},
        schema={"community_code": pl.Utf8, "region_id": pl.Int64},
    )
    jobs = [
        ColumnJob(
            "address",
            "address_token",
            Operation.ENCRYPT,
            _context(Household, "address"),
        )
    ]
    parts = protect_all(keyring(), _slices(frame), jobs)
    for part in parts:
        digest.update(part.select("hh_key", "community_code").write_csv().encode())
        rows = part.join(codes, on="community_code", how="left").select(
            (pl.col("hh_key") + base).alias("id"),
            "region_id",
            pl.col("address_token").alias("address"),
            "single_parent",
            "lost_only_child",
            pl.lit(now).alias("created_at"),
            pl.lit(now).alias("updated_at"),
        )
        insert_frame(Household._meta.db_table, rows)


PERSON_JOBS = [
    ColumnJob("name", "name_token", Operation.ENCRYPT, _context(Person, "name")),
    ColumnJob("name", "name_index", Operation.INDEX, "person.name"),
    ColumnJob(
        "resident_id",
        "resident_id_token",
        Operation.ENCRYPT,
        _context(Person, "resident_id"),
    ),
    ColumnJob(
        "resident_id", "resident_id_index", Operation.INDEX, "person.resident_id"
    ),
    ColumnJob("phone", "phone_token", Operation.ENCRYPT, _context(Person, "phone")),
    ColumnJob("phone", "phone_index", Operation.INDEX, "person.phone"),
]


def _load_persons(frame: pl.DataFrame, base: int, digest: Any) -> None:
    now = _now()
    parts = protect_all(keyring(), _slices(frame), PERSON_JOBS)
    for part in parts:
        digest.update(part.select("person_key", "resident_id").write_csv().encode())
        rows = _dates_as_text(part).select(
            (pl.col("person_key") + base).alias("id"),
            pl.col("name_token").alias("name"),
            "name_index",
            "sex",
            "birth_date",
            pl.col("resident_id_token").alias("resident_id"),
            "resident_id_index",
            pl.col("phone_token").alias("phone"),
            "phone_index",
            "hukou_type",
            "hukou_nature",
            "hukou_region_code",
            "residence_status",
            pl.lit(now).alias("created_at"),
            pl.lit(now).alias("updated_at"),
        )
        insert_frame(Person._meta.db_table, rows)


def _load_memberships(frame: pl.DataFrame, hh_base: int, person_base: int) -> None:
    rows = _dates_as_text(frame).select(
        (pl.col("hh_key") + hh_base).alias("household_id"),
        (pl.col("person_key") + person_base).alias("person_id"),
        "relationship",
        pl.col("member_since").alias("start_date"),
        pl.lit(None, dtype=pl.Utf8).alias("end_date"),
    )
    insert_frame(Membership._meta.db_table, rows)


def _load_facts(city: SynthCity, person_base: int) -> int:
    ring, now = keyring(), _now()
    facts = _dates_as_text(city.facts)
    fact_rows = facts.select(
        (pl.col("person_key") + person_base).alias("person_id"),
        "kind",
        pl.col("code").fill_null(""),
        pl.col("grade").cast(pl.Int64),
        pl.lit(None, dtype=pl.Int64).alias("amount_fen"),
        _encrypt(ring, facts["reference"], _context(PersonFact, "reference")).alias(
            "reference"
        ),
        pl.col("detail").fill_null("{}"),
        "valid_from",
        pl.col("valid_to").cast(pl.Utf8),
        pl.lit(FactSource.SYNTHETIC.value).alias("source"),
        pl.lit(now).alias("recorded_at"),
    )
    income_rows = city.incomes.select(
        (pl.col("person_key") + person_base).alias("person_id"),
        pl.lit(FactKind.INCOME.value).alias("kind"),
        pl.col("kind").alias("code"),
        pl.lit(None, dtype=pl.Int64).alias("grade"),
        pl.col("monthly_declared_fen").cast(pl.Int64).alias("amount_fen"),
        pl.lit(None, dtype=pl.Utf8).alias("reference"),
        pl.lit("{}").alias("detail"),
        pl.lit(date(city.as_of.year, 1, 1).isoformat()).alias("valid_from"),
        pl.lit(None, dtype=pl.Utf8).alias("valid_to"),
        pl.lit(FactSource.SYNTHETIC.value).alias("source"),
        pl.lit(now).alias("recorded_at"),
    )
    for part in _slices(fact_rows):
        insert_frame(PersonFact._meta.db_table, part)
    insert_frame(PersonFact._meta.db_table, income_rows)
    return fact_rows.height + income_rows.height


def _load_assets(frame: pl.DataFrame, hh_base: int, as_of: date) -> None:
    rows = frame.select(
        (pl.col("hh_key") + hh_base).alias("household_id"),
        "kind",
        "count",
        pl.col("value_declared_fen").alias("value_fen"),
        pl.lit(date(as_of.year, 1, 1).isoformat()).alias("valid_from"),
        pl.lit(None, dtype=pl.Utf8).alias("valid_to"),
        pl.lit(FactSource.SYNTHETIC.value).alias("source"),
        pl.lit(_now()).alias("recorded_at"),
    )
    insert_frame(HouseholdAsset._meta.db_table, rows)


def reset_sequences() -> None:
    """Move PostgreSQL id sequences past the explicit ids the loader wrote."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    models = [Region, Household, Person, Membership, PersonFact, HouseholdAsset]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
