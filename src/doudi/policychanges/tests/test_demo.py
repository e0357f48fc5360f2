"""The demo has two policy officers, so that one can approve the other's change."""

from doudi.privacy.choices import Role
from doudi.privacy.demo import ensure_demo_accounts
from doudi.privacy.models import User


def test_demo_has_two_city_admins(users, household):
    ensure_demo_accounts()

    admins = User.objects.filter(
        role=Role.CITY_ADMIN, username__in=["city_admin", "policy_officer"]
    )

    assert admins.count() == 2
