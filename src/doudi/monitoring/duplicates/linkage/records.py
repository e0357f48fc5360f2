"""Turn raw person records into the columns the linkage model compares.

A raw record (`RAW_SCHEMA`) contains what a source provides. That is a name
in Chinese characters or in pinyin only, and a resident ID as typed: 18 or
legacy 15 characters, possibly with a wrong check character or a
placeholder. It also has a birth date, a sex and an address. `prepare`
derives, all vectorised in Polars:

- `name_han`: the name in characters, or null for a pinyin-only record;
- `name_pinyin`: toneless pinyin without spaces, surname first for a name in
  characters and in the given order for a pinyin-only one;
- `name_key`: the pinyin syllable groups sorted, so "ZHANG Xiaoming",
  "Xiaoming Zhang", 张晓明 and its homophone 张小明 share one key;
- `id_body`: the first 17 digits (a legacy ID gets "19" inserted), or null
  for a missing, malformed or placeholder ID;
- `id_check_ok`: whether the given check character is the ISO 7064 MOD 11-2
  one (a converted legacy ID is valid by construction);
- `id_body_swapped`: the body with the birth month and day exchanged;
- `birth`, `birth_swapped` (YYYYMMDD, month and day exchanged when the day is
  a possible month) and `birth_key` (year with month and day sorted);
- `address_norm`: the address without whitespace, with ASCII digits.

This module keeps resident IDs and names in plain text in memory only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Final

import polars as pl
from pypinyin import Style, lazy_pinyin

RAW_SCHEMA: Final = pl.Schema(
    {
        "unique_id": pl.Utf8(),
        "name": pl.Utf8(),
        "resident_id": pl.Utf8(),
        "birth_date": pl.Date(),
        "sex": pl.Utf8(),
        "address": pl.Utf8(),
    }
)

# ISO 7064 MOD 11-2 weights of the 17 body digits and the check characters
# indexed by the weighted sum modulo 11 (GB 11643-1999).
_WEIGHTS: Final = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARACTERS: Final = "10X98765432"
_ID_SEPARATORS: Final = r"[\s\-－‐‑]"
_FULL_WIDTH: Final = {chr(ord("０") + d): str(d) for d in range(10)} | {
    "Ｘ": "X",
    "ｘ": "X",
}
_HAN: Final = re.compile(r"[\u3400-\u9fff]")
_PINYIN_SEPARATORS: Final = re.compile(r"[\s,.'’·\-]+")
# Pinyin-only records spell ü as v, yu or u (吕: LV, LYU, LU); "v" is kept.
_UMLAUT_SPELLINGS: Final = (("ü", "v"), ("lyu", "lv"), ("nyu", "nv"))


def prepare(raw: pl.DataFrame) -> pl.DataFrame:
    """Return `raw` with the derived columns the model compares."""
    frame = raw.select(RAW_SCHEMA.names()).cast(RAW_SCHEMA)
    frame = _with_id_columns(frame)
    frame = frame.with_columns(_birth_columns(frame))
    frame = frame.with_columns(
        address_norm=_clean_text(pl.col("address")),
        sex=pl.col("sex").str.strip_chars().str.to_uppercase(),
    )
    return frame.drop("resident_id", "name", "address").hstack(
        _name_columns(frame["name"])
    )


def _clean_text(column: pl.Expr) -> pl.Expr:
    cleaned = column.str.replace_all(r"\s", "").str.replace_many(_FULL_WIDTH)
    return pl.when(cleaned.str.len_chars() > 0).then(cleaned)


def _with_id_columns(frame: pl.DataFrame) -> pl.DataFrame:
    # Each step is materialised before the next reads it: the body expression
    # is read 40 times, and Polars would otherwise evaluate it each time.
    text = (
        pl.col("resident_id")
        .str.replace_all(_ID_SEPARATORS, "")
        .str.replace_many(_FULL_WIDTH)
        .str.to_uppercase()
    )
    frame = frame.with_columns(_id_text=text)

    text = pl.col("_id_text")
    legacy = text.str.contains(r"^[0-9]{15}$")
    modern = text.str.contains(r"^[0-9]{17}[0-9X]$")
    body = (
        pl.when(legacy)
        .then(text.str.slice(0, 6) + "19" + text.str.slice(6, 9))
        .when(modern)
        .then(text.str.slice(0, 17))
    )
    frame = frame.with_columns(
        id_body=pl.when(~_is_placeholder(text)).then(body),
        _legacy=legacy,
        _given=pl.when(modern).then(text.str.slice(17, 1)),
    )

    stored = pl.col("id_body")
    frame = frame.with_columns(_computed=_check_character(stored))
    check_ok = stored.is_not_null() & (
        pl.col("_legacy") | (pl.col("_given") == pl.col("_computed"))
    )
    return frame.with_columns(
        id_check_ok=check_ok.fill_null(False),
        id_body_swapped=stored.str.slice(0, 10)
        + stored.str.slice(12, 2)
        + stored.str.slice(10, 2)
        + stored.str.slice(14, 3),
    ).drop("_id_text", "_legacy", "_given", "_computed")


def _check_character(body: pl.Expr) -> pl.Expr:
    total = pl.sum_horizontal(
        body.str.slice(i, 1).cast(pl.Int32, strict=False) * weight
        for i, weight in enumerate(_WEIGHTS)
    )
    index = (total % 11).cast(pl.Int32)
    return index.replace_strict(
        list(range(11)), list(_CHECK_CHARACTERS), return_dtype=pl.Utf8
    )


def _is_placeholder(text: pl.Expr) -> pl.Expr:
    """Digits that all repeat one step modulo 10 (111…, 123…, 987…).

    The first 15 characters are tested, which covers legacy IDs and the part
    of an 18-character ID before its sequence number.
    """
    digits = [text.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(15)]
    step = (digits[1] - digits[0]) % 10
    same_step = [(digits[i + 1] - digits[i]) % 10 == step for i in range(14)]
    return pl.all_horizontal(same_step).fill_null(False)


def _birth_columns(frame: pl.DataFrame) -> list[pl.Expr]:
    # A missing birth date is taken from the ID body when that is a real date.
    from_id = pl.col("id_body").str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    born = pl.coalesce(pl.col("birth_date"), from_id)
    year = born.dt.year().cast(pl.Utf8)
    month = born.dt.month().cast(pl.Utf8).str.zfill(2)
    day = born.dt.day().cast(pl.Utf8).str.zfill(2)
    low = pl.min_horizontal(month, day)
    high = pl.max_horizontal(month, day)
    return [
        born.dt.strftime("%Y%m%d").alias("birth"),
        pl.when(born.dt.day() <= 12).then(year + day + month).alias("birth_swapped"),
        (year + low + high).alias("birth_key"),
    ]


def _name_columns(names: pl.Series) -> pl.DataFrame:
    """Derive the name columns once per distinct name, then join them back."""
    distinct = names.drop_nulls().unique()
    derived = [_name_parts(name) for name in distinct.to_list()]
    lookup = pl.DataFrame(
        {
            "name": distinct,
            "name_han": [parts[0] for parts in derived],
            "name_pinyin": [parts[1] for parts in derived],
            "name_key": [parts[2] for parts in derived],
            "surname_pinyin": [parts[3] for parts in derived],
        },
        schema={
            "name": pl.Utf8(),
            "name_han": pl.Utf8(),
            "name_pinyin": pl.Utf8(),
            "name_key": pl.Utf8(),
            "surname_pinyin": pl.Utf8(),
        },
    )
    joined = names.to_frame("name").join(
        lookup, on="name", how="left", maintain_order="left"
    )
    return joined.drop("name")


def _name_parts(name: str) -> tuple[str | None, str | None, str | None, str | None]:
    text = "".join(name.split())
    if not text:
        return None, None, None, None
    if _HAN.search(text):
        surname = _syllables(text[0])
        given = "".join(_syllables(character) for character in text[1:])
        groups = [surname, given] if given else [surname]
        return text, "".join(groups), " ".join(sorted(groups)), surname
    groups = _pinyin_groups(name)
    if not groups:
        return None, None, None, None
    return None, "".join(groups), " ".join(sorted(groups)), None


def _pinyin_groups(name: str) -> list[str]:
    groups = [group.lower() for group in _PINYIN_SEPARATORS.split(name) if group]
    for spelling, replacement in _UMLAUT_SPELLINGS:
        groups = [group.replace(spelling, replacement) for group in groups]
    return groups


@cache
def _syllables(character: str) -> str:
    # NOTE: one reading per character (pypinyin's most common), so a surname
    # read differently as a surname (单 shan, not dan) mismatches its pinyin.
    return "".join(lazy_pinyin(character, style=Style.NORMAL, v_to_u=False))


def pinyin_name(name: str, *, given_first: bool = False) -> str:
    """Return the passport-style pinyin of a name in characters.

    "张晓明" becomes "ZHANG Xiaoming", or "Xiaoming ZHANG" with `given_first`.
    """
    surname = _syllables(name[0]).upper()
    given = "".join(_syllables(character) for character in name[1:]).capitalize()
    parts: Iterable[str] = (given, surname) if given_first else (surname, given)
    return " ".join(part for part in parts if part)
