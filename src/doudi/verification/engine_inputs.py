"""Verified figures as the policy engine's inputs.

A household verified within the review interval before a day is assessed
on the department records as of that day. Each income kind that a
department reported for a member replaces what the household declared for
that kind, and so does each asset kind reported for the household. Kinds
that no department reported keep the declared value, because departments
report only what they hold (a missing bank record is not evidence of no
savings). Spending comes from the department records only. Such a household
carries `data_source` "verified", which the explanation names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import polars as pl

from doudi.assessments.registry_inputs import Query, read_query
from doudi.policy.inputs import (
    ASSET_KINDS,
    ASSETS,
    INCOME_KINDS,
    INCOMES,
    SPENDING,
    SPENDING_KINDS,
    InputTables,
)
from doudi.verification import figures
from doudi.verification.batch import REVIEW_INTERVAL_MONTHS
from doudi.verification.models import RequestStatus

_LATEST_VERIFIED = Query(
    """
    SELECT household_id, CAST(MAX(as_of) AS TEXT) AS last_as_of
    FROM verification_verificationrequest
    WHERE status = %s AND as_of <= %s
    GROUP BY household_id
    """,
    {"household_id": pl.Int64(), "last_as_of": pl.Utf8()},
    key="household_id",
    key_table="registry_household",
    not_null=frozenset({"last_as_of"}),
)


@dataclass(frozen=True)
class VerifiedInputs:
    """Verified figures in the shapes of the engine's input tables.

    Every income row has `source` "verified".
    """

    incomes: pl.DataFrame
    assets: pl.DataFrame
    spending: pl.DataFrame


def verified_inputs(household_ids: Sequence[int], on: date) -> VerifiedInputs:
    """Return the verified incomes, assets and spending of the households on `on`.

    Only kinds of the engine's input tables are kept: department records of
    business assets and housing fund balances appear in reports but not
    here, because the engine has no asset kind for them.
    """
    return inputs_from_facts(figures.verified_facts(on, list(household_ids)))


def recently_verified(on: date) -> pl.DataFrame:
    """Return the households whose latest completed verification as of `on` is
    within the review interval, as a `household_id` frame."""
    latest = read_query(_LATEST_VERIFIED, [RequestStatus.COMPLETED.value, on])
    oldest = figures.months_before(on, REVIEW_INTERVAL_MONTHS)
    return latest.filter(pl.col("last_as_of").str.to_date("%Y-%m-%d") > oldest).select(
        "household_id"
    )


def with_verified(inputs: InputTables, on: date) -> tuple[InputTables, int]:
    """Return `inputs` with verified figures for the recently verified households.

    Also returns how many households now carry verified figures.
    """
    verified = recently_verified(on).join(
        inputs.households.select("household_id"), on="household_id", how="semi"
    )
    if verified.is_empty():
        return inputs, 0
    facts = figures.verified_facts(on).join(verified, on="household_id", how="semi")
    found = inputs_from_facts(facts)
    persons = inputs.persons.join(verified, on="household_id", how="semi").select(
        "person_id"
    )
    return (
        replace(
            inputs,
            households=_mark_verified(inputs.households, verified),
            incomes=_replace_incomes(inputs.incomes, found.incomes, persons),
            assets=_replace_kinds(inputs.assets, found.assets, "household_id"),
            spending=pl.concat(
                [
                    inputs.spending.join(verified, on="household_id", how="anti"),
                    found.spending,
                ]
            ).sort("household_id", "kind"),
        ),
        verified.height,
    )


def _mark_verified(households: pl.DataFrame, verified: pl.DataFrame) -> pl.DataFrame:
    flagged = households.get_column("household_id").is_in(
        verified.get_column("household_id").implode()
    )
    source = pl.when(flagged).then(pl.lit("verified")).otherwise(pl.col("data_source"))
    return households.with_columns(
        source.cast(households.schema["data_source"]).alias("data_source")
    )


def _replace_incomes(
    declared: pl.DataFrame, verified: pl.DataFrame, persons: pl.DataFrame
) -> pl.DataFrame:
    verified = verified.join(persons, on="person_id", how="semi")
    unreplaced = declared.join(verified, on=["person_id", "kind"], how="anti")
    return pl.concat([unreplaced, verified]).sort("person_id", "kind")


def _replace_kinds(
    declared: pl.DataFrame, verified: pl.DataFrame, key: str
) -> pl.DataFrame:
    unreplaced = declared.join(verified, on=[key, "kind"], how="anti")
    return pl.concat([unreplaced, verified]).sort(key, "kind")


def inputs_from_facts(facts: pl.DataFrame) -> VerifiedInputs:
    """Sum department facts into the engine's incomes, assets and spending."""
    category = pl.col("category")
    incomes = (
        facts.filter((category == "income") & pl.col("item").is_in(list(INCOME_KINDS)))
        .group_by("person_id", "item")
        .agg(pl.col("amount_fen").sum())
    )
    assets = (
        facts.filter((category == "asset") & pl.col("item").is_in(list(ASSET_KINDS)))
        .group_by("household_id", "item")
        .agg(
            pl.col("amount_fen").sum(),
            pl.col("quantity").sum(),
            records=pl.len(),
        )
    )
    spending = (
        facts.filter(
            (category == "spending") & pl.col("item").is_in(list(SPENDING_KINDS))
        )
        .group_by("household_id", "item")
        .agg(pl.col("amount_fen").sum())
    )
    return VerifiedInputs(
        incomes=_engine_incomes(incomes),
        assets=_engine_assets(assets),
        spending=spending.select(
            "household_id", kind="item", amount_12m_fen="amount_fen"
        )
        .sort("household_id", "kind")
        .cast(SPENDING.full_schema),
    )


def _engine_incomes(incomes: pl.DataFrame) -> pl.DataFrame:
    return (
        incomes.select(
            "person_id",
            kind="item",
            monthly_fen="amount_fen",
            source=pl.lit("verified"),
        )
        .sort("person_id", "kind")
        .cast(INCOMES.full_schema)
    )


def _engine_assets(assets: pl.DataFrame) -> pl.DataFrame:
    """Housing quantities are floor areas; vehicle quantities are counts."""
    item = pl.col("item")
    count = (
        pl.when(item == "vehicle")
        .then(pl.col("quantity").fill_null(pl.col("records").cast(pl.Float64)))
        .otherwise(pl.col("records").cast(pl.Float64))
    )
    return (
        assets.select(
            "household_id",
            kind="item",
            count=count.round(0),
            value_fen="amount_fen",
            floor_area_m2=pl.when(item == "housing").then(pl.col("quantity")),
            for_seriously_ill=pl.lit(None, dtype=pl.Boolean),
        )
        .sort("household_id", "kind")
        .cast(ASSETS.full_schema)
    )
