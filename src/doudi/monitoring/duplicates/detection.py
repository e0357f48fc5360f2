"""Run the duplicate check: link enrolled persons and imported rows, store pairs.

One run reads the records, decrypts their names, IDs and addresses in memory,
scores candidate pairs and stores them for review. It writes one audit entry
for the decryption, with the purpose and the number of records. Pairs found
again keep their review: a confirmed or rejected pair is never reopened, and
a pending one only gets the new score.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from doudi.monitoring.duplicates import sources
from doudi.monitoring.duplicates.linkage.interface import Linker
from doudi.monitoring.duplicates.linkage.records import prepare
from doudi.monitoring.duplicates.linkage.splink_duckdb import SplinkDuckDBLinker
from doudi.monitoring.duplicates.models import (
    DuplicatePair,
    LinkageRun,
    PairStatus,
    RunStatus,
)
from doudi.payments.models import Award
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.keys import keyring
from doudi.privacy.models import User

logger = logging.getLogger(__name__)

RUN_PURPOSE = "duplicate assistance check"


@dataclass(frozen=True)
class Sides:
    """The database facts about each record of the run."""

    # unique_id, person_id, region_path, award_id, scheme, exclusive
    enrolled: pl.DataFrame
    imported: pl.DataFrame  # unique_id, row_id


def run_detection(
    *, actor: User | None = None, linker: Linker | None = None
) -> LinkageRun:
    """Link the records and store new candidate pairs; return the finished run."""
    run = LinkageRun.objects.create(started_at=timezone.now())
    try:
        pairs = _link(run, actor, linker or SplinkDuckDBLinker())
        run.candidates = pairs.height
        run.new_pairs = _store(run, pairs)
    except Exception:
        run.status, run.finished_at = RunStatus.FAILED, timezone.now()
        run.save()
        logger.exception("duplicate check run %s failed", run.pk)
        raise
    run.status, run.finished_at = RunStatus.DONE, timezone.now()
    run.save()
    logger.info(
        "duplicate check run %s: %s records, %s pairs, %s new",
        run.pk,
        run.records,
        run.candidates,
        run.new_pairs,
    )
    return run


def _link(run: LinkageRun, actor: User | None, linker: Linker) -> pl.DataFrame:
    enrolled, imported = sources.enrolled_persons(), sources.imported_rows()
    run.records = enrolled.height + imported.height
    run.save(update_fields=["records"])
    audit.record(
        actor=actor,
        action=AuditAction.BATCH,
        object_type="duplicates.run",
        object_id=run.pk,
        purpose=Purpose.MONITORING,
        record_count=run.records,
        detail={
            "purpose": RUN_PURPOSE,
            "decrypted": ["name", "resident_id", "address"],
            "enrolled": enrolled.height,
            "imported": imported.height,
        },
    )
    sides = Sides(
        enrolled=enrolled.select(
            "unique_id", "person_id", "region_path", "award_id", "scheme", "exclusive"
        ),
        imported=imported.select("unique_id", "row_id"),
    )
    pairs = linker.predict(prepare(_plain_records(enrolled, imported)))
    return _relevant(pairs, sides)


def _plain_records(enrolled: pl.DataFrame, imported: pl.DataFrame) -> pl.DataFrame:
    ring = keyring()
    columns = ["unique_id", "name", "resident_id", "birth_date", "sex", "address"]
    return pl.concat(
        [
            sources.decrypt_records(enrolled.select(columns), "enrolled", ring),
            sources.decrypt_records(imported.select(columns), "imported", ring),
        ]
    )


def _relevant(pairs: pl.DataFrame, sides: Sides) -> pl.DataFrame:
    """Keep the pairs that may mean assistance paid twice, with their sides.

    A pair with an imported row counts, and so does a pair under one award
    (one person entered twice in a household). A pair under two awards
    counts when the awards are of one scheme or of two exclusive schemes;
    temporary assistance on top of dibao is allowed. Pairs of two imported
    rows are dropped, because no award here depends on them.
    """
    # The linker puts the smaller id left, and enrolled ids ("a…") sort
    # before imported ones ("i…"), so an enrolled record is always left.
    ordered = pairs.rename({"unique_id_l": "left_key", "unique_id_r": "right_key"})
    ordered = ordered.filter(pl.col("left_key").str.starts_with("a"))
    left = sides.enrolled.rename(lambda c: f"{c}_l")
    right = sides.enrolled.rename(lambda c: f"{c}_r")
    joined = (
        ordered.join(left, left_on="left_key", right_on="unique_id_l", how="left")
        .join(right, left_on="right_key", right_on="unique_id_r", how="left")
        .join(sides.imported, left_on="right_key", right_on="unique_id", how="left")
    )
    conflicting = (pl.col("scheme_l") == pl.col("scheme_r")) | (
        pl.col("exclusive_l") & pl.col("exclusive_r")
    )
    return joined.filter(
        pl.col("row_id").is_not_null()
        | (pl.col("award_id_l") == pl.col("award_id_r"))
        | conflicting
    )


def _store(run: LinkageRun, pairs: pl.DataFrame) -> int:
    rows = _pair_rows(pairs)
    # All stored pairs are read, because a filter on tens of thousands of
    # keys would pass SQLite's limit on query parameters.
    existing = {
        (pair.left_key, pair.right_key): pair
        for pair in DuplicatePair.objects.only("left_key", "right_key", "status")
    }
    new = [row for row in rows if (row["left_key"], row["right_key"]) not in existing]
    with transaction.atomic():
        _refresh(run, rows, existing)
        # A run started at the same time (the cycle stage beside the weekly
        # task) may have stored the same pair; the unique key keeps one.
        DuplicatePair.objects.bulk_create(
            [DuplicatePair(first_run=run, last_run=run, **row) for row in new],
            batch_size=1000,
            ignore_conflicts=True,
        )
    return len(new)


def _refresh(
    run: LinkageRun,
    rows: list[dict[str, Any]],
    existing: dict[tuple[str, str], DuplicatePair],
) -> None:
    """Point pairs found again at this run; rescore only those still pending."""
    found = [
        existing[(r["left_key"], r["right_key"])]
        for r in rows
        if (r["left_key"], r["right_key"]) in existing
    ]
    scores = {(r["left_key"], r["right_key"]): r for r in rows}
    for pair in found:
        pair.last_run = run
        if pair.status == PairStatus.PENDING:
            row = scores[(pair.left_key, pair.right_key)]
            pair.match_weight = row["match_weight"]
            pair.match_probability = row["match_probability"]
            pair.reasons = row["reasons"]
    DuplicatePair.objects.bulk_update(
        found,
        ["last_run", "match_weight", "match_probability", "reasons"],
        batch_size=1000,
    )


def _pair_rows(joined: pl.DataFrame) -> list[dict[str, Any]]:
    granted = _granted_order(joined)
    return [_pair_row(row, granted) for row in joined.iter_rows(named=True)]


def _granted_order(joined: pl.DataFrame) -> dict[int, tuple[Any, int]]:
    ids = pl.concat([joined["award_id_l"], joined["award_id_r"]]).drop_nulls().unique()
    awards = Award.objects.filter(pk__in=ids.to_list()).values_list("pk", "granted_at")
    return {pk: (granted_at, pk) for pk, granted_at in awards}


def _pair_row(
    row: dict[str, Any], granted: dict[int, tuple[Any, int]]
) -> dict[str, Any]:
    left_award, right_award = row["award_id_l"], row["award_id_r"]
    return {
        "left_key": row["left_key"],
        "right_key": row["right_key"],
        "left_person_id": row["person_id_l"],
        "right_person_id": row["person_id_r"],
        "imported_row_id": row["row_id"],
        "left_award_id": left_award,
        "right_award_id": right_award,
        "award_to_stop_id": _award_to_stop(left_award, right_award, granted),
        "left_region_path": row["region_path_l"],
        "right_region_path": row["region_path_r"] or "",
        "match_weight": row["match_weight"],
        "match_probability": row["match_probability"],
        "reasons": row["reasons"],
    }


def _award_to_stop(
    left: int, right: int | None, granted: dict[int, tuple[Any, int]]
) -> int | None:
    """Return the later-granted award, or the local one against an imported row.

    Two records under one award (a person entered twice in one household)
    have no second award to stop.
    """
    if right is None:
        return left
    if left == right:
        return None
    return max(left, right, key=lambda award: granted[award])
