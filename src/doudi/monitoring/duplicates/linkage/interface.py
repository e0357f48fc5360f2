"""The interface every linkage backend implements, and the shape of its output.

A backend takes one table of records in the layout of `records.RECORD_SCHEMA`
(after `records.prepare`) and returns the scored candidate pairs as a Polars
frame with the columns of `PAIR_SCHEMA`. `unique_id_l` sorts before
`unique_id_r`, so one pair appears once.
"""

from __future__ import annotations

from typing import Final, Protocol

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

REASON = pl.Struct(
    {"comparison": pl.Utf8(), "level": pl.Utf8(), "weight": pl.Float64()}
)
# `reasons` lists one entry per comparison, with the level the pair reached
# and that level's match weight (log2 of its Bayes factor). A reviewer reads
# from them what spoke for and against the match.
PAIR_SCHEMA: Final = pl.Schema(
    {
        "unique_id_l": pl.Utf8(),
        "unique_id_r": pl.Utf8(),
        "match_weight": pl.Float64(),
        "match_probability": pl.Float64(),
        "reasons": pl.List(REASON),
    }
)


class Linker(Protocol):
    """Scores pairs of records that may describe the same person."""

    def predict(self, records: pa.Table | pl.DataFrame) -> pl.DataFrame:
        """Return candidate pairs at or above the model's threshold (PAIR_SCHEMA)."""
        ...
