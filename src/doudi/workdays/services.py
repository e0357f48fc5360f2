"""Load a year's official holiday schedule, audited."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User
from doudi.workdays import calendar
from doudi.workdays.models import DayKind, LoadOutcome, OfficialSchedule, SpecialDay
from doudi.workdays.schedule_file import (
    LineError,
    ScheduleFileInvalid,
    ScheduleRow,
    content_hash,
    parse_schedule,
)

logger = logging.getLogger(__name__)

OBJECT_TYPE: Final = "workdays.schedule"
# The package's data starts in 2004. Earlier years are rejected as typing errors.
EARLIEST_YEAR: Final = 2000
# A schedule is announced late in the year before it, so a year further ahead
# than this is a typing error.
MAX_YEARS_AHEAD: Final = 5
MAX_SOURCE_LENGTH: Final = 500
# Functions run after a schedule is committed, such as the recount of open
# cases' provisional deadlines. Apps that count with the calendar register
# them in their AppConfig.ready().
AFTER_LOAD: list[Callable[[], object]] = []


@dataclass(frozen=True)
class LoadResult:
    schedule: OfficialSchedule
    outcome: LoadOutcome


def can_load_schedules(user: object) -> bool:
    return isinstance(user, User) and user.is_active and user.role == Role.CITY_ADMIN


def require_city_admin(user: object) -> User:
    if not can_load_schedules(user):
        raise PermissionDenied(
            _("Only city administrators manage the official holiday schedules.")
        )
    assert isinstance(user, User)
    return user


def load_schedule(
    year: int,
    data: bytes,
    *,
    source: str,
    actor: User,
    request: HttpRequest | None = None,
) -> LoadResult:
    """Load the CSV schedule of `year`, replacing any schedule loaded before.

    Loading the same days and source again changes nothing and writes no
    audit entry. A changed file replaces the year's days in one transaction.
    Raises PermissionDenied for anyone but a city administrator and
    ScheduleFileInvalid for a bad year, source or file.
    """
    require_city_admin(actor)
    source = _check_year_and_source(year, source)
    rows = parse_schedule(year, data)
    try:
        stored = _store(year, rows, source, actor, request)
    except IntegrityError:
        # Another administrator created the year's schedule at the same
        # moment; the second attempt finds that row and replaces it.
        logger.info("schedule %d created concurrently; loading again", year)
        stored = _store(year, rows, source, actor, request)
    finally:
        calendar.invalidate()
    for hook in AFTER_LOAD:
        transaction.on_commit(hook)
    return stored


def year_problem(year: int) -> str | None:
    """Return why schedules cannot be loaded for `year`, or None."""
    latest = timezone.localdate().year + MAX_YEARS_AHEAD
    if EARLIEST_YEAR <= year <= latest:
        return None
    return _(
        "The year %(year)d is out of range: enter a year from %(first)d to %(last)d."
    ) % {"year": year, "first": EARLIEST_YEAR, "last": latest}


def source_problem(source: str) -> str | None:
    """Return what is wrong with the stripped `source` text, or None."""
    if not source:
        return _("The source is missing: name the notice and its web address.")
    if len(source) > MAX_SOURCE_LENGTH:
        return _("The source has %(length)d characters: shorten it to %(limit)d.") % {
            "length": len(source),
            "limit": MAX_SOURCE_LENGTH,
        }
    return None


def _check_year_and_source(year: int, source: str) -> str:
    source = source.strip()
    problems = [year_problem(year), source_problem(source)]
    errors = [LineError(None, problem) for problem in problems if problem]
    if errors:
        raise ScheduleFileInvalid(errors)
    return source


def _store(
    year: int,
    rows: list[ScheduleRow],
    source: str,
    actor: User,
    request: HttpRequest | None,
) -> LoadResult:
    digest = content_hash(rows, source)
    with transaction.atomic():
        transaction.on_commit(calendar.invalidate)
        current = OfficialSchedule.objects.select_for_update().filter(year=year).first()
        if current is not None and current.content_hash == digest:
            logger.info("schedule %d loaded again unchanged", year)
            return LoadResult(current, LoadOutcome.UNCHANGED)
        before = _days_of(current)
        schedule = _save_schedule(current, year, source, digest, actor)
        SpecialDay.objects.filter(schedule=schedule).delete()
        SpecialDay.objects.bulk_create(
            SpecialDay(schedule=schedule, day=row.day, kind=row.kind, name=row.name)
            for row in rows
        )
        _audit(schedule, current is None, before, rows, actor, request)
    outcome = LoadOutcome.CREATED if current is None else LoadOutcome.REPLACED
    logger.info(
        "schedule %d %s with %d days by user %s", year, outcome, len(rows), actor.pk
    )
    return LoadResult(schedule, outcome)


def _save_schedule(
    current: OfficialSchedule | None, year: int, source: str, digest: str, actor: User
) -> OfficialSchedule:
    schedule = current or OfficialSchedule(year=year, revision=0)
    schedule.source = source
    schedule.content_hash = digest
    schedule.loaded_by = actor
    schedule.loaded_at = timezone.now()
    schedule.revision += 1
    schedule.save()
    return schedule


def _days_of(schedule: OfficialSchedule | None) -> dict[str, str]:
    if schedule is None:
        return {}
    days = schedule.days.values_list("day", "kind", "name")
    return {day.isoformat(): f"{kind} {name}" for day, kind, name in days}


def _audit(
    schedule: OfficialSchedule,
    created: bool,
    before: dict[str, str],
    rows: list[ScheduleRow],
    actor: User,
    request: HttpRequest | None,
) -> None:
    after = {row.day.isoformat(): f"{row.kind} {row.name}" for row in rows}
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        object_type=OBJECT_TYPE,
        object_id=schedule.year,
        purpose=Purpose.SYSTEM,
        request=request,
        record_count=len(rows),
        checksum=schedule.content_hash,
        detail={
            "source": schedule.source,
            "revision": schedule.revision,
            "holidays": sum(row.kind == DayKind.HOLIDAY for row in rows),
            "working_days": sum(row.kind == DayKind.WORKING_DAY for row in rows),
            "added_or_changed": sorted(
                day for day in after if before.get(day) != after[day]
            ),
            "removed": sorted(day for day in before if day not in after),
        },
    )
