"""Preparing records: ID forms, placeholders, birth keys and pinyin, as properties."""

from __future__ import annotations

import random
from datetime import date

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from doudi.monitoring.duplicates.linkage.records import RAW_SCHEMA, prepare
from doudi.registry import resident_id

births = st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31))
seeds = st.integers(min_value=0, max_value=2**32)


def _prepared(*numbers: str | None, born: date | None = None) -> pl.DataFrame:
    rows = [
        {"unique_id": str(i), "name": "张晓明", "resident_id": n, "birth_date": born}
        for i, n in enumerate(numbers)
    ]
    return prepare(pl.DataFrame(rows, schema=RAW_SCHEMA))


def _valid_id(seed: int, born: date) -> str:
    return resident_id.generate(
        random.Random(seed), region_code="310101", born=born, sex=resident_id.Sex.MALE
    )


@settings(max_examples=50, deadline=None)
@given(seed=seeds, born=births)
def test_legacy_and_modern_forms_share_body(seed, born):
    number = _valid_id(seed, born)
    frame = _prepared(number, resident_id.to_legacy15(number))
    assert frame["id_body"][0] == frame["id_body"][1] == number[:17]
    assert frame["id_check_ok"].to_list() == [True, True]


@settings(max_examples=50, deadline=None)
@given(seed=seeds, born=births, wrong=st.sampled_from("0123456789X"))
def test_wrong_check_character_is_flagged(seed, born, wrong):
    number = _valid_id(seed, born)
    frame = _prepared(number[:17] + wrong)
    assert frame["id_body"][0] == number[:17]
    assert frame["id_check_ok"][0] == (wrong == number[17])


@settings(max_examples=50, deadline=None)
@given(seed=seeds, born=births)
def test_birth_key_ignores_day_month_order(seed, born):
    frame = _prepared(None, born=born)
    if born.day <= 12:
        swapped = prepare(
            pl.DataFrame(
                [
                    {
                        "unique_id": "s",
                        "birth_date": born.replace(month=born.day, day=born.month),
                    }
                ],
                schema=RAW_SCHEMA,
            )
        )
        assert swapped["birth_key"][0] == frame["birth_key"][0]
        assert swapped["birth"][0] == frame["birth_swapped"][0]


def test_placeholders_have_no_body():
    frame = _prepared("111111111111111111", "123456789012345678", "111111111111111", "")
    assert frame["id_body"].to_list() == [None, None, None, None]
    assert frame["id_check_ok"].to_list() == [False, False, False, False]


def test_id_separators_and_full_width_digits_are_cleaned():
    frame = _prepared("310101-19800101-001８")
    assert frame["id_body"][0] == "31010119800101001"
    assert frame["id_check_ok"][0]


def test_birth_date_taken_from_id_when_missing():
    assert _prepared("310101198003050013")["birth"][0] == "19800305"


def test_homophones_and_pinyin_share_name_key():
    names = ["张晓明", "张小明", "ZHANG Xiaoming", "Xiaoming Zhang", "zhang xiao-ming"]
    rows = [{"unique_id": str(i), "name": n} for i, n in enumerate(names)]
    frame = prepare(pl.DataFrame(rows, schema=RAW_SCHEMA))
    assert frame["name_key"].to_list()[:4] == ["xiaoming zhang"] * 4
    assert frame["name_han"].to_list()[2:] == [None, None, None]
    assert frame["surname_pinyin"].to_list()[:2] == ["zhang", "zhang"]
