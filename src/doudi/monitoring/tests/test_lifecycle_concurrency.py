"""Two people acting on one warning at the same moment: exactly one succeeds.

The threads need a database server that serves them at once, so these
tests run on PostgreSQL only. The same conditional UPDATE is covered
sequentially on every database in test_lifecycle.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from doudi.cases.models import Case
from doudi.conftest import make_user
from doudi.monitoring import services
from doudi.monitoring.models import Warning, WarningEvent, WarningStatus
from doudi.monitoring.tests.warning_factories import make_warning
from doudi.privacy.choices import Role

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clean_audit_after"),
]
THREAD_TIMEOUT_SECONDS = 30


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")


def _race(actions: list[Callable[[], object]]) -> list[str]:
    """Start the actions together; return "ok" or the exception name for each."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = [""] * len(actions)

    def run(index: int) -> None:
        try:
            barrier.wait()
            actions[index]()
            outcomes[index] = "ok"
        except services.WarningError as error:
            outcomes[index] = type(error).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT_SECONDS)
    return outcomes


def test_two_workers_take_one_warning(users, household, regions):
    colleague = make_user("owner2", Role.COMMUNITY_WORKER, regions["home"])
    warning = make_warning(household)

    outcomes = _race(
        [
            lambda: services.assign(users["owner"], warning.pk, version=0),
            lambda: services.assign(colleague, warning.pk, version=0),
        ]
    )

    assert sorted(outcomes) == ["StaleWarning", "ok"]
    warning.refresh_from_db()
    assert warning.status == WarningStatus.ASSIGNED
    assert warning.version == 1
    assert WarningEvent.objects.filter(warning=warning).count() == 1


def test_convert_against_close_one_wins(users, household):
    warning = make_warning(household)
    owner = users["owner"]

    outcomes = _race(
        [
            lambda: services.convert_to_case(
                owner, warning.pk, version=0, scheme="dibao"
            ),
            lambda: services.close_no_need(
                owner, warning.pk, version=0, reason="None."
            ),
        ]
    )

    assert sorted(outcomes) == ["StaleWarning", "ok"]
    warning = Warning.objects.get(pk=warning.pk)
    opened = Case.objects.count()
    assert (warning.status, opened) in {
        (WarningStatus.RESOLVED, 1),
        (WarningStatus.CLOSED, 0),
    }
