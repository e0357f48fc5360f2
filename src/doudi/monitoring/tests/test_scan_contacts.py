"""The scan counts a visit recorded on a warning as contact with the household."""

from __future__ import annotations

from django.utils import timezone

from doudi.monitoring import lifecycle
from doudi.monitoring.scan import reading
from doudi.monitoring.tests.warning_factories import make_warning
from doudi.privacy.models import User
from doudi.registry.models import Household


def test_visit_on_a_warning_is_the_last_contact(
    users: dict[str, User], household: Household
) -> None:
    warning = make_warning(household)
    visited_on = timezone.localdate()
    warning = lifecycle.assign(users["owner"], warning.pk, version=warning.version)
    lifecycle.record_visit(
        users["owner"], warning.pk, version=warning.version, visited_on=visited_on
    )

    contacts = reading._read_contacts(scoped=False)

    row = contacts.filter(contacts["household_id"] == household.pk).row(0, named=True)
    assert row["last_contact"] >= visited_on
