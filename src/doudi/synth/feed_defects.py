"""Realistic defects in feed rows, each at a documented rate.

Every row gets at most one defect, drawn from its own random stream, so that
each defect has one predictable outcome when the feed is ingested
(``OUTCOMES``). Rates are shares of a kind's rows. A defect that a row or
kind cannot have (a legacy ID for someone born after 1999, a negative amount
in a kind without amounts) leaves that row clean.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import polars as pl

from doudi.registry.resident_id import Sex, generate
from doudi.synth import names
from doudi.synth.feed_rows import OUTSIDE_REGION_CODES

DEFECT: Final = "_defect"
# Label of the second copy of a row with the ``duplicate`` defect.
DUPLICATE_COPY: Final = "duplicate_copy"
NOT_AUTHORISED: Final = "not_authorised"

# Share of a kind's rows with each defect.
DEFECT_RATES: Final = {
    "name_typo": 0.010,
    "legacy_id": 0.010,
    "wrong_check_digit": 0.004,
    "missing_id": 0.002,
    "not_in_registry": 0.004,
    "duplicate": 0.005,
    "missing_value": 0.004,
    "negative_amount": 0.003,
    "future_date": 0.003,
    "unknown_region": 0.003,
}
# Rows of kinds that need an authorisation, sent for people without one, as a
# share of the kind's authorised rows, and at least this many per kind.
NOT_AUTHORISED_SHARE: Final = 0.05
NOT_AUTHORISED_MIN: Final = 2

# Destination of each row after ingestion: stored, counted as a duplicate, in
# the unmatched queue or in quarantine, with the reason.
OUTCOMES: Final = {
    None: "stored",
    "name_typo": "stored",
    "legacy_id": "stored",
    "duplicate": "stored",
    DUPLICATE_COPY: "duplicate",
    "wrong_check_digit": "unmatched:invalid_id",
    "missing_id": "unmatched:missing_id",
    "not_in_registry": "unmatched:not_found",
    "missing_value": "quarantined:missing_value",
    "negative_amount": "quarantined:negative_amount",
    "future_date": "quarantined:future_date",
    "unknown_region": "quarantined:unknown_region",
    NOT_AUTHORISED: "quarantined:not_authorised",
}
# No region of Shanghai has this code (310188 would be a district).
UNKNOWN_REGION_CODE: Final = "310188"
# A future date lies this many days after the as-of date.
FUTURE_DAYS: Final = (400, 800)
CHECK_CHARACTERS: Final = "0123456789X"
IDENTITY_FIELDS: Final = ("resident_id", "name", "birth_date")


@dataclass(frozen=True)
class FieldTypes:
    """The field names of one kind that the defects need, by role."""

    required: tuple[str, ...]
    amounts: tuple[str, ...]
    dates: tuple[str, ...]
    monitoring: bool

    def applies(self, defect: str) -> bool:
        if defect == "not_in_registry":
            return self.monitoring
        if defect == "negative_amount":
            return bool(self.amounts)
        if defect == "future_date":
            return bool(self.dates)
        return True


def draw_defects(
    frame: pl.DataFrame, types: FieldTypes, rng: np.random.Generator
) -> pl.Series:
    """Return each row's defect label, or null for a clean row."""
    applicable = [name for name in DEFECT_RATES if types.applies(name)]
    edges = np.cumsum([DEFECT_RATES[name] for name in applicable])
    index = np.searchsorted(edges, rng.random(frame.height), side="right")
    table = pl.Series([*applicable, None], dtype=pl.Utf8)
    labels = table.gather(index)
    year = frame["birth_date"].dt.year()
    legacy_ok = year.is_between(1900, 1999).fill_null(False)
    positive = pl.Series([False] * frame.height, dtype=pl.Boolean)
    for field in types.amounts:
        positive = positive | (frame[field] > 0).fill_null(False)
    blocked = ((labels == "legacy_id") & ~legacy_ok) | (
        (labels == "negative_amount") & ~positive
    )
    return labels.zip_with(~blocked.fill_null(False), pl.Series([None], dtype=pl.Utf8))


def apply_defects(
    frame: pl.DataFrame,
    types: FieldTypes,
    rng: np.random.Generator,
    as_of: date,
    registry_ids: pl.Series,
) -> pl.DataFrame:
    """Draw and apply the defects, and return the rows with ``DEFECT`` and copies.

    ``registry_ids`` are the resident IDs of the registry, which IDs of people
    not in the registry must avoid.
    """
    frame = frame.with_columns(draw_defects(frame, types, rng).alias(DEFECT))
    frame = _typos(frame, rng)
    frame = _identity_defects(frame, rng, registry_ids)
    frame = _missing_values(frame, types, rng)
    frame = _negative_amounts(frame, types)
    frame = _future_dates(frame, types, rng, as_of)
    frame = frame.with_columns(
        pl.when(pl.col(DEFECT) == "unknown_region")
        .then(pl.lit(UNKNOWN_REGION_CODE))
        .otherwise(pl.col("region_code"))
        .alias("region_code")
    )
    frame = frame.with_row_index("_row")
    copies = frame.filter(pl.col(DEFECT) == "duplicate").with_columns(
        pl.lit(DUPLICATE_COPY).alias(DEFECT)
    )
    # Each copy follows its row, as a department's export repeats a line.
    return pl.concat([frame, copies]).sort("_row", maintain_order=True).drop("_row")


