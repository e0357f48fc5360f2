from datetime import date

from doudi.conftest import make_user, signed_in
from doudi.privacy.choices import Role
from doudi.registry.statistics import counts_by_child_region

STATISTICS_URL = "/registry/statistics/"


def test_district_counts_streets(users, household, far_household):
    rows = counts_by_child_region(users["district"], on=date(2026, 12, 1))
    assert [row.region.code for row in rows] == ["310101002"]
    assert rows[0].households == 1
    assert rows[0].persons == 2
    assert rows[0].minors == 0
    assert rows[0].elderly == 0


def test_city_counts_each_district(users, household, far_household):
    rows = counts_by_child_region(users["city"], on=date(2026, 12, 1))
    households = {row.region.code: row.households for row in rows}
    assert households == {"310101": 1, "310104": 1}


def test_minor_counted_before_eighteenth_birthday(users, household):
    rows = counts_by_child_region(users["district"], on=date(2023, 3, 2))
    assert rows[0].minors == 1


def test_analyst_lands_on_statistics(users, regions):
    make_user("stats", Role.ANALYST, regions["city"], password="pw-for-tests-only")
    from django.test import Client

    response = Client().post(
        "/account/sign-in/", {"username": "stats", "password": "pw-for-tests-only"}
    )
    assert response["Location"] == STATISTICS_URL


def test_page_shows_no_personal_data(users, household):
    page = signed_in(users["analyst"]).get(STATISTICS_URL).content.decode()
    assert "王测试" not in page
    assert "黄浦区" in page


def test_resident_cannot_open_statistics(users, household):
    from doudi.privacy.models import User

    person = household.memberships.first().person
    resident = User.objects.create_user(
        username="res", role=Role.RESIDENT, person=person
    )
    assert signed_in(resident).get(STATISTICS_URL).status_code == 403
