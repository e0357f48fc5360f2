"""Map a synthetic city (``doudi.synth``) to the engine's input tables.

The city is first reshaped into the registry's frames, so it goes through
the same mapping (`registry_frames.inputs_from_frames`) as the registry
itself when the monthly cycle assesses it.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from doudi.policy.inputs import InputTables
from doudi.policy.registry_frames import RegistryFrames, inputs_from_frames
from doudi.synth import SynthCity


def synth_inputs(
    city: SynthCity,
    *,
    city_name: str = "Shanghai",
    amounts: Literal["declared", "true"] = "declared",
) -> InputTables:
    """Build the input tables from a synthetic city.

    ``amounts`` picks the declared income and asset values (what a household
    would report) or the true ones.
    """
    return inputs_from_frames(
        synth_frames(city, amounts), city_name=city_name, source=amounts
    )


def synth_frames(
    city: SynthCity, amounts: Literal["declared", "true"] = "declared"
) -> RegistryFrames:
    """Reshape a synthetic city into the registry's frames."""
    return RegistryFrames(
        households=city.households.select(
            household_id=pl.col("hh_key"), community_code=pl.col("community_code")
        ),
        persons=city.persons.select(
            person_id=pl.col("person_key"),
            household_id=pl.col("hh_key"),
            relationship=pl.col("relationship"),
            birth_date=pl.col("birth_date"),
            hukou_type=pl.col("hukou_type"),
        ),
        facts=city.facts.select(
            person_id=pl.col("person_key"),
            kind=pl.col("kind"),
            code=pl.col("code"),
            grade=pl.col("grade"),
        ),
        incomes=city.incomes.select(
            person_id=pl.col("person_key"),
            kind=pl.col("kind"),
            monthly_fen=pl.col(f"monthly_{amounts}_fen"),
        ),
        assets=city.assets.select(
            household_id=pl.col("hh_key"),
            kind=pl.col("kind"),
            count=pl.col("count"),
            value_fen=pl.col(f"value_{amounts}_fen"),
        ),
    )
