"""Evaluate signal definitions over fact frames with Polars (no Django import).

The input frames are built by `doudi.monitoring.scan.reading` from the
database, or by the benchmark and tests directly:

- persons: person_id, household_id, birth_date, hukou_type ("local" or
  "elsewhere") and current. `current` is false for members who left within
  the longest window, such as those who died;
- facts: person_id, source ("registry" or "exchange"), kind, item, code,
  grade, quantity, amount_fen, valid_from, valid_to;
- contacts: household_id, last_contact (the last visit or case opened);
- assets: household_id, kind, value_fen: registry holdings valid on the
  scan day.

Registry income facts (kind "income") are monthly amounts in fen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

import polars as pl

from doudi.monitoring.signals.model import (
    FactFilter,
    FactSource,
    RuleType,
    SignalDefinition,
    SignalSet,
)

PERSONS_SCHEMA: Final = pl.Schema(
    {
        "person_id": pl.Int64(),
        "household_id": pl.Int64(),
        "birth_date": pl.Date(),
        "hukou_type": pl.Utf8(),
        "current": pl.Boolean(),
    }
)
FACTS_SCHEMA: Final = pl.Schema(
    {
        "person_id": pl.Int64(),
        "source": pl.Utf8(),
        "kind": pl.Utf8(),
        "item": pl.Utf8(),
        "code": pl.Utf8(),
        "grade": pl.Int64(),
        "quantity": pl.Float64(),
        "amount_fen": pl.Int64(),
        "valid_from": pl.Date(),
        "valid_to": pl.Date(),
    }
)
CONTACTS_SCHEMA: Final = pl.Schema(
    {"household_id": pl.Int64(), "last_contact": pl.Date()}
)
ASSETS_SCHEMA: Final = pl.Schema(
    {"household_id": pl.Int64(), "kind": pl.Utf8(), "value_fen": pl.Int64()}
)
# The asset kinds that count as financial assets in the means test.
FINANCIAL_ASSET_KINDS: Final = ("deposits", "securities", "insurance")
FIRED_SCHEMA: Final = pl.Schema(
    {
        "household_id": pl.Int64(),
        "code": pl.Utf8(),
        "event_date": pl.Date(),
        "members": pl.UInt32(),
        "figure": pl.Int64(),
    }
)
INCOME_KIND: Final = "income"


@dataclass(frozen=True)
class ScanFrames:
    persons: pl.DataFrame
    facts: pl.DataFrame
    contacts: pl.DataFrame
    assets: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=ASSETS_SCHEMA)
    )


def evaluate(signals: SignalSet, frames: ScanFrames, day: date) -> pl.DataFrame:
    """Return one row per household and fired signal (see FIRED_SCHEMA).

    `event_date` is the latest triggering event, `members` how many members
    triggered it, and `figure` a rule's number (fen of spending, percent of
    income lost), or null.
    """
    partitions = frames.facts.partition_by("source", "kind", as_dict=True)
    parts = [
        _evaluate_one(signal, _facts_of(signal, frames, partitions), day)
        for signal in signals.signals
    ]
    fired = [part for part in parts if part.height]
    if not fired:
        return pl.DataFrame(schema=FIRED_SCHEMA)
    return pl.concat(fired).sort("household_id", "code")


def _facts_of(
    signal: SignalDefinition,
    frames: ScanFrames,
    partitions: Mapping[tuple[object, ...], pl.DataFrame],
) -> ScanFrames:
    """Return `frames` with only the facts of the kinds the signal reads.

    Every rule filters by source and kind first, so each reads its own
    partitions instead of scanning all facts. Registry income is included
    for the rules that compare with income.
    """
    keys = {(spec.source.value, spec.kind) for spec in signal.rule.facts}
    keys.add((FactSource.REGISTRY.value, INCOME_KIND))
    chosen = [partitions[key] for key in sorted(keys) if key in partitions]
    facts = pl.concat(chosen) if chosen else frames.facts.clear()
    return ScanFrames(frames.persons, facts, frames.contacts, frames.assets)


def _evaluate_one(
    signal: SignalDefinition, frames: ScanFrames, day: date
) -> pl.DataFrame:
    rule_function = _RULES[signal.rule.type]
    result = rule_function(signal, frames, day)
    return result.select(
        pl.col("household_id"),
        pl.lit(signal.code).alias("code"),
        pl.col("event_date"),
        pl.col("members").cast(pl.UInt32),
        pl.col("figure").cast(pl.Int64),
    )


# --- Building blocks ---------------------------------------------------------


def age_on(birth: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Return the age in whole years on `on` of a person born on `birth`."""
    before_birthday = (on.dt.month() < birth.dt.month()) | (
        (on.dt.month() == birth.dt.month()) & (on.dt.day() < birth.dt.day())
    )
    return (
        on.dt.year().cast(pl.Int32)
        - birth.dt.year().cast(pl.Int32)
        - before_birthday.cast(pl.Int32)
    )


