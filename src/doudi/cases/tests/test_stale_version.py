"""An action names the version it saw; a later version makes it fail cleanly."""

from __future__ import annotations

import pytest

from doudi.cases import services
from doudi.cases.models import CaseEvent, Step
from doudi.cases.tests.conftest import open_walk_in

pytestmark = pytest.mark.django_db


def test_stale_version_rejected(staff, household):
    case = open_walk_in(staff["worker"], household)
    seen = case.version
    services.accept(staff["worker"], case.pk, version=seen)

    with pytest.raises(services.StaleCase, match="Someone else acted on this case"):
        services.withdraw(staff["worker2"], case.pk, version=seen)

    case.refresh_from_db()
    assert case.step == Step.SURVEY
    assert case.version == seen + 1
    assert CaseEvent.objects.filter(case=case).count() == 2


def test_conditional_update_guards_race(staff, household, monkeypatch):
    """The UPDATE names the version, so a change between read and write loses."""
    case = open_walk_in(staff["worker"], household)
    from doudi.cases import workflow

    original = workflow.require

    def require_then_race(actor, loaded, action, version, request=None):
        original(actor, loaded, action, version, request)
        # Another request commits between this one's checks and its UPDATE.
        type(loaded).objects.filter(pk=loaded.pk).update(version=version + 1)

    monkeypatch.setattr(workflow, "require", require_then_race)

    with pytest.raises(services.StaleCase):
        services.accept(staff["worker"], case.pk, version=case.version)

    case.refresh_from_db()
    assert case.step == Step.ACCEPT
    assert not CaseEvent.objects.filter(case=case, action="accept").exists()
