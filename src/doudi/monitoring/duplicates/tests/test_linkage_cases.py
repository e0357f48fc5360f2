"""The linker on the hard cases: each variant of a record must link, twins not."""

from __future__ import annotations

import random
from datetime import date

import polars as pl
import pytest

from doudi.monitoring.duplicates.linkage.records import RAW_SCHEMA, prepare
from doudi.monitoring.duplicates.linkage.splink_duckdb import SplinkDuckDBLinker
from doudi.registry import resident_id

# Synthetic IDs with valid check characters; 1980-03-05 lets day and month swap.
BASE_ID = "310101198003050013"
TWIN_ID = "31010119800305003X"
BASE = {
    "unique_id": "a",
    "name": "张晓明",
    "resident_id": BASE_ID,
    "birth_date": date(1980, 3, 5),
    "sex": "M",
    "address": "上海市黄浦区南京东路街道测试路100弄1号101室",
}
# Unrelated persons, so the linker scores a realistic table and not two rows.
CROWD = [
    {
        "unique_id": f"z{number}",
        "name": name,
        "resident_id": resident_id.generate(
            random.Random(number),
            region_code="310104",
            born=date(1950 + number, 1 + number % 12, 1 + number % 28),
            sex=resident_id.Sex.MALE if number % 2 else resident_id.Sex.FEMALE,
        ),
        "birth_date": date(1950 + number, 1 + number % 12, 1 + number % 28),
        "sex": "M" if number % 2 else "F",
        "address": f"上海市徐汇区测试路{number}号",
    }
    for number, name in enumerate(["李芳", "王伟", "陈静", "刘洋", "赵敏", "张晓明"])
]

VARIANTS = {
    "name typo": ({"name": "张晓朋"}, "name differs in one character"),
    "homophone": (
        {"name": "张小明"},
        "same name in pinyin (homophone or pinyin-only record)",
    ),
    "pinyin only": (
        {"name": "ZHANG Xiaoming"},
        "same name in pinyin (homophone or pinyin-only record)",
    ),
    "pinyin given first": (
        {"name": "Xiaoming Zhang"},
        "same name in pinyin (homophone or pinyin-only record)",
    ),
    "wrong check digit": (
        {"resident_id": BASE_ID[:17] + "5"},
        "same ID, wrong check character",
    ),
    "legacy 15 digits": ({"resident_id": resident_id.to_legacy15(BASE_ID)}, "same ID"),
    "id typo": (
        {"resident_id": BASE_ID[:3] + "2" + BASE_ID[4:]},
        "ID differs in one digit, check character wrong",
    ),
    "placeholder id": ({"resident_id": "111111111111111111"}, "missing"),
    "moved address": ({"address": "北京市东城区另一路8号"}, "same ID"),
}


def _link(*rows: dict[str, object]) -> pl.DataFrame:
    records = pl.DataFrame([*rows, *CROWD], schema=RAW_SCHEMA)
    return SplinkDuckDBLinker().predict(prepare(records))


def _reason(pairs: pl.DataFrame, comparison: str) -> str:
    reasons = pairs.filter(unique_id_l="a", unique_id_r="b")["reasons"][0]
    return str(next(r["level"] for r in reasons if r["comparison"] == comparison))


@pytest.mark.parametrize("case", VARIANTS, ids=list(VARIANTS))
def test_variant_links(case: str) -> None:
    change, expected_level = VARIANTS[case]
    pairs = _link(BASE, {**BASE, **change, "unique_id": "b"})
    assert pairs.filter(unique_id_l="a", unique_id_r="b").height == 1
    comparison = "name" if "name" in change else "resident_id"
    assert _reason(pairs, comparison) == expected_level


def test_swapped_day_and_month_links() -> None:
    swapped_id = BASE_ID[:10] + "05" + "03" + BASE_ID[14:]
    variant = {
        **BASE,
        "unique_id": "b",
        "birth_date": date(1980, 5, 3),
        "resident_id": swapped_id,
    }
    pairs = _link(BASE, variant)
    assert pairs.filter(unique_id_l="a", unique_id_r="b").height == 1
    assert _reason(pairs, "birth_date") == "birth month and day swapped"
    assert _reason(pairs, "resident_id") == "same ID with birth month and day swapped"


def test_twins_do_not_link() -> None:
    twin = {**BASE, "unique_id": "b", "name": "张晓亮", "resident_id": TWIN_ID}
    pairs = _link(BASE, twin)
    assert pairs.filter(unique_id_l="a", unique_id_r="b").is_empty()


def test_namesakes_do_not_link() -> None:
    namesake = {
        **BASE,
        "unique_id": "b",
        "resident_id": TWIN_ID,
        "address": "别处路1号",
    }
    assert _link(BASE, namesake).filter(unique_id_r="b").is_empty()


def test_shared_id_with_other_person_does_not_link() -> None:
    # An ID copied onto another person's record is strong but not decisive.
    other = {
        **BASE,
        "unique_id": "b",
        "name": "李红",
        "sex": "F",
        "birth_date": date(1962, 8, 20),
    }
    assert _link(BASE, other).filter(unique_id_r="b").is_empty()


def test_reasons_cover_every_comparison() -> None:
    pairs = _link(BASE, {**BASE, "unique_id": "b"})
    reasons = pairs["reasons"][0]
    assert [r["comparison"] for r in reasons] == [
        "resident_id",
        "name",
        "birth_date",
        "sex",
        "address",
    ]
    assert sum(r["weight"] for r in reasons) - 23 == pytest.approx(
        pairs["match_weight"][0]
    )


def test_rerun_gives_identical_scores() -> None:
    rows = (BASE, {**BASE, "unique_id": "b", "name": "张小明"})
    assert _link(*rows).equals(_link(*rows))
