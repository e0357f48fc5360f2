"""Verify every household due for review.

A household is due on a day when both hold:

- it is authorised: every member on that day is listed in an authorisation
  of the household valid that day that covers every kind the check reads
  (`authorisations.NEEDED_KINDS`);
- it has never been verified, or its latest verification is as of a day at
  least REVIEW_INTERVAL_MONTHS calendar months earlier.

Everything is read with one SQL query per table and computed with Polars;
requests, reports and items go in through `doudi.core.bulk.insert_frame`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from contextlib import nullcontext
from datetime import date
from typing import Final

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from doudi.assessments.registry_inputs import Query, read_query
from doudi.core.bulk import insert_frame
from doudi.core.locks import single_run
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.registry import bulk_indexes
from doudi.verification import compare, figures
from doudi.verification.authorisations import NEEDED_KINDS
from doudi.verification.models import (
    RequestPurpose,
    RequestStatus,
    VerificationReport,
    VerificationRequest,
    VerificationRun,
)
from doudi.verification.storing import store_reports

logger = logging.getLogger(__name__)

# Dibao rules review households with irregular income every 6 months and
# stable ones yearly. The registry does not record which is which, so the
# batch uses the shorter interval and never misses a review.
REVIEW_INTERVAL_MONTHS: Final = 6
LOCK_SECONDS: Final = 3600
# PostgreSQL advisory lock key: two batches queue instead of verifying twice.
BATCH_LOCK_KEY: Final = 0x76657269  # "veri" in ASCII
REPORT_MODELS: Final = (VerificationRequest, VerificationReport)
# Households compared and stored at a time. At about seven items each, one
# part's items and their JSON take a few hundred MB.
PART_HOUSEHOLDS: Final = 200_000

_VALID_ON = "a.signed_on <= %s AND a.valid_until >= %s AND a.revoked_at IS NULL"
_KIND_LISTS = f"""
SELECT DISTINCT CAST(a.data_kinds AS TEXT)
FROM verification_authorisation a
WHERE {_VALID_ON}
"""  # noqa: S608
_AUTHORISED_MEMBERS = f"""
SELECT a.household_id, am.person_id
FROM verification_authorisation a
JOIN verification_authorisation_members am ON am.authorisation_id = a.id
WHERE {_VALID_ON} AND CAST(a.data_kinds AS TEXT) IN ({{lists}})
"""  # noqa: S608
_LAST_VERIFIED = Query(
    """
    SELECT household_id, CAST(MAX(as_of) AS TEXT) AS last_as_of
    FROM verification_verificationrequest
    WHERE status = %s
    GROUP BY household_id
    """,
    {"household_id": pl.Int64(), "last_as_of": pl.Utf8()},
    key="household_id",
    key_table="registry_household",
    not_null=frozenset({"last_as_of"}),
)
_RUN_REQUESTS = Query(
    """
    SELECT household_id, id AS request_id
    FROM verification_verificationrequest WHERE run_id = %s
    """,
    {"household_id": pl.Int64(), "request_id": pl.Int64()},
    key="household_id",
    key_table="registry_household",
)


def authorised_households(on: date, members: pl.DataFrame) -> pl.DataFrame:
    """Return the households whose members on `on` are all covered that day."""
    # Authorisations share a few lists of kinds, so each list is decoded once
    # and only the members of complete ones are read.
    with connection.cursor() as cursor:
        cursor.execute(_KIND_LISTS, [on, on])
        lists = [row[0] for row in cursor.fetchall()]
    complete = [text for text in lists if set(NEEDED_KINDS) <= set(json.loads(text))]
    if not complete:
        return members.select("household_id").clear()
    query = Query(
        _AUTHORISED_MEMBERS.format(lists=", ".join(["%s"] * len(complete))),
        {"household_id": pl.Int64(), "person_id": pl.Int64()},
        key="household_id",
        key_table="registry_household",
    )
    covered = read_query(query, [on, on, *complete]).unique()
    uncovered = members.join(covered, on=["household_id", "person_id"], how="anti")
    return (
        members.select("household_id")
        .unique()
        .join(uncovered.select("household_id"), on="household_id", how="anti")
    )


def due_households(on: date, authorised: pl.DataFrame) -> pl.DataFrame:
    """Return the authorised households not verified within the review interval."""
    last = read_query(_LAST_VERIFIED, [RequestStatus.COMPLETED.value]).with_columns(
        pl.col("last_as_of").str.to_date("%Y-%m-%d")
    )
    recent = last.filter(
        pl.col("last_as_of") > figures.months_before(on, REVIEW_INTERVAL_MONTHS)
    )
    return authorised.join(recent, on="household_id", how="anti").sort("household_id")


def verify_all(on: date) -> dict[str, object]:
    """Verify every household due on `on`; return counts and seconds taken.

    Running it again for the same day verifies nothing more, because every
    household it verified is then within the review interval.
    """
    started = time.perf_counter()
    with single_run("verification.batch", ttl_seconds=LOCK_SECONDS) as acquired:
        if not acquired:
            logger.warning("verification batch for %s is already running", on)
            return {"as_of": on.isoformat(), "skipped": "already running"}
        summary = _verify_all_locked(on)
    summary["seconds"] = round(time.perf_counter() - started, 3)
    logger.info(
        "verification batch for %s verified %s households in %s s",
        on,
        summary["verified"],
        summary["seconds"],
    )
    return summary


@transaction.atomic
def _verify_all_locked(on: date) -> dict[str, object]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BATCH_LOCK_KEY])
    clock = time.perf_counter()
    members = figures.members(on)
    authorised = authorised_households(on, members)
    due = due_households(on, authorised)
    summary: dict[str, object] = {
        "as_of": on.isoformat(),
        "households": members.get_column("household_id").n_unique(),
        "authorised": authorised.height,
        "due": due.height,
        "verified": 0,
        "items": 0,
    }
    if due.is_empty():
        return summary

    # Only the due households' members count, so the facts of the others
    # drop out at the first join.
    due_members = members.join(due, on="household_id", how="semi")
    declared = figures.declared(on, None, due_members)
    facts = figures.verified_facts(on, None, due_members)
    del members, due_members
    read_s = time.perf_counter() - clock

    run = VerificationRun.objects.create(as_of=on, started_at=timezone.now())
    # When the batch at least doubles the reports, rebuilding the indexes and
    # foreign keys once is cheaper than updating them row by row.
    rebuild = VerificationReport.objects.count() <= due.height
    tables = [model._meta.db_table for model in REPORT_MODELS]
    with bulk_indexes.rebuilt_after(tables) if rebuild else nullcontext():
        requests = _insert_requests(run, due)
        stored, compare_s = _store_in_parts(requests, declared, facts)
    run.households, run.finished_at = requests.height, timezone.now()
    run.save(update_fields=["households", "finished_at"])
    digest = hashlib.sha256(requests.write_csv().encode()).hexdigest()
    audit.record_batch(
        action=AuditAction.BATCH,
        object_type="verification.batch",
        record_count=requests.height,
        checksum=digest,
        purpose=Purpose.VERIFICATION,
        detail={"as_of": on.isoformat(), "run": run.pk, "items": stored},
    )
    summary.update(
        verified=requests.height,
        items=stored,
        run=run.pk,
        read_s=round(read_s, 1),
        compare_s=round(compare_s, 1),
        write_s=round(time.perf_counter() - clock - read_s - compare_s, 1),
    )
    return summary


def _store_in_parts(
    requests: pl.DataFrame, declared: pl.DataFrame, facts: pl.DataFrame
) -> tuple[int, float]:
    """Compare and store the reports PART_HOUSEHOLDS households at a time.

    Returns the number of items stored and the seconds spent comparing.
    Parts bound the memory that comparing and encoding the items take.
    """
    requests = requests.sort("household_id")
    stored, compare_s = 0, 0.0
    for offset in range(0, requests.height, PART_HOUSEHOLDS):
        part = requests.slice(offset, PART_HOUSEHOLDS)
        ids = part.get_column("household_id")
        inside = pl.col("household_id").is_between(ids.min(), ids.max())
        clock = time.perf_counter()
        items = compare.compare(declared.filter(inside), facts.filter(inside))
        compare_s += time.perf_counter() - clock
        stored += store_reports(part, items)
    return stored, compare_s


def _insert_requests(run: VerificationRun, due: pl.DataFrame) -> pl.DataFrame:
    """Insert one request per due household; return (household_id, request_id)."""
    now = timezone.now().isoformat(sep=" ")
    frame = due.select(
        "household_id",
        as_of=pl.lit(run.as_of.isoformat()),
        purpose=pl.lit(RequestPurpose.REVIEW.value),
        run_id=pl.lit(run.pk, dtype=pl.Int64),
        status=pl.lit(RequestStatus.COMPLETED.value),
        created_at=pl.lit(now),
    )
    insert_frame(VerificationRequest._meta.db_table, frame)
    return read_query(_RUN_REQUESTS, [run.pk])
