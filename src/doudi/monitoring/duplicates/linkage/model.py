"""The person linkage model: comparisons, fixed m and u values, blocking rules.

Each comparison lists its levels from the most to the least similar. A level
has `m`, the share of true matches that reach it, and `u`, the share of
non-matching pairs that do. Its match weight is log2(m / u). The values are
fixed here rather than trained on each run, so that a run is reproducible
and a reviewer can read why a pair scored as it did. They are estimates
reasoned from how the fields go wrong, checked against the planted
duplicates of `doudi.synth.duplicates`; `docs/duplicates.md` explains them.

The prior `PRIOR_WEIGHT` is log2 of the odds that two random records match.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final


@dataclass(frozen=True)
class Level:
    """One level of a comparison: a SQL condition on the `_l` and `_r` columns."""

    label: str
    sql: str
    m: float = 0.0
    u: float = 0.0
    null: bool = False

    @property
    def weight(self) -> float:
        return 0.0 if self.null else math.log2(self.m / self.u)


@dataclass(frozen=True)
class Comparison:
    name: str
    levels: tuple[Level, ...]

    def labels_by_gamma(self) -> dict[int, str]:
        """Map Splink's comparison vector value to the level label.

        Splink gives the null level -1, the last level 0 and each level
        above it one more.
        """
        ranked = [level for level in self.levels if not level.null]
        labels = {len(ranked) - 1 - i: level.label for i, level in enumerate(ranked)}
        for level in self.levels:
            if level.null:
                labels[-1] = level.label
        return labels

    def weights_by_gamma(self) -> dict[int, float]:
        ranked = [level for level in self.levels if not level.null]
        weights = {len(ranked) - 1 - i: level.weight for i, level in enumerate(ranked)}
        weights[-1] = 0.0
        return weights


@dataclass(frozen=True)
class LinkageModel:
    comparisons: tuple[Comparison, ...]
    blocking_rules: tuple[str, ...]
    prior_weight: float
    threshold_weight: float
    link_type: str = "dedupe_only"
    # Deterministic rules and their assumed recall, from which Splink counts
    # the prior instead of taking `prior_weight`; empty keeps `prior_weight`.
    prior_rules: tuple[str, ...] = ()
    prior_recall: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)

    def settings(self) -> dict[str, Any]:
        """Return the Splink settings dictionary of this model."""
        odds = 2.0**self.prior_weight
        return {
            "link_type": self.link_type,
            "unique_id_column_name": "unique_id",
            "probability_two_random_records_match": odds / (1 + odds),
            "blocking_rules_to_generate_predictions": [
                {"blocking_rule": rule} for rule in self.blocking_rules
            ],
            "comparisons": [_comparison_settings(c) for c in self.comparisons],
            "retain_matching_columns": True,
            "retain_intermediate_calculation_columns": False,
            "additional_columns_to_retain": [],
            **self.extra,
        }


def _comparison_settings(comparison: Comparison) -> dict[str, Any]:
    levels: list[dict[str, Any]] = []
    for level in comparison.levels:
        entry: dict[str, Any] = {
            "sql_condition": level.sql,
            "label_for_charts": level.label,
        }
        if level.null:
            entry["is_null_level"] = True
        else:
            entry["m_probability"], entry["u_probability"] = level.m, level.u
        levels.append(entry)
    return {"output_column_name": comparison.name, "comparison_levels": levels}


def _null(*columns: str) -> Level:
    sql = " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns)
    return Level("missing", sql, null=True)


def _both_null(first: str, second: str) -> Level:
    sql = (
        f"({first}_l IS NULL OR {first}_r IS NULL) "
        f"AND ({second}_l IS NULL OR {second}_r IS NULL)"
    )
    return Level("missing", sql, null=True)


ELSE: Final = "ELSE"

# A true duplicate almost never carries two different IDs that both pass the
# check character, because MOD 11-2 detects every single-digit error and every
# swap of adjacent digits. Twins, on the other hand, share the region code and
# birth date and differ only in the sequence digits of two valid IDs. That
# level therefore weighs about -20, outweighing an equal birth date, address
# and a similar name.
RESIDENT_ID: Final = Comparison(
    "resident_id",
    (
        _null("id_body"),
        Level(
            "same ID",
            "id_body_l = id_body_r AND id_check_ok_l AND id_check_ok_r",
            m=0.90,
            u=1e-7,
        ),
        Level("same ID, wrong check character", "id_body_l = id_body_r", 0.04, 1e-8),
        Level(
            "same ID with birth month and day swapped",
            "id_body_l = id_body_swapped_r",
            0.02,
            1e-8,
        ),
        Level(
            "different valid IDs",
            "id_check_ok_l AND id_check_ok_r",
            1e-6,
            0.97,
        ),
        Level(
            "ID differs in one digit, check character wrong",
            "damerau_levenshtein(id_body_l, id_body_r) <= 1",
            0.03,
            1e-6,
        ),
        # Two IDs that differ in more than one digit are seldom one person's,
        # because typing errors mostly change one digit.
        Level("different IDs", ELSE, 0.001, 0.03),
    ),
)

# A one-character difference counts only in names of three or more
# characters: in 张伟 against 张强 the whole given name differs.
NAME: Final = Comparison(
    "name",
    (
        _both_null("name_han", "name_pinyin"),
        Level("same name", "name_han_l = name_han_r", 0.85, 2e-4),
        Level(
            "same name in pinyin (homophone or pinyin-only record)",
            "name_key_l = name_key_r",
            0.07,
            5e-4,
        ),
        Level(
            "name differs in one character",
            "length(name_han_l) >= 3 AND length(name_han_l) = length(name_han_r) "
            "AND levenshtein(name_han_l, name_han_r) = 1",
            0.04,
            4e-3,
        ),
        Level(
            "similar pinyin",
            "jaro_winkler_similarity(name_pinyin_l, name_pinyin_r) >= 0.92",
            0.02,
            5e-3,
        ),
        Level("different name", ELSE, 0.005, 0.99),
    ),
)

BIRTH_DATE: Final = Comparison(
    "birth_date",
    (
        _null("birth"),
        Level("same birth date", "birth_l = birth_r", 0.93, 4e-5),
        Level(
            "birth month and day swapped",
            "birth_l = birth_swapped_r",
            0.03,
            2e-5,
        ),
        Level(
            "birth date differs in one digit",
            "damerau_levenshtein(birth_l, birth_r) <= 1",
            0.03,
            2e-3,
        ),
        Level("different birth date", ELSE, 0.01, 0.998),
    ),
)

SEX: Final = Comparison(
    "sex",
    (
        _null("sex"),
        Level("same sex", "sex_l = sex_r", 0.98, 0.5),
        Level("different sex", ELSE, 0.02, 0.5),
    ),
)

# People move, so a different address is only weak evidence against a match.
ADDRESS: Final = Comparison(
    "address",
    (
        _null("address_norm"),
        Level("same address", "address_norm_l = address_norm_r", 0.55, 1e-4),
        Level(
            "similar address",
            "jaro_winkler_similarity(address_norm_l, address_norm_r) >= 0.93",
            0.10,
            1e-2,
        ),
        Level("different address", ELSE, 0.35, 0.99),
    ),
)

PRIOR_WEIGHT: Final = -23.0
THRESHOLD_WEIGHT: Final = 0.0

# Pairs that share the ID body catch exact, wrong-check and legacy IDs. The
# name key with the order-free birth key catches typed IDs, placeholders,
# homophones, pinyin-only names and swapped birth dates. The surname with the
# birth date and sex catches names with a typo.
BLOCKING_RULES: Final = (
    "l.id_body = r.id_body",
    "l.name_key = r.name_key AND l.birth_key = r.birth_key",
    "l.surname_pinyin = r.surname_pinyin AND l.birth = r.birth AND l.sex = r.sex",
)

PERSON_MODEL: Final = LinkageModel(
    comparisons=(RESIDENT_ID, NAME, BIRTH_DATE, SEX, ADDRESS),
    blocking_rules=BLOCKING_RULES,
    prior_weight=PRIOR_WEIGHT,
    threshold_weight=THRESHOLD_WEIGHT,
)
