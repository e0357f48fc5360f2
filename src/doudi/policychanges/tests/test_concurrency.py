"""Two officers deciding one change at the same moment: exactly one succeeds.

The threads need a real server, so these tests run on PostgreSQL only. The
same conditional UPDATE is covered sequentially on every database in
test_services.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from doudi.conftest import make_user
from doudi.policychanges import services
from doudi.policychanges.models import ChangeStatus, ParameterChange
from doudi.policychanges.tests.conftest import standard_proposal
from doudi.privacy.choices import Role

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clean_audit_after"),
]
THREAD_TIMEOUT_SECONDS = 30


def _race(actions: list[Callable[[], object]]) -> list[str]:
    """Start the actions together; return "ok" or the exception name for each."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = [""] * len(actions)

    def run(index: int) -> None:
        try:
            barrier.wait()
            actions[index]()
            outcomes[index] = "ok"
        except services.ChangeNotAllowed as error:
            outcomes[index] = type(error).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT_SECONDS)
    return outcomes


@pytest.fixture
def change(officers) -> ParameterChange:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent decisions need PostgreSQL")
    proposed, _ = services.propose(officers["a"], standard_proposal())
    return proposed


def test_two_approvers_one_wins(officers, regions, change):
    third = make_user("officer_c", Role.CITY_ADMIN, regions["city"])

    outcomes = _race(
        [
            lambda: services.approve(officers["b"], change.pk),
            lambda: services.approve(third, change.pk),
        ]
    )

    assert sorted(outcomes) == ["AlreadyDecided", "ok"]
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED


def test_approve_against_withdraw_one_wins(officers, change):
    outcomes = _race(
        [
            lambda: services.approve(officers["b"], change.pk),
            lambda: services.withdraw(officers["a"], change.pk),
        ]
    )

    assert sorted(outcomes) == ["AlreadyDecided", "ok"]
    change.refresh_from_db()
    expected = ChangeStatus.APPROVED if outcomes[0] == "ok" else ChangeStatus.WITHDRAWN
    assert change.status == expected