def _is(defect: str) -> pl.Expr:
    return (pl.col(DEFECT) == defect).fill_null(False)


def _typos(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Replace the last character of the name with another common one."""
    pool = pl.Series([*names.MALE_CHARACTERS, *names.FEMALE_CHARACTERS], dtype=pl.Utf8)
    index = rng.integers(0, pool.len(), frame.height)
    first = pool.gather(index)
    second = pool.gather((index + 1) % pool.len())
    name = pl.col("name")
    last = name.str.slice(-1)
    replacement = pl.when(last == first).then(second).otherwise(first)
    typo = name.str.slice(0, name.str.len_chars() - 1) + replacement
    return frame.with_columns(
        pl.when(_is("name_typo")).then(typo).otherwise(name).alias("name")
    )


def _identity_defects(
    frame: pl.DataFrame, rng: np.random.Generator, registry_ids: pl.Series
) -> pl.DataFrame:
    resident_id = pl.col("resident_id")
    shift = pl.Series(rng.integers(1, len(CHECK_CHARACTERS), frame.height))
    position = resident_id.str.slice(17, 1).replace_strict(
        list(CHECK_CHARACTERS), list(range(len(CHECK_CHARACTERS))), default=0
    )
    wrong = resident_id.str.slice(0, 17) + ((position + shift) % 11).replace_strict(
        list(range(len(CHECK_CHARACTERS))), list(CHECK_CHARACTERS)
    )
    legacy = resident_id.str.slice(0, 6) + resident_id.str.slice(8, 9)
    frame = frame.with_columns(
        pl.when(_is("wrong_check_digit"))
        .then(wrong)
        .when(_is("legacy_id"))
        .then(legacy)
        .when(_is("missing_id"))
        .then(pl.lit(None, dtype=pl.Utf8))
        .otherwise(resident_id)
        .alias("resident_id")
    )
    return _outsiders(frame, rng, registry_ids)


def _outsiders(
    frame: pl.DataFrame, rng: np.random.Generator, registry_ids: pl.Series
) -> pl.DataFrame:
    """Give ``not_in_registry`` rows a new person: a valid ID no person here has."""
    rows = np.flatnonzero(frame[DEFECT].eq("not_in_registry").fill_null(False))
    if rows.size == 0:
        return frame
    python_rng = random.Random(int(rng.integers(0, 2**63)))
    taken = set(registry_ids.to_list())
    births = frame["birth_date"].gather(rows).to_list()
    ids = [_new_id(python_rng, born, taken) for born in births]
    others = frame["name"].gather(rng.integers(0, frame.height, rows.size))
    return frame.with_columns(
        frame["resident_id"].scatter(rows, ids),
        frame["name"].scatter(rows, others),
    )


def _new_id(rng: random.Random, born: date, taken: set[str]) -> str:
    while True:
        region = OUTSIDE_REGION_CODES[int(rng.random() * len(OUTSIDE_REGION_CODES))]
        sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
        candidate = generate(rng, region_code=region, born=born, sex=sex)
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _choose_field(
    frame: pl.DataFrame,
    defect: str,
    fields: Sequence[str],
    rng: np.random.Generator,
) -> list[pl.Expr]:
    """Return one mask per field: the ``defect`` rows where that field was drawn."""
    drawn = pl.Series(rng.integers(0, max(len(fields), 1), frame.height))
    return [_is(defect) & (drawn == i) for i in range(len(fields))]


def _missing_values(
    frame: pl.DataFrame, types: FieldTypes, rng: np.random.Generator
) -> pl.DataFrame:
    fields = [name for name in types.required if name != "resident_id"]
    masks = _choose_field(frame, "missing_value", fields, rng)
    return frame.with_columns(
        pl.when(mask).then(None).otherwise(pl.col(field)).alias(field)
        for field, mask in zip(fields, masks, strict=True)
    )


def _negative_amounts(frame: pl.DataFrame, types: FieldTypes) -> pl.DataFrame:
    """Negate the first positive amount of each ``negative_amount`` row."""
    earlier = pl.lit(False)
    columns = []
    for field in types.amounts:
        positive = (pl.col(field) > 0).fill_null(False)
        chosen = _is("negative_amount") & positive & ~earlier
        columns.append(
            pl.when(chosen).then(-pl.col(field)).otherwise(pl.col(field)).alias(field)
        )
        earlier = earlier | positive
    return frame.with_columns(columns) if columns else frame


def _future_dates(
    frame: pl.DataFrame, types: FieldTypes, rng: np.random.Generator, as_of: date
) -> pl.DataFrame:
    low, high = FUTURE_DAYS
    days = rng.integers(low, high, frame.height)
    future = pl.Series(
        (np.datetime64(as_of, "D") + days.astype("timedelta64[D]")).astype(
            "datetime64[D]"
        )
    ).cast(pl.Date)
    masks = _choose_field(frame, "future_date", types.dates, rng)
    return frame.with_columns(
        pl.when(mask).then(future).otherwise(pl.col(field)).alias(field)
        for field, mask in zip(types.dates, masks, strict=True)
    )


def not_authorised_count(authorised_rows: int, others: int) -> int:
    """Return how many rows of people without authorisation a kind carries."""
    wanted = max(NOT_AUTHORISED_MIN, round(authorised_rows * NOT_AUTHORISED_SHARE))
    return min(wanted, others)
