"""Accuracy: planted duplicates in a synthetic city, and FEBRL against the baseline."""

from __future__ import annotations

import polars as pl

from doudi.monitoring.duplicates.evaluation import (
    febrl_f1,
    planted_f1,
    planted_records,
    score,
)
from doudi.synth.duplicates import DuplicateKind


def test_planted_f1_meets_target():
    result = planted_f1(households=3000, seed=11)
    assert result["f1"] >= 0.99
    assert result["recall"] >= 0.99
    assert result["precision"] >= 0.99


def test_planting_covers_every_kind():
    planted = planted_records(1000, seed=5)
    assert set(planted.truth["kind"]) == {str(kind) for kind in DuplicateKind}
    twins = planted.records.filter(pl.col("unique_id").str.starts_with("t"))
    assert twins.height > 0


def test_score_counts_hits():
    truth = pl.DataFrame({"unique_id_l": ["a", "c"], "unique_id_r": ["b", "d"]})
    found = pl.DataFrame({"unique_id_l": ["a", "e"], "unique_id_r": ["b", "f"]})
    assert score(found, truth) == {"precision": 0.5, "recall": 0.5, "f1": 0.5}


def test_febrl_beats_baseline():
    result = febrl_f1()
    assert result["febrl_f1"] >= 0.95
    assert result["febrl_f1"] >= result["febrl_f1_baseline"]
