"""Resident IDs of a whole column, canonicalised with Polars expressions.

`canonical_ids` applies the rules of doudi.registry.resident_id.normalize
to a column at once: the same clean-up, legacy 15-digit IDs converted to 18
characters, province code, birth date, placeholder and ISO 7064 MOD 11-2
check character. A test compares the two on random input.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from doudi.registry.resident_id import EARLIEST_BIRTH_DATE, PROVINCE_CODES

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
CHECK_CHARACTERS = "10X98765432"
# Full-width digits and X become ASCII; hyphens and spaces are removed.
_FROM = [chr(ord("０") + d) for d in range(10)] + ["Ｘ", "ｘ", "x"]
_TO = [str(d) for d in range(10)] + ["X", "X", "X"]
_REMOVE = r"[\s\-－\u2010\u2011]"


def canonical_ids(values: pl.Series, today: date) -> pl.DataFrame:
    """Return columns `canonical` (18 characters or null) and `problem`.

    `problem` is null for a valid ID, "missing_id" for a missing one and
    "invalid_id" for any other failure. Each step is its own column, so
    Polars computes the shared parts once.
    """
    text = pl.col("text")
    body = pl.col("body")
    long_form = text.str.contains(r"^[0-9]{17}[0-9X]$")
    legacy = text.str.contains(r"^[0-9]{15}$")
    return (
        values.to_frame("value")
        .lazy()
        .with_columns(
            pl.col("value")
            .str.replace_all(_REMOVE, "")
            .str.replace_many(_FROM, _TO)
            .alias("text")
        )
        .with_columns(
            long_form.alias("long_form"),
            legacy.alias("legacy"),
            pl.when(long_form)
            .then(text.str.slice(0, 17))
            .when(legacy)
            .then(
                pl.concat_str(text.str.slice(0, 6), pl.lit("19"), text.str.slice(6, 9))
            )
            .alias("body"),
        )
        .with_columns(
            *(_digit(body, i).alias(f"d{i}") for i in range(17)),
            pl.when(pl.col("legacy")).then(text).otherwise(body).alias("run"),
        )
        .with_columns(
            _check_character().alias("expected"),
            _is_placeholder().alias("placeholder"),
        )
        .with_columns(
            (
                body.is_not_null()
                & body.str.slice(0, 2).is_in(sorted(PROVINCE_CODES))
                & body.str.slice(6, 8)
                .str.to_date("%Y%m%d", strict=False)
                .is_between(EARLIEST_BIRTH_DATE, today)
                & (
                    pl.when(pl.col("long_form"))
                    .then(text.str.slice(17, 1))
                    .otherwise(pl.col("expected"))
                    == pl.col("expected")
                )
                & ~pl.col("placeholder")
            )
            .fill_null(False)
            .alias("valid")
        )
        .select(
            pl.when(pl.col("valid"))
            .then(pl.concat_str(body, pl.col("expected")))
            .alias("canonical"),
            pl.when(pl.col("value").is_null() | (text == ""))
            .then(pl.lit("missing_id"))
            .when(~pl.col("valid"))
            .then(pl.lit("invalid_id"))
            .alias("problem"),
        )
        .collect()
    )


def _check_character() -> pl.Expr:
    weighted = [pl.col(f"d{i}") * weight for i, weight in enumerate(WEIGHTS)]
    index = pl.sum_horizontal(weighted) % 11
    return index.replace_strict(
        list(range(11)), list(CHECK_CHARACTERS), return_dtype=pl.String
    )


def _is_placeholder() -> pl.Expr:
    """Return whether the first 15 or 17 digits step by one constant (mod 10).

    This matches normalize(): a legacy ID is checked in its 15-digit form,
    which is in column `run`; d0..d16 are the digits of the 18-digit body.
    """
    run = pl.col("run")
    digits = [_digit(run, i) for i in range(17)]
    first_step = digits[1] - digits[0]
    steps = [
        ((digits[i + 1] - digits[i] - first_step) % 10 == 0)
        | (run.str.len_chars() <= i + 1)
        for i in range(1, 16)
    ]
    return pl.all_horizontal(steps)


def _digit(digits: pl.Expr, position: int) -> pl.Expr:
    return digits.str.slice(position, 1).cast(pl.Int64, strict=False)
