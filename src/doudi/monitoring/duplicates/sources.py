"""Read the records to link: persons enrolled in assistance, and imported rows.

Each source is one SQL query read through `read_query`, as the registry
inputs are, with names, IDs and addresses still encrypted. `decrypt_records`
turns the tokens into plain text in memory, for the length of one run.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from doudi.assessments.models import Scheme
from doudi.assessments.registry_inputs import Query, read_query
from doudi.monitoring.duplicates.plaintext import decrypt_column
from doudi.payments.models import AwardStatus
from doudi.privacy.crypto import FieldKeyring

# Schemes of which a household may hold only one at a time; temporary
# assistance may come on top of any of them.
EXCLUSIVE_SCHEMES: Final = (Scheme.DIBAO, Scheme.TEKUN, Scheme.EDGE, Scheme.RIGID)
PAID_STATUSES: Final = (AwardStatus.ACTIVE, AwardStatus.GRADUAL_EXIT)

_ENROLLED = Query(
    f"""
    SELECT p.id AS person_id, p.name, p.resident_id, p.birth_date, p.sex,
           h.address, h.id AS household_id, r.path AS region_path,
           a.id AS award_id, a.scheme
    FROM payments_award a
    JOIN registry_membership m ON m.household_id = a.household_id
         AND (m.end_date IS NULL OR m.end_date > a.starts_on)
    JOIN registry_person p ON p.id = m.person_id
    JOIN registry_household h ON h.id = a.household_id
    JOIN registry_region r ON r.id = h.region_id
    WHERE a.status IN ('{PAID_STATUSES[0].value}', '{PAID_STATUSES[1].value}')
    """,  # noqa: S608 - constants, not input
    {
        "person_id": pl.Int64(),
        "name": pl.Utf8(),
        "resident_id": pl.Utf8(),
        "birth_date": pl.Date(),
        "sex": pl.Utf8(),
        "address": pl.Utf8(),
        "household_id": pl.Int64(),
        "region_path": pl.Utf8(),
        "award_id": pl.Int64(),
        "scheme": pl.Utf8(),
    },
    key="person_id",
    key_table="registry_person",
    not_null=frozenset({"name", "resident_id", "sex", "address", "region_path"}),
)

_IMPORTED = Query(
    """
    SELECT i.id AS row_id, i.name, i.resident_id, i.birth_date, i.sex, i.address
    FROM duplicates_importedrow i
    """,
    {
        "row_id": pl.Int64(),
        "name": pl.Utf8(),
        "resident_id": pl.Utf8(),
        "birth_date": pl.Date(),
        "sex": pl.Utf8(),
        "address": pl.Utf8(),
    },
    key="row_id",
    key_table="duplicates_importedrow",
    not_null=frozenset({"name", "sex"}),
)

_CONTEXTS: Final = {
    "enrolled": {
        "name": "registry.person.name",
        "resident_id": "registry.person.resident_id",
        "address": "registry.household.address",
    },
    "imported": {
        "name": "duplicates.importedrow.name",
        "resident_id": "duplicates.importedrow.resident_id",
        "address": "duplicates.importedrow.address",
    },
}


def enrolled_persons() -> pl.DataFrame:
    """Return one row per award in payment and person counted in it.

    A person counts in an award while a member of its household, and also
    after leaving it during the award. So a person who moved to another
    household, perhaps in another district, and is assisted there as well
    appears under both awards. The registry keeps one person row per
    resident ID, so such a person links to themselves across the two awards.
    """
    rows = read_query(_ENROLLED, [])
    return rows.with_columns(
        unique_id=pl.format("a{}p{}", "award_id", "person_id"),
        exclusive=pl.col("scheme").is_in([s.value for s in EXCLUSIVE_SCHEMES]),
    )


def imported_rows() -> pl.DataFrame:
    rows = read_query(_IMPORTED, [])
    return rows.with_columns(
        unique_id=pl.format("i{}", "row_id"), sex=pl.col("sex").replace("", None)
    )


def decrypt_records(
    frame: pl.DataFrame, source: str, keyring: FieldKeyring
) -> pl.DataFrame:
    """Return `frame` with its name, ID and address tokens decrypted."""
    contexts = _CONTEXTS[source]
    return frame.with_columns(
        decrypt_column(frame[column], context, keyring)
        for column, context in contexts.items()
    )
