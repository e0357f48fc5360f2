"""What every feed builder reads: the city's people, the month and its dates."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import polars as pl

from doudi.synth.arrays import DateArray, IntArray
from doudi.synth.city import SynthCity

# Column that carries the person key of a feed row until the file is written.
PERSON: Final = "_person"
FEN_PER_YUAN: Final = 100


@dataclass(frozen=True)
class FeedContext:
    """A city and the month its feeds cover.

    Feeds describe the days from ``start`` to ``end``: the first day of the
    month up to its last day or the city's as-of date, whichever is earlier,
    because no department reports days that have not happened yet.
    """

    city: SynthCity
    start: date
    end: date
    people: pl.DataFrame

    @property
    def as_of(self) -> date:
        return self.city.as_of

    def facts(self, kind: str) -> pl.DataFrame:
        return self.city.facts.filter(pl.col("kind") == kind)

    def incomes(self, kind: str) -> pl.DataFrame:
        return self.city.incomes.filter(pl.col("kind") == kind)

    def assets(self, kind: str) -> pl.DataFrame:
        return self.city.assets.filter(pl.col("kind") == kind)

    def heads(self) -> pl.DataFrame:
        """Return hh_key and the head's person key as ``PERSON``."""
        return self.people.filter(pl.col("relationship") == "head").select(
            "hh_key", pl.col("person_key").alias(PERSON)
        )

    def days_in_window(self, rng: np.random.Generator, count: int) -> DateArray:
        """Draw ``count`` days uniformly from ``start`` to ``end``."""
        span = (self.end - self.start).days + 1
        offsets = np.floor(rng.random(count) * span).astype("timedelta64[D]")
        days: DateArray = np.datetime64(self.start, "D") + offsets
        return days

    def days_before(
        self, rng: np.random.Generator, count: int, max_years: float
    ) -> DateArray:
        """Draw ``count`` days from up to ``max_years`` years before ``end``."""
        back = np.floor(rng.random(count) * max_years * 365.2425).astype(
            "timedelta64[D]"
        )
        days: DateArray = np.datetime64(self.end, "D") - back
        return days


def feed_context(city: SynthCity, month: date) -> FeedContext:
    """Return the context of ``month`` (any day of it) for ``city``.

    Raises ValueError when the month starts after the city's as-of date.
    """
    start = month.replace(day=1)
    if start > city.as_of:
        raise ValueError(
            f"Month {start:%Y-%m} is after the city's as-of date "
            f"{city.as_of.isoformat()}; choose that month or an earlier one."
        )
    last = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    end = min(last, city.as_of)
    return FeedContext(city, start, end, _people(city, end))


def _people(city: SynthCity, end: date) -> pl.DataFrame:
    born = pl.col("birth_date")
    had_birthday = (born.dt.month() < end.month) | (
        (born.dt.month() == end.month) & (born.dt.day() <= end.day)
    )
    age = pl.lit(end.year) - born.dt.year() - (~had_birthday).cast(pl.Int32)
    return city.persons.join(
        city.households.select("hh_key", pl.col("community_code").alias("region_code")),
        on="hh_key",
        how="left",
    ).with_columns(age.cast(pl.Int64).alias("age"))


def split_fen(
    rng: np.random.Generator, totals: IntArray, parts: IntArray
) -> tuple[IntArray, IntArray]:
    """Split each total into ``parts`` random shares that add up exactly.

    Returns (owner row index, amount) with one entry per share, in row order.
    """
    owner = np.repeat(np.arange(totals.size), parts)
    weights = rng.gamma(2.0, 1.0, owner.size)
    sums = np.bincount(owner, weights=weights, minlength=totals.size)
    shares = np.floor(totals[owner] * weights / sums[owner]).astype(np.int64)
    # The last share of each total takes what rounding down left over.
    last = np.cumsum(parts) - 1
    spent = np.bincount(owner, weights=shares, minlength=totals.size).astype(np.int64)
    shares[last[parts > 0]] += (totals - spent)[parts > 0]
    return owner.astype(np.int64), shares
