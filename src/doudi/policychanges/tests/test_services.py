"""Proposing and deciding parameter changes through the service functions."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from doudi.conftest import make_user
from doudi.policychanges import services
from doudi.policychanges.models import ChangeStatus, ParameterChange
from doudi.policychanges.services import Proposal
from doudi.policychanges.tests.conftest import standard_proposal
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import AuditEntry

OBJECT_TYPE = "policychanges.parameterchange"


def _entries(action: AuditAction) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=OBJECT_TYPE, action=action))


def test_propose_stores_simulation_and_audits(officers):
    change, created = services.propose(officers["a"], standard_proposal())

    assert created
    assert change.status == ChangeStatus.PROPOSED
    assert change.value == "1800"
    assert change.simulation["after"] == "1800"
    assert change.simulation["before"]["value"] == "1650"
    assert change.simulation["on"] == "2027-01-31"
    [entry] = _entries(AuditAction.CREATE)
    assert entry.object_id == str(change.pk)
    assert entry.detail["value"] == "1800"


def test_propose_twice_returns_open_proposal(officers):
    first, _ = services.propose(officers["a"], standard_proposal("1800.00"))
    again, created = services.propose(officers["b"], standard_proposal("1800"))

    assert not created
    assert again.pk == first.pk
    assert ParameterChange.objects.count() == 1
    assert len(_entries(AuditAction.CREATE)) == 1


def test_other_value_same_date_refused(officers):
    first, _ = services.propose(officers["a"], standard_proposal("1800"))

    with pytest.raises(services.ChangeNotAllowed, match=f"Change {first.pk} already"):
        services.propose(officers["b"], standard_proposal("1900"))


def test_same_value_after_withdrawal_is_new(officers):
    first, _ = services.propose(officers["a"], standard_proposal())
    services.withdraw(officers["a"], first.pk)

    second, created = services.propose(officers["a"], standard_proposal())

    assert created
    assert second.pk != first.pk


@pytest.mark.parametrize(
    ("proposal", "fragment"),
    [
        (
            Proposal("dibao.nonsense", "", date(2027, 1, 1), 1, "doc", ""),
            "not a policy",
        ),
        (
            Proposal("dibao.standard", "", date(1999, 12, 31), 1, "doc", ""),
            "before 2000",
        ),
        (Proposal("dibao.standard", "", date(2027, 1, 1), 1, " ", ""), "document"),
        (
            Proposal("dibao.standard", "999999", date(2027, 1, 1), 1, "doc", ""),
            "not a district",
        ),
    ],
)
def test_invalid_proposal_refused(officers, proposal, fragment):
    with pytest.raises(services.ChangeNotAllowed, match=fragment):
        services.propose(officers["a"], proposal)


def test_only_city_admin_proposes(users):
    with pytest.raises(PermissionDenied):
        services.propose(users["district"], standard_proposal())


def test_proposer_cannot_approve(officers):
    change, _ = services.propose(officers["a"], standard_proposal())

    with pytest.raises(services.SelfApproval, match="second city administrator"):
        services.approve(officers["a"], change.pk)

    change.refresh_from_db()
    assert change.status == ChangeStatus.PROPOSED
    [denied] = _entries(AuditAction.DENIED)
    assert denied.actor == officers["a"]


def test_second_officer_approves(officers):
    change, _ = services.propose(officers["a"], standard_proposal())

    approved = services.approve(officers["b"], change.pk, "Checked against the notice")

    assert approved.status == ChangeStatus.APPROVED
    assert approved.decided_by == officers["b"]
    assert approved.decided_at is not None
    [update] = _entries(AuditAction.UPDATE)
    assert update.detail == {"status": "approved", "note": "Checked against the notice"}


def test_second_approval_refused(officers, regions):
    third = make_user("officer_c", Role.CITY_ADMIN, regions["city"])
    change, _ = services.propose(officers["a"], standard_proposal())
    services.approve(officers["b"], change.pk)

    with pytest.raises(services.AlreadyDecided, match="already Approved"):
        services.approve(third, change.pk)
    with pytest.raises(services.AlreadyDecided):
        services.reject(third, change.pk, "too late")


def test_approve_after_withdrawal_refused(officers):
    change, _ = services.propose(officers["a"], standard_proposal())
    services.withdraw(officers["a"], change.pk)

    with pytest.raises(services.AlreadyDecided, match="already Withdrawn"):
        services.approve(officers["b"], change.pk)

    change.refresh_from_db()
    assert change.status == ChangeStatus.WITHDRAWN
    assert change.decided_by is None


def test_withdraw_after_approval_refused(officers):
    change, _ = services.propose(officers["a"], standard_proposal())
    services.approve(officers["b"], change.pk)

    with pytest.raises(services.AlreadyDecided):
        services.withdraw(officers["a"], change.pk)


def test_only_proposer_withdraws(officers):
    change, _ = services.propose(officers["a"], standard_proposal())

    with pytest.raises(
        services.ChangeNotAllowed, match="Only the officer who proposed"
    ):
        services.withdraw(officers["b"], change.pk)


def test_reject_needs_note(officers):
    change, _ = services.propose(officers["a"], standard_proposal())

    with pytest.raises(services.ChangeNotAllowed, match="reason for the rejection"):
        services.reject(officers["b"], change.pk, "  ")
    rejected = services.reject(officers["b"], change.pk, "No published notice")

    assert rejected.status == ChangeStatus.REJECTED
    assert rejected.decision_note == "No published notice"


def test_database_refuses_self_decision(officers):
    change, _ = services.propose(officers["a"], standard_proposal())

    with pytest.raises(IntegrityError), transaction.atomic():
        ParameterChange.objects.filter(pk=change.pk).update(
            status=ChangeStatus.APPROVED,
            decided_by=officers["a"],
            decided_at=change.proposed_at,
        )


def test_database_refuses_second_open_twin(officers):
    change, _ = services.propose(officers["a"], standard_proposal())
    twin = ParameterChange.objects.get(pk=change.pk)
    twin.pk = None
    twin.value = "1900"

    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save(force_insert=True)
