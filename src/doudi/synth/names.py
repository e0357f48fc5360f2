"""Synthetic Chinese names: a common surname and one or two given-name characters.

The surname list contains about a hundred common surnames in rough order of
frequency, and each gets a weight that falls with its rank. The weights are an
ESTIMATE of that order, not a published frequency table. Given names are drawn
character by character from pools of everyday characters, so that no
generated name is chosen to match a real person. Combinations that are well
known as names of famous people are replaced.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl

from doudi.synth.arrays import BoolArray, FloatArray

SURNAMES: Final = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
    "袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟"
    "熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)

MALE_CHARACTERS: Final = tuple(
    "伟强军磊勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳晨峰建国志"
    "文博瑞昊然泽轩睿晓东海亮成新春"
)
FEMALE_CHARACTERS: Final = tuple(
    "芳娜敏静丽艳娟霞燕玲婷雪琳萍红梅莉倩颖洁慧琴云欣怡佳悦晶瑶婉雯萱诗涵梓"
    "淑秀英兰凤珍丹蓉薇"
)
NEUTRAL_CHARACTERS: Final = tuple("晓思子雨一嘉家安宏德玉春秋心天小立永")

# Well-known names of historical or public figures that random draws could
# produce; they are replaced by appending a character. This list is not
# exhaustive, so a generated name can still match some real person's name.
FAMOUS_NAMES: Final = frozenset(
    {
        "毛泽东",
        "刘德华",
        "李小龙",
        "王菲",
        "姚明",
        "刘翔",
        "孙杨",
        "李宁",
        "黄渤",
        "杨洋",
        "张杰",
        "李晨",
        "周杰",
        "成龙",
        "李白",
    }
)

# Share of given names with two characters.
TWO_CHARACTER_SHARE: Final = 0.75


def surname_weights() -> FloatArray:
    """Return a falling weight per surname rank (a Zipf-like ESTIMATE)."""
    ranks = np.arange(1, len(SURNAMES) + 1, dtype=np.float64)
    weights: FloatArray = 1.0 / ranks**0.9
    normalised: FloatArray = weights / weights.sum()
    return normalised


def draw_surnames(rng: np.random.Generator, count: int) -> pl.Series:
    """Draw ``count`` surnames by weight."""
    index = rng.choice(len(SURNAMES), size=count, p=surname_weights())
    return pl.Series("surname", SURNAMES).gather(index)


def draw_given_names(rng: np.random.Generator, male: BoolArray) -> pl.Series:
    """Draw one- or two-character given names matching each person's sex."""
    first = _draw_characters(rng, male)
    second = _draw_characters(rng, male)
    two = pl.Series(rng.random(male.size) < TWO_CHARACTER_SHARE)
    return (
        pl.DataFrame({"first": first, "second": second, "two": two})
        .select(
            pl.when(pl.col("two"))
            .then(pl.col("first") + pl.col("second"))
            .otherwise(pl.col("second"))
            .alias("given")
        )
        .to_series()
    )


def build_names(surnames: pl.Series, given_names: pl.Series) -> pl.Series:
    """Join surnames and given names and replace famous combinations."""
    names = surnames + given_names
    famous = names.is_in(list(FAMOUS_NAMES))
    return (
        pl.DataFrame({"name": names, "famous": famous})
        .select(
            pl.when(pl.col("famous"))
            .then(pl.col("name") + pl.lit("琪"))
            .otherwise(pl.col("name"))
            .alias("name")
        )
        .to_series()
    )


def _draw_characters(rng: np.random.Generator, male: BoolArray) -> pl.Series:
    # ESTIMATE: 20 % of characters come from the neutral pool.
    neutral = rng.random(male.size) < 0.2
    pools = (MALE_CHARACTERS, FEMALE_CHARACTERS, NEUTRAL_CHARACTERS)
    choice = np.where(neutral, 2, np.where(male, 0, 1))
    offsets = np.cumsum([0] + [len(pool) for pool in pools])[:-1]
    sizes = np.array([len(pool) for pool in pools])
    index = offsets[choice] + np.floor(rng.random(male.size) * sizes[choice]).astype(
        np.int64
    )
    table = pl.Series("character", [c for pool in pools for c in pool])
    return table.gather(index)
