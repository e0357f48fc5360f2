"""Shanghai's statistical division tree (NBS 2023 codes), loaded from CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import polars as pl

DEFAULT_REGIONS_PATH: Final = Path(__file__).with_name("data") / "shanghai_regions.csv"

REGION_SCHEMA: Final = pl.Schema(
    {
        "code": pl.Utf8,
        "name": pl.Utf8,
        "level": pl.Utf8,
        "parent_code": pl.Utf8,
        "urban": pl.Boolean,
    }
)
LEVELS: Final = ("city", "district", "street", "community")


def load_regions(path: Path = DEFAULT_REGIONS_PATH) -> pl.DataFrame:
    """Load a region CSV as a frame with REGION_SCHEMA.

    ``urban`` is set for communities only and is null for the other levels.
    Raises ValueError when a level is unknown or a parent code is missing.
    """
    regions = pl.read_csv(path, schema=REGION_SCHEMA)
    _check_levels(regions)
    _check_parents(regions)
    return regions


def _check_levels(regions: pl.DataFrame) -> None:
    unknown = regions.filter(~pl.col("level").is_in(LEVELS))
    if unknown.height:
        raise ValueError(
            f"Region {unknown['code'][0]} has invalid level "
            f"{unknown['level'][0]!r}. Use one of: {', '.join(LEVELS)}."
        )


def _check_parents(regions: pl.DataFrame) -> None:
    orphans = regions.filter(
        pl.col("parent_code").is_not_null()
        & ~pl.col("parent_code").is_in(regions["code"].implode())
    )
    if orphans.height:
        raise ValueError(
            f"Region {orphans['code'][0]} has parent code "
            f"{orphans['parent_code'][0]}, which is not in the file. Add the "
            "parent row or correct the code."
        )
