"""Two people acting on one case at the same moment: exactly one succeeds.

The threads need a real server, so these tests run on PostgreSQL only. The
same conditional UPDATE is covered sequentially on every database in
test_stale_version.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from doudi.cases import services
from doudi.cases.models import Case, CaseEvent, Step
from doudi.cases.tests.conftest import open_walk_in, walk
from doudi.conftest import make_user
from doudi.payments.models import Award
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
        except services.CaseError as error:
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
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent actions need PostgreSQL")


@pytest.mark.usefixtures("postgres_only")
def test_accept_against_withdraw_one_wins(staff, household):
    case = open_walk_in(staff["worker"], household)
    seen = case.version

    outcomes = _race(
        [
            lambda: services.accept(staff["worker"], case.pk, version=seen),
            lambda: services.withdraw(staff["worker2"], case.pk, version=seen),
        ]
    )

    assert sorted(outcomes) == ["StaleCase", "ok"]
    case.refresh_from_db()
    assert case.version == seen + 1
    expected = Step.SURVEY if outcomes[0] == "ok" else Step.WITHDRAWN
    assert case.step == expected
    assert CaseEvent.objects.filter(case=case).count() == 2


@pytest.mark.usefixtures("postgres_only")
def test_two_approvers_one_award(staff, authorised, regions):
    case = walk(
        open_walk_in(staff["worker"], authorised), staff, Step.DISTRICT_APPROVAL
    )
    colleague = make_user("huangpu2", Role.DISTRICT_APPROVER, regions["huangpu"])
    seen = case.version

    outcomes = _race(
        [
            lambda: services.approve(
                staff["district"], case.pk, version=seen, amount_fen=100_000
            ),
            lambda: services.approve(
                colleague, case.pk, version=seen, amount_fen=90_000
            ),
        ]
    )

    assert sorted(outcomes) == ["StaleCase", "ok"]
    award = Award.objects.get(case_id=case.pk)
    winner = Case.objects.get(pk=case.pk)
    assert award.amount_fen == winner.approved_amount_fen
    assert Award.objects.count() == 1
