"""Only an active city administrator loads schedules."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from doudi.privacy.models import AuditEntry
from doudi.workdays import services
from doudi.workdays.models import OfficialSchedule

OTHER_ROLES = ["owner", "street", "district", "auditor", "analyst", "provider"]


@pytest.mark.parametrize("name", OTHER_ROLES)
def test_other_roles_cannot_load(users, example_2027, name):
    with pytest.raises(PermissionDenied, match="Only city administrators"):
        services.load_schedule(2027, example_2027, source="notice", actor=users[name])

    assert not OfficialSchedule.objects.exists()
    assert not AuditEntry.objects.filter(object_type=services.OBJECT_TYPE).exists()


def test_inactive_city_admin_cannot_load(users, example_2027):
    admin = users["city"]
    admin.is_active = False
    admin.save()

    with pytest.raises(PermissionDenied):
        services.load_schedule(2027, example_2027, source="notice", actor=admin)

    assert not OfficialSchedule.objects.exists()