def _matches(spec: FactFilter) -> pl.Expr:
    condition = (pl.col("source") == spec.source.value) & (pl.col("kind") == spec.kind)
    if spec.item:
        condition &= pl.col("item") == spec.item
    if spec.codes:
        condition &= pl.col("code").is_in(list(spec.codes))
    if spec.min_grade is not None:
        condition &= pl.col("grade") >= spec.min_grade
    if spec.max_grade is not None:
        condition &= pl.col("grade") <= spec.max_grade
    if spec.min_quantity is not None:
        condition &= pl.col("quantity") >= float(spec.min_quantity)
    if spec.max_quantity is not None:
        condition &= pl.col("quantity") <= float(spec.max_quantity)
    if spec.min_amount_fen is not None:
        condition &= pl.col("amount_fen") >= spec.min_amount_fen
    return condition


def _any_filter(signal: SignalDefinition) -> pl.Expr:
    expressions = [_matches(spec) for spec in signal.rule.facts]
    return pl.any_horizontal(expressions)


def _valid_on(day: date | pl.Expr) -> pl.Expr:
    on = pl.lit(day) if isinstance(day, date) else day
    return (pl.col("valid_from") <= on) & (
        pl.col("valid_to").is_null() | (pl.col("valid_to") > on)
    )


def _age_filter(signal: SignalDefinition, on: pl.Expr) -> pl.Expr:
    age = age_on(pl.col("birth_date"), on)
    condition = pl.lit(True)
    if signal.rule.min_age is not None:
        condition &= age >= signal.rule.min_age
    if signal.rule.max_age is not None:
        condition &= age <= signal.rule.max_age
    return condition


def _per_household(frame: pl.DataFrame, figure: pl.Expr | None = None) -> pl.DataFrame:
    return frame.group_by("household_id").agg(
        pl.col("event_date").max(),
        pl.col("person_id").n_unique().alias("members"),
        (figure if figure is not None else pl.lit(None, dtype=pl.Int64)).alias(
            "figure"
        ),
    )


def _current(persons: pl.DataFrame) -> pl.DataFrame:
    return persons.filter(pl.col("current"))


def _household_income(
    frames: ScanFrames, on: date, persons: pl.DataFrame
) -> pl.DataFrame:
    """Return household_id and income_fen: monthly registry income valid on `on`."""
    incomes = frames.facts.filter(
        (pl.col("source") == "registry")
        & (pl.col("kind") == INCOME_KIND)
        & _valid_on(on)
    )
    return (
        incomes.join(persons.select("person_id", "household_id"), on="person_id")
        .group_by("household_id")
        .agg(pl.col("amount_fen").fill_null(0).sum().alias("income_fen"))
    )


# --- Rules -------------------------------------------------------------------


def _new_fact(signal: SignalDefinition, frames: ScanFrames, day: date) -> pl.DataFrame:
    start = signal.validity.start(day)
    facts = frames.facts.filter(
        _any_filter(signal)
        & pl.col("valid_from").is_between(start, day)
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") > start))
    ).select("person_id", pl.col("valid_from").alias("event_date"))
    joined = facts.join(_current(frames.persons), on="person_id").filter(
        _age_filter(signal, pl.lit(day))
    )
    return _per_household(joined)


