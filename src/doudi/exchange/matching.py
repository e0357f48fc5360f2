"""Find the persons of feed rows through the resident-ID blind index.

Each distinct ID of a batch is hashed once. Rows without a usable ID, or
whose ID matches no person, get candidate persons with the same name index and
birth date, for an operator to confirm.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date

import polars as pl
from django.db import connection

from doudi.privacy.crypto import BLIND_INDEX_HEX_LENGTH
from doudi.privacy.keys import blind_index_key
from doudi.registry.models import Person

RESIDENT_ID_DOMAIN = "person.resident_id"
NAME_DOMAIN = "person.name"
# A batch reads the whole resident-ID index in one query when it has more
# than FULL_SCAN_AT distinct IDs and they are at least 1 / FULL_SCAN_SHARE
# of the persons. Otherwise it requests only its own IDs.
FULL_SCAN_AT = 20_000
FULL_SCAN_SHARE = 8
CHUNK = 2_000
SHA256_BLOCK_BYTES = 64


def blind_indexes(values: pl.Series, domain: str) -> pl.Series:
    """Hash each distinct non-null value once; return the hashes in order."""
    distinct = values.drop_nulls().unique()
    hasher = domain_hasher(domain)
    hashes = pl.DataFrame(
        {"value": distinct, "hash": [hasher(value) for value in distinct.to_list()]},
        schema={"value": pl.String, "hash": pl.String},
    )
    looked_up = values.to_frame("value").join(
        hashes, on="value", how="left", maintain_order="left"
    )
    return looked_up["hash"]


def domain_hasher(domain: str) -> Callable[[str], str]:
    """Return a function equal to FieldKeyring.blind_index for one domain.

    It computes the same HMAC-SHA256 (RFC 2104) from two SHA-256 states
    that have already read the padded key. The inner state has also read
    the domain and its NUL separator, so each value costs two state copies.
    ASCII text skips NFKC normalisation, which leaves it unchanged.
    """
    key = blind_index_key()
    if len(key) > SHA256_BLOCK_BYTES:
        key = hashlib.sha256(key).digest()
    block = key.ljust(SHA256_BLOCK_BYTES, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in block))
    inner.update(domain.encode("utf-8") + b"\0")
    outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in block))

    def blind_index(value: str) -> str:
        if value.isascii():
            text = value.strip()
        else:
            text = unicodedata.normalize("NFKC", value).strip()
        message = inner.copy()
        message.update(text.encode("utf-8"))
        mac = outer.copy()
        mac.update(message.digest())
        return mac.hexdigest()[:BLIND_INDEX_HEX_LENGTH]

    return blind_index


def person_ids(indexes: pl.Series) -> pl.DataFrame:
    """Return (resident_id_index, person_id) for the indexes that exist."""
    wanted = indexes.drop_nulls().unique()
    if wanted.len() > FULL_SCAN_AT and wanted.len() * FULL_SCAN_SHARE >= _persons():
        everyone = _all_person_indexes()
        return everyone.join(
            wanted.to_frame("resident_id_index"), on="resident_id_index", how="semi"
        )
    values = wanted.to_list()
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Person._meta.db_table)
        sql = f"SELECT resident_id_index, id FROM {table} "  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql + "WHERE resident_id_index = ANY(%s)", [values])
            return _index_frame(cursor.fetchall())
    rows: list[tuple[str, int]] = []
    for offset in range(0, len(values), CHUNK):
        chunk = values[offset : offset + CHUNK]
        rows += Person.objects.filter(resident_id_index__in=chunk).values_list(
            "resident_id_index", "id"
        )
    return _index_frame(rows)


def _persons() -> int:
    """Return the highest person id, an upper estimate of the persons stored."""
    return Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _all_person_indexes() -> pl.DataFrame:
    table = connection.ops.quote_name(Person._meta.db_table)
    sql = f"SELECT resident_id_index, id FROM {table}"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            with cursor.cursor.copy(
                f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
            ) as copy:
                for data in copy:
                    buffer.write(data)
            return pl.read_csv(
                buffer.getvalue(),
                has_header=False,
                new_columns=["resident_id_index", "person_id"],
                schema_overrides={
                    "resident_id_index": pl.String,
                    "person_id": pl.Int64,
                },
            )
        cursor.execute(sql)
        return _index_frame(cursor.fetchall())


def _index_frame(rows: Sequence[tuple[str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"resident_id_index": pl.String, "person_id": pl.Int64},
        orient="row",
    )


def candidates(names: pl.Series, births: pl.Series) -> list[list[int]]:
    """Return, per row, the ids of persons with that name and birth date."""
    name_indexes = blind_indexes(names.str.strip_chars(), NAME_DOMAIN)
    rows = pl.DataFrame({"name_index": name_indexes, "birth_date": births})
    requested = rows.drop_nulls().unique()
    found = _persons_named(
        requested.get_column("name_index").unique().to_list(),
        requested.get_column("birth_date").unique().to_list(),
    )
    people = (
        found.join(requested, on=["name_index", "birth_date"], how="semi")
        .group_by("name_index", "birth_date")
        .agg(pl.col("person_id").sort())
    )
    matched = rows.join(
        people, on=["name_index", "birth_date"], how="left", maintain_order="left"
    )
    return [ids or [] for ids in matched.get_column("person_id").to_list()]


def _persons_named(name_indexes: list[str], births: list[date]) -> pl.DataFrame:
    """Return name_index, birth_date and person_id of persons with the names.

    On SQLite, filtering by name only lets the query read the (name_index,
    birth_date) index without the table. The caller keeps the exact pairs.
    """
    table = connection.ops.quote_name(Person._meta.db_table)
    sql = f"SELECT name_index, birth_date, id FROM {table} WHERE "  # noqa: S608
    rows: list[tuple[str, object, int]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL searches the index by both lists at once.
            cursor.execute(
                sql + "name_index = ANY(%s) AND birth_date = ANY(%s)",
                [name_indexes, births],
            )
            rows = cursor.fetchall()
        else:
            for offset in range(0, len(name_indexes), CHUNK):
                chunk = name_indexes[offset : offset + CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(sql + f"name_index IN ({marks})", chunk)
                rows += cursor.fetchall()
    return pl.DataFrame(
        rows,
        schema={"name_index": pl.String, "birth_date": pl.Date, "person_id": pl.Int64},
        orient="row",
    )


def any_in(candidate_lists: Iterable[list[int]], allowed: set[int]) -> list[bool]:
    return [any(person in allowed for person in people) for people in candidate_lists]
