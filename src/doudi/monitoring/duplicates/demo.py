"""A demo list from "another city" that repeats some of the demo's assisted persons.

Development only. The list contains a variant of each member of a household
in payment (a typo, a homophone, a pinyin-only name, a wrong check digit and
so on, from `doudi.synth.duplicates`) and a few twins, so that the review
queue of the demo has pairs to confirm and to reject.
"""

from __future__ import annotations

import csv
import io
from typing import Final

import polars as pl

from doudi.monitoring.duplicates.detection import run_detection
from doudi.monitoring.duplicates.imports import import_list
from doudi.monitoring.duplicates.models import ImportedList, LinkageRun
from doudi.payments.models import Award, AwardStatus
from doudi.privacy.models import User
from doudi.registry.models import Membership
from doudi.synth.duplicates import RECORD_SCHEMA, plant

SEED: Final = 1
SOURCE_CITY: Final = "示例市"
COLUMNS: Final = ("name", "resident_id", "birth_date", "sex", "address", "scheme")


def import_demo_list(actor: User) -> tuple[ImportedList, LinkageRun]:
    """Import the demo list as `actor` (a city administrator), then link."""
    planted = plant(_assisted_persons(), seed=SEED, duplicate_share=1.0, twin_share=0.2)
    copies = planted.records.filter(~pl.col("unique_id").str.starts_with("p"))
    imported = import_list(
        actor,
        label="演示：外市低保名单",
        source_city=SOURCE_CITY,
        content=_csv(copies).encode("utf-8"),
    )
    return imported, run_detection(actor=actor)


def _assisted_persons() -> pl.DataFrame:
    households = Award.objects.filter(status=AwardStatus.ACTIVE).values("household_id")
    members = Membership.objects.filter(
        household_id__in=households, end_date__isnull=True
    ).select_related("person", "household")
    rows = [
        {
            "unique_id": f"p{m.person_id}",
            "name": str(m.person.name),
            "resident_id": str(m.person.resident_id),
            "birth_date": m.person.birth_date,
            "sex": m.person.sex,
            "address": str(m.household.address),
        }
        for m in members.order_by("person_id")
    ]
    return pl.DataFrame(rows, schema=RECORD_SCHEMA)


def _csv(records: pl.DataFrame) -> str:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in records.iter_rows(named=True):
        born = row["birth_date"]
        writer.writerow(
            [
                row["name"] or "",
                row["resident_id"] or "",
                born.isoformat() if born else "",
                row["sex"] or "",
                row["address"] or "",
                "最低生活保障",
            ]
        )
    return output.getvalue()