def _death(signal: SignalDefinition, frames: ScanFrames, day: date) -> pl.DataFrame:
    start = signal.validity.start(day)
    deaths = (
        frames.facts.filter(
            _any_filter(signal) & pl.col("valid_from").is_between(start, day)
        )
        .group_by("person_id")
        .agg(pl.col("valid_from").min().alias("event_date"))
        .join(frames.persons, on="person_id")
        .filter(_age_filter(signal, pl.col("event_date")))
    )
    if signal.rule.main_earner and deaths.height:
        deaths = deaths.join(_main_earners(frames, deaths), on="person_id", how="semi")
    return _per_household(deaths)


def _main_earners(frames: ScanFrames, deaths: pl.DataFrame) -> pl.DataFrame:
    """Return the person_id of each deceased who earned most in the household.

    Income is that of the day before death. A household without income has
    no main earner.
    """
    households = deaths.select("household_id", "event_date").unique("household_id")
    members = frames.persons.join(households, on="household_id")
    incomes = (
        frames.facts.filter(
            (pl.col("source") == "registry") & (pl.col("kind") == INCOME_KIND)
        )
        .join(members.select("person_id", "household_id", "event_date"), on="person_id")
        .filter(_valid_on(pl.col("event_date") - timedelta(days=1)))
        .group_by("household_id", "person_id")
        .agg(pl.col("amount_fen").fill_null(0).sum().alias("income_fen"))
        .filter(pl.col("income_fen") > 0)
    )
    top = incomes.filter(
        pl.col("income_fen") == pl.col("income_fen").max().over("household_id")
    )
    return top.select("person_id")


def _fact_ended(
    signal: SignalDefinition, frames: ScanFrames, day: date
) -> pl.DataFrame:
    start = signal.validity.start(day)
    matching = frames.facts.filter(_any_filter(signal))
    ended = matching.filter(pl.col("valid_to").is_between(start, day, closed="right"))
    still_valid = matching.filter(_valid_on(day)).select("person_id")
    lost = (
        ended.join(still_valid, on="person_id", how="anti")
        .select("person_id", pl.col("valid_to").alias("event_date"))
        .join(_current(frames.persons), on="person_id")
    )
    return _per_household(lost)


def _spending_share(
    signal: SignalDefinition, frames: ScanFrames, day: date
) -> pl.DataFrame:
    start = signal.validity.start(day)
    current = _current(frames.persons)
    spending = (
        frames.facts.filter(
            _any_filter(signal) & pl.col("valid_from").is_between(start, day)
        )
        .join(current, on="person_id")
        .group_by("household_id")
        .agg(
            pl.col("amount_fen").fill_null(0).sum().alias("spent_fen"),
            pl.col("valid_from").max().alias("event_date"),
            pl.col("person_id").n_unique().alias("members"),
        )
    )
    income = _household_income(frames, day, current)
    share = float(signal.rule.min_share or 0)
    months = float(signal.validity.months())
    minimum = signal.rule.min_amount_fen or 0
    threshold = pl.col("income_fen").fill_null(0) * months * share
    fired = spending.join(income, on="household_id", how="left").filter(
        (pl.col("spent_fen") >= minimum) & (pl.col("spent_fen") >= threshold)
    )
    return fired.with_columns(figure=pl.col("spent_fen"))


def _income_drop(
    signal: SignalDefinition, frames: ScanFrames, day: date
) -> pl.DataFrame:
    start = signal.validity.start(day)
    now = _household_income(frames, day, _current(frames.persons))
    before = _household_income(frames, start, frames.persons).rename(
        {"income_fen": "before_fen"}
    )
    share = float(signal.rule.min_share or 0)
    joined = (
        before.filter(pl.col("before_fen") > 0)
        .join(now, on="household_id", how="left")
        .join(
            _current(frames.persons).select("household_id").unique(),
            on="household_id",
            how="semi",
        )
        .with_columns(pl.col("income_fen").fill_null(0))
    )
    dropped = joined.filter(pl.col("income_fen") <= pl.col("before_fen") * (1 - share))
    percent = (
        (pl.col("before_fen") - pl.col("income_fen")) * 100 // pl.col("before_fen")
    )
    return dropped.select(
        "household_id",
        pl.lit(day).alias("event_date"),
        pl.lit(None, dtype=pl.UInt32).alias("members"),
        percent.alias("figure"),
    )


