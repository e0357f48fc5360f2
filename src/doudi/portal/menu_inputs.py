"""One household's registry records as the policy engine's input tables.

The monthly stage reads the whole registry at once. The menu needs one
household, so this module reads its rows through the ORM into the same
frames and maps them with the same `inputs_from_frames`. The date filters match those
of `doudi.assessments.registry_inputs`: a row is valid from its first day
up to, not including, its last.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from django.db.models import Q

from doudi.policy.inputs import InputTables
from doudi.policy.registry_frames import RegistryFrames, inputs_from_frames
from doudi.registry.choices import FactKind
from doudi.registry.models import Household, HouseholdAsset, Membership, PersonFact


def _valid_on(day: date, start: str, end: str) -> Q:
    return Q(**{f"{start}__lte": day}) & (
        Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": day})
    )


def registry_frames(household: Household, day: date) -> RegistryFrames:
    """Return the household's members, facts, incomes and assets valid on `day`."""
    memberships = Membership.objects.filter(
        _valid_on(day, "start_date", "end_date"), household=household
    ).values_list(
        "person_id",
        "household_id",
        "relationship",
        "person__birth_date",
        "person__hukou_type",
    )
    persons = pl.DataFrame(
        list(memberships),
        schema={
            "person_id": pl.Int64(),
            "household_id": pl.Int64(),
            "relationship": pl.Utf8(),
            "birth_date": pl.Date(),
            "hukou_type": pl.Utf8(),
        },
        orient="row",
    )
    person_ids = persons.get_column("person_id").to_list()
    facts = PersonFact.objects.filter(
        _valid_on(day, "valid_from", "valid_to"), person_id__in=person_ids
    ).values_list("person_id", "kind", "code", "grade", "amount_fen")
    fact_rows = list(facts)
    return RegistryFrames(
        households=pl.DataFrame(
            [(household.pk, household.region.code)],
            schema={"household_id": pl.Int64(), "community_code": pl.Utf8()},
            orient="row",
        ),
        persons=persons,
        facts=pl.DataFrame(
            [row[:4] for row in fact_rows if row[1] != FactKind.INCOME],
            schema={
                "person_id": pl.Int64(),
                "kind": pl.Utf8(),
                "code": pl.Utf8(),
                "grade": pl.Int8(),
            },
            orient="row",
        ),
        incomes=pl.DataFrame(
            [
                (row[0], row[2], row[4])
                for row in fact_rows
                if row[1] == FactKind.INCOME
            ],
            schema={
                "person_id": pl.Int64(),
                "kind": pl.Utf8(),
                "monthly_fen": pl.Int64(),
            },
            orient="row",
        ),
        assets=_assets(household, day),
    )


def _assets(household: Household, day: date) -> pl.DataFrame:
    rows = HouseholdAsset.objects.filter(
        _valid_on(day, "valid_from", "valid_to"), household=household
    ).values_list("household_id", "kind", "count", "value_fen")
    return pl.DataFrame(
        list(rows),
        schema={
            "household_id": pl.Int64(),
            "kind": pl.Utf8(),
            "count": pl.Int32(),
            "value_fen": pl.Int64(),
        },
        orient="row",
    )


def input_tables(household: Household, day: date, *, city: str) -> InputTables:
    """Return the engine's input tables of the household as of `day`."""
    return inputs_from_frames(registry_frames(household, day), city_name=city)
