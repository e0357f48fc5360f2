"""Deadlines come from the limits table, counted on the working-day calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doudi.cases import deadlines
from doudi.cases.deadlines import DeadlineStatus
from doudi.cases.limits import LIMITS, Unit, case_limit, step_limit
from doudi.cases.models import Case, CaseKind, Decision, Step
from doudi.cases.stages import recount_deadlines
from doudi.cases.tests.conftest import open_walk_in, today, walk
from doudi.core.cycle import stages
from doudi.workdays import calendar

# The calendar reads loaded holiday schedules from the database, every few
# seconds, so every test here may touch it.
pytestmark = pytest.mark.django_db

days = st.dates(min_value=date(2005, 1, 1), max_value=date(2030, 12, 31))


def _case(**fields: object) -> Case:
    values: dict[str, object] = {
        "kind": CaseKind.APPLICATION,
        "accepted_on": None,
        "delegated": False,
        "special": False,
        "decision": "",
    }
    values.update(fields)
    return Case(**values)


def test_every_limit_names_unit_and_source():
    for name, limit in LIMITS.items():
        assert limit.amount > 0, name
        assert limit.unit in Unit, name
        assert limit.source, name


def test_whole_case_limits():
    assert case_limit(delegated=False, special=False).amount == 30
    assert case_limit(delegated=True, special=False).amount == 20
    assert case_limit(delegated=False, special=True).amount == 45
    assert case_limit(delegated=True, special=True).amount == 45


def test_step_limits_from_table():
    assert step_limit(CaseKind.APPLICATION, Step.SURVEY) == LIMITS["survey_start"]
    notice = step_limit(CaseKind.APPLICATION, Step.PUBLIC_NOTICE)
    assert notice is not None
    assert notice.unit == Unit.CALENDAR_DAYS
    assert step_limit(CaseKind.APPLICATION, Step.STREET_REVIEW) is None
    assert step_limit(CaseKind.APPEAL, Step.APPEAL_REVIEW) == LIMITS["appeal_decision"]


@settings(max_examples=200)
@given(start=days, accepted=days, step=st.sampled_from(list(Step)))
def test_next_due_is_earliest_open_deadline(start, accepted, step):
    fields = deadlines.schedule(
        _case(accepted_on=accepted), step=step, started_on=start
    )

    dues = [fields["step_due"], fields["case_due"]]
    assert fields["next_due"] == min(day for day in dues if day is not None)
    if fields["step_due"] is not None:
        assert fields["step_due"] > start


@settings(max_examples=200)
@given(start=days)
def test_working_day_limit_lands_on_working_day(start):
    due = deadlines.due_after(start, LIMITS["survey_start"])

    assert calendar.working_days_between(start, due.day) == 3
    if not due.provisional:
        assert calendar.is_working_day(due.day)


@given(start=days)
def test_notice_limit_counts_calendar_days(start):
    due = deadlines.due_after(start, LIMITS["public_notice"])

    assert due.day == start + timedelta(days=7)
    assert not due.provisional


def test_decided_case_keeps_only_step_limit():
    case = _case(accepted_on=date(2025, 3, 3), decision=Decision.REFUSED)

    fields = deadlines.schedule(case, step=Step.REFUSED, started_on=date(2025, 5, 6))

    assert fields["next_due"] == fields["step_due"]
    assert fields["case_due"] == calendar.add_working_days(date(2025, 3, 3), 30).due


def test_closed_case_has_no_next_due():
    fields = deadlines.schedule(
        _case(accepted_on=date(2025, 3, 3)),
        step=Step.AWARDED,
        started_on=date(2025, 4, 1),
        closed=True,
    )

    assert fields["next_due"] is None
    assert fields["step_due"] is None


def test_deadline_after_known_years_is_provisional():
    fields = deadlines.schedule(
        _case(accepted_on=date(2099, 12, 1)),
        step=Step.SURVEY,
        started_on=date(2099, 12, 1),
    )

    assert fields["step_due_provisional"]
    assert fields["case_due_provisional"]


def test_golden_week_skipped():
    # 2025-10-01 to 10-08 were holidays and Saturday 10-11 an adjusted
    # working day (State Council notice for 2025): 10-09, 10-10, 10-11.
    due = deadlines.due_after(date(2025, 9, 30), LIMITS["survey_start"])

    assert due.day == date(2025, 10, 11)
    assert not due.provisional


@pytest.mark.parametrize(
    ("offset", "status"),
    [
        (-1, DeadlineStatus.OVERDUE),
        (0, DeadlineStatus.NEARLY_DUE),
        (None, DeadlineStatus.NONE),
    ],
)
def test_status_of(offset, status):
    start = date(2025, 6, 9)
    until = deadlines.nearly_due_until(start)
    due = None if offset is None else start + timedelta(days=offset)

    assert deadlines.status_of(due, start, until) == status


def test_status_far_ahead_on_time():
    start = date(2025, 6, 9)
    until = deadlines.nearly_due_until(start)

    assert until == date(2025, 6, 11)
    assert deadlines.status_of(date(2025, 6, 12), start, until) == (
        DeadlineStatus.ON_TIME
    )


def test_queue_flags_filter_in_sql(staff, household, far_household):
    late = walk(open_walk_in(staff["worker"], household), staff, Step.SURVEY)
    Case.objects.filter(pk=late.pk).update(next_due=today() - timedelta(days=1))
    soon = walk(
        open_walk_in(staff["worker"], household, "temporary"), staff, Step.SURVEY
    )
    Case.objects.filter(pk=soon.pk).update(next_due=today())
    calm = open_walk_in(staff["worker"], household, "edge")
    Case.objects.filter(pk=calm.pk).update(next_due=today() + timedelta(days=30))
    cases = Case.objects.filter(closed_at__isnull=True)

    def pks(status):
        return set(
            deadlines.filter_status(cases, status, today()).values_list("pk", flat=True)
        )

    assert pks(DeadlineStatus.OVERDUE) == {late.pk}
    assert pks(DeadlineStatus.NEARLY_DUE) == {soon.pk}
    assert pks(DeadlineStatus.ON_TIME) == {calm.pk}


def test_refresh_recounts_provisional(staff, household):
    case = walk(open_walk_in(staff["worker"], household), staff, Step.SURVEY)
    Case.objects.filter(pk=case.pk).update(
        step_due=date(2000, 1, 1), step_due_provisional=True
    )

    assert deadlines.refresh_provisional() == 1

    case.refresh_from_db()
    assert case.step_due == calendar.add_working_days(case.step_started_on, 3).due
    assert deadlines.refresh_provisional() == 0


def test_cycle_stage_recounts(staff, household):
    case = walk(open_walk_in(staff["worker"], household), staff, Step.SURVEY)
    Case.objects.filter(pk=case.pk).update(step_due_provisional=True, step_due=None)

    summary = recount_deadlines(today().replace(day=1))

    assert summary == {"recounted": 1}
    assert "cases.recount_deadlines" in {stage.name for stage in stages()}
