"""Derived money and identifiers of feed rows: tax, housing fund, names, numbers.

All rates and amounts here are ESTIMATES in the shape of Shanghai's rules,
simplified to one month. They are not the rules' exact results.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl

from doudi.synth.arrays import BoolArray, DateArray, IntArray
from doudi.synth.feed_context import FEN_PER_YUAN

# Individual income tax on wages, monthly: the yearly brackets of the
# Individual Income Tax Law divided by 12, as (upper bound of the taxable
# amount in yuan, rate in percent, quick deduction in yuan).
TAX_BRACKETS: Final = (
    (3_000, 3, 0),
    (12_000, 10, 210),
    (25_000, 20, 1_410),
    (35_000, 25, 2_660),
    (55_000, 30, 4_410),
    (80_000, 35, 7_160),
    (None, 45, 15_160),
)
TAX_FREE_YUAN: Final = 5_000
# ESTIMATE: contribution base limits in yuan a month and the employee's share
# of social insurance (pension 8 %, medical 2 %, unemployment 0.5 %).
BASE_MIN_YUAN: Final = 2_690
BASE_MAX_YUAN: Final = 36_921
SOCIAL_INSURANCE_RATE: Final = 0.105
# Housing fund: the employee and the employer each pay 7 % of the base.
HOUSING_FUND_RATE: Final = 0.07
# ESTIMATE: price of housing per square metre in yuan, urban and rural.
PRICE_PER_M2_YUAN: Final = (60_000.0, 25_000.0)

BANKS: Final = (
    "中国工商银行",
    "中国建设银行",
    "中国农业银行",
    "中国银行",
    "交通银行",
    "上海银行",
    "招商银行",
    "上海浦东发展银行",
    "中国邮政储蓄银行",
    "上海农村商业银行",
)
INSTITUTIONS: Final = {
    "deposits": BANKS,
    "securities": ("国泰君安证券", "海通证券", "东方证券", "申万宏源证券", "华泰证券"),
    "insurance": ("中国人寿", "中国平安", "太平洋保险", "新华保险", "泰康人寿"),
    "internet_finance": ("支付宝（余额宝）", "微信（零钱通）", "京东金融"),
}
EMPLOYER_CHARACTERS: Final = tuple("华东新联众恒泰宏达金信安顺嘉和永盛鼎天瑞丰润诚海")
INDUSTRIES: Final = (
    "科技",
    "贸易",
    "实业",
    "物流",
    "餐饮管理",
    "建筑工程",
    "医疗器械",
    "信息技术",
    "物业管理",
    "电子",
)
PLATE_LETTERS: Final = "ABCDEFGHJKLMN"
PLATE_CHARACTERS: Final = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _base_fen(gross_fen: IntArray) -> IntArray:
    low, high = BASE_MIN_YUAN * FEN_PER_YUAN, BASE_MAX_YUAN * FEN_PER_YUAN
    base: IntArray = np.clip(gross_fen, low, high)
    return base


def income_tax_fen(gross_fen: IntArray) -> IntArray:
    """Return this month's withheld tax on wages, in fen."""
    deductions = np.round(
        _base_fen(gross_fen) * (SOCIAL_INSURANCE_RATE + HOUSING_FUND_RATE)
    ).astype(np.int64)
    taxable = np.maximum(gross_fen - deductions - TAX_FREE_YUAN * FEN_PER_YUAN, 0)
    tax = np.zeros(gross_fen.size, dtype=np.int64)
    lower = 0
    for upper, percent, quick in TAX_BRACKETS:
        top = np.iinfo(np.int64).max if upper is None else upper * FEN_PER_YUAN
        band = (taxable > lower) & (taxable <= top)
        tax = np.where(band, taxable * percent // 100 - quick * FEN_PER_YUAN, tax)
        lower = top
    result: IntArray = np.maximum(tax, 0).astype(np.int64)
    return result


def housing_fund(
    rng: np.random.Generator, gross_fen: IntArray
) -> tuple[IntArray, IntArray]:
    """Return (monthly contribution, balance) in fen for each wage.

    ESTIMATE: the balance contains 6 to 120 months of contributions, of which
    30 to 100 % remain after withdrawals.
    """
    contribution = 2 * np.round(_base_fen(gross_fen) * HOUSING_FUND_RATE)
    months = rng.integers(6, 121, gross_fen.size)
    kept = 0.3 + 0.7 * rng.random(gross_fen.size)
    balance = np.round(contribution * months * kept)
    return contribution.astype(np.int64), balance.astype(np.int64)


def _pick(rng: np.random.Generator, values: tuple[str, ...], count: int) -> pl.Series:
    return pl.Series(list(values), dtype=pl.Utf8).gather(
        rng.integers(0, len(values), count)
    )


def employer_names(rng: np.random.Generator, count: int) -> pl.Series:
    """Draw invented company names such as 上海恒泰科技有限公司."""
    frame = pl.DataFrame(
        {
            "first": _pick(rng, EMPLOYER_CHARACTERS, count),
            "second": _pick(rng, EMPLOYER_CHARACTERS, count),
            "industry": _pick(rng, INDUSTRIES, count),
            "suffix": _pick(rng, ("有限公司", "股份有限公司"), count),
        }
    )
    return frame.select(
        pl.concat_str(pl.lit("上海"), "first", "second", "industry", "suffix")
    ).to_series()


def institutions(rng: np.random.Generator, kind: str, count: int) -> pl.Series:
    """Draw the bank, firm, insurer or platform that keeps each account."""
    return _pick(rng, INSTITUTIONS[kind], count).alias("institution")


def plate_numbers(rng: np.random.Generator, count: int) -> pl.Series:
    """Draw Shanghai plate numbers such as 沪A1B234."""
    letters = np.array(list(PLATE_LETTERS))[rng.integers(0, len(PLATE_LETTERS), count)]
    tail = np.array(list(PLATE_CHARACTERS))[
        rng.integers(0, len(PLATE_CHARACTERS), (count, 5))
    ]
    return pl.Series(
        [
            "沪" + letter + "".join(rest)
            for letter, rest in zip(letters, tail, strict=True)
        ],
        dtype=pl.Utf8,
    )


def property_certificates(rng: np.random.Generator, registered: DateArray) -> pl.Series:
    """Draw certificate numbers such as 沪(2019)不动产权第0123456号."""
    years = registered.astype("datetime64[Y]").astype(np.int64) + 1970
    numbers = rng.integers(0, 10_000_000, registered.size)
    return pl.Series(
        [
            f"沪({year})不动产权第{number:07d}号"
            for year, number in zip(years, numbers, strict=True)
        ],
        dtype=pl.Utf8,
    )


def floor_area_hundredths(
    rng: np.random.Generator, value_fen: IntArray, urban: BoolArray
) -> IntArray:
    """Derive floor areas, in hundredths of a square metre, from home values."""
    urban_price, rural_price = PRICE_PER_M2_YUAN
    price = np.where(urban, urban_price, rural_price)
    price = price * np.exp(rng.normal(0.0, 0.25, value_fen.size))
    area = np.clip(value_fen / FEN_PER_YUAN / price, 15.0, 400.0)
    hundredths: IntArray = np.round(area * 100).astype(np.int64)
    return hundredths
