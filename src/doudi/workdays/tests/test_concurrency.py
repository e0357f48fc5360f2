"""Two administrators loading one year at the same moment.

The threads need a real server, so these tests run on PostgreSQL only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from doudi.conftest import make_user
from doudi.privacy.choices import Role
from doudi.privacy.models import AuditEntry
from doudi.workdays import services
from doudi.workdays.models import LoadOutcome, OfficialSchedule, SpecialDay
from doudi.workdays.tests.conftest import csv_file

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clean_audit_after"),
]
THREAD_TIMEOUT_SECONDS = 30
FIRST = csv_file("2027-01-01,holiday,元旦", "2027-01-02,holiday,元旦")
SECOND = csv_file("2027-10-01,holiday,国庆节")


def _race(actions: list[Callable[[], services.LoadResult]]) -> list[str]:
    """Start the actions together and return each load's outcome."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = [""] * len(actions)

    def run(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = actions[index]().outcome
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT_SECONDS)
    return outcomes


@pytest.fixture
def admins(regions):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent loads need PostgreSQL")
    return [make_user(f"admin_{n}", Role.CITY_ADMIN, regions["city"]) for n in (1, 2)]


def _loader(admin, data: bytes) -> Callable[[], services.LoadResult]:
    return lambda: services.load_schedule(2027, data, source="notice", actor=admin)


def test_different_files_both_applied_in_turn(admins):
    outcomes = _race([_loader(admins[0], FIRST), _loader(admins[1], SECOND)])

    assert sorted(outcomes) == [LoadOutcome.CREATED, LoadOutcome.REPLACED]
    schedule = OfficialSchedule.objects.get(year=2027)
    assert schedule.revision == 2
    days = sorted(SpecialDay.objects.values_list("day", flat=True))
    assert [day.isoformat() for day in days] in (
        ["2027-01-01", "2027-01-02"],
        ["2027-10-01"],
    )
    assert AuditEntry.objects.filter(object_type=services.OBJECT_TYPE).count() == 2


def test_same_file_loaded_once(admins):
    outcomes = _race([_loader(admins[0], FIRST), _loader(admins[1], FIRST)])

    assert sorted(outcomes) == [LoadOutcome.CREATED, LoadOutcome.UNCHANGED]
    assert OfficialSchedule.objects.get(year=2027).revision == 1
    assert SpecialDay.objects.count() == 2
    assert AuditEntry.objects.filter(object_type=services.OBJECT_TYPE).count() == 1