def _turning_age(
    signal: SignalDefinition, frames: ScanFrames, day: date
) -> pl.DataFrame:
    start = signal.validity.start(day)
    age = signal.rule.age or 0
    birthday = pl.col("birth_date").dt.offset_by(f"{age}y")
    turned = (
        _current(frames.persons)
        .with_columns(birthday.alias("event_date"))
        .filter(pl.col("event_date").is_between(start, day, closed="right"))
    )
    return _per_household(turned)


def _alone_without_contact(
    signal: SignalDefinition, frames: ScanFrames, day: date
) -> pl.DataFrame:
    start = signal.validity.start(day)
    alone = (
        frames.facts.filter(_any_filter(signal) & _valid_on(day))
        .select("person_id")
        .join(_current(frames.persons), on="person_id")
        .filter(age_on(pl.col("birth_date"), pl.lit(day)) >= (signal.rule.min_age or 0))
        .join(frames.contacts, on="household_id", how="left")
        .filter(pl.col("last_contact").is_null() | (pl.col("last_contact") < start))
        .with_columns(pl.lit(day).alias("event_date"))
    )
    return _per_household(alone)


def _income_below(
    signal: SignalDefinition, frames: ScanFrames, day: date
) -> pl.DataFrame:
    current = _current(frames.persons)
    households = current.group_by("household_id").agg(
        pl.len().alias("size"),
        (pl.col("hukou_type") == (signal.rule.hukou or ""))
        .any()
        .alias("registration_matches"),
    )
    if signal.rule.hukou is not None:
        households = households.filter(pl.col("registration_matches"))
    if signal.rule.max_assets_per_capita_fen is not None:
        households = _assets_within(
            households, frames.assets, signal.rule.max_assets_per_capita_fen
        )
    per_capita = (pl.col("income_fen").fill_null(0) // pl.col("size")).alias("figure")
    low = (
        households.join(
            _household_income(frames, day, current), on="household_id", how="left"
        )
        .with_columns(per_capita)
        .filter(pl.col("figure") < (signal.rule.max_per_capita_fen or 0))
    )
    return low.select(
        "household_id",
        pl.lit(day).alias("event_date"),
        pl.col("size").alias("members"),
        "figure",
    )


def _assets_within(
    households: pl.DataFrame, assets: pl.DataFrame, limit_fen: int
) -> pl.DataFrame:
    """Keep households whose financial assets per member are below `limit_fen`.

    Declared values are at most the true ones, so a household already over
    the limit on its declaration is over it in truth too.
    """
    financial = (
        assets.filter(pl.col("kind").is_in(FINANCIAL_ASSET_KINDS))
        .group_by("household_id")
        .agg(pl.col("value_fen").sum().alias("assets_fen"))
    )
    joined = households.join(financial, on="household_id", how="left")
    per_member = pl.col("assets_fen").fill_null(0) // pl.col("size")
    return joined.filter(per_member < limit_fen).drop("assets_fen")


RuleFunction = Callable[[SignalDefinition, ScanFrames, date], pl.DataFrame]
_RULES: Final[Mapping[RuleType, RuleFunction]] = {
    RuleType.NEW_FACT: _new_fact,
    RuleType.DEATH: _death,
    RuleType.FACT_ENDED: _fact_ended,
    RuleType.SPENDING_SHARE: _spending_share,
    RuleType.INCOME_DROP: _income_drop,
    RuleType.TURNING_AGE: _turning_age,
    RuleType.ALONE_WITHOUT_CONTACT: _alone_without_contact,
    RuleType.INCOME_BELOW: _income_below,
}
