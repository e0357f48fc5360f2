"""The working-day calendar page through Django's test client, in English."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doudi.conftest import signed_in
from doudi.privacy.models import AuditEntry
from doudi.workdays import calendar, services
from doudi.workdays.models import OfficialSchedule
from doudi.workdays.tests.conftest import csv_file

PAGE = reverse("workdays:schedules")
LOAD = reverse("workdays:load")
SOURCE = "Example notice (synthetic)"


def _english(user) -> Client:
    client = signed_in(user)
    client.cookies["django_language"] = "en"
    return client


def _upload(client: Client, data: bytes, year: str = "2027", source: str = SOURCE):
    upload = SimpleUploadedFile("schedule.csv", data, content_type="text/csv")
    return client.post(LOAD, {"year": year, "source": source, "file": upload})


@pytest.mark.parametrize("name", ["owner", "street", "district", "auditor", "analyst"])
def test_other_roles_get_403(users, example_2027, name):
    client = _english(users[name])

    assert client.get(PAGE).status_code == 403
    assert _upload(client, example_2027).status_code == 403
    assert not OfficialSchedule.objects.exists()


def test_anonymous_redirected_to_sign_in(db):
    response = Client().get(PAGE)

    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


def test_page_lists_years_with_status(users):
    this_year = timezone.localdate().year

    response = _english(users["city"]).get(PAGE)

    assert response.status_code == 200
    statuses = response.context["statuses"]
    assert [status.year for status in statuses] == [
        this_year,
        this_year + 1,
        this_year + 2,
    ]
    page = response.content.decode()
    for status in statuses:
        if status.year in calendar.package_years():
            expected = "From the chinese_calendar package"
        else:
            expected = "Missing: deadlines that count days of this year are provisional"
        assert f'href="?year={status.year}"' in page
        assert expected in page


def test_page_shows_package_days(users):
    response = _english(users["city"]).get(PAGE, {"year": "2026"})

    page = response.content.decode()
    assert "Special days of 2026" in page
    assert "2026-10-10" in page
    assert "Adjusted working day" in page
    assert "国庆节" in page


def test_page_shows_missing_year(users):
    response = _english(users["city"]).get(PAGE, {"year": "2030"})

    assert "No special days are known for 2030" in response.content.decode()


def test_unknown_year_shows_current_year(users):
    response = _english(users["city"]).get(PAGE, {"year": "abc"})

    assert response.context["selected"].year == timezone.localdate().year


def test_upload_loads_and_redirects(users, example_2027):
    client = _english(users["city"])

    response = _upload(client, example_2027)

    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?year=2027"
    page = client.get(response["Location"]).content.decode()
    assert "Schedule of 2027: Loaded for the first time." in page
    assert "Official schedule loaded by city on" in page
    assert "2027-02-20" in page
    assert SOURCE in page


def test_upload_same_file_reports_unchanged(users, example_2027):
    client = _english(users["city"])
    _upload(client, example_2027)

    response = _upload(client, example_2027)

    page = client.get(response["Location"]).content.decode()
    assert "Unchanged: the same schedule was already loaded" in page
    assert OfficialSchedule.objects.get(year=2027).revision == 1


def test_upload_errors_listed_per_line(users):
    data = csv_file("2027-02-10,working_day,春节", "2027-01-01,rest,元旦")

    response = _upload(_english(users["city"]), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "The schedule was not loaded" in page
    assert "Line 2: 2027-02-10 is a Wednesday" in page
    assert "Line 3: “rest” is not a kind of day" in page
    assert not OfficialSchedule.objects.exists()


def test_upload_form_errors(users):
    client = _english(users["city"])

    response = client.post(LOAD, {"year": "1999", "source": " "})

    assert response.status_code == 400
    page = response.content.decode()
    assert "The year 1999 is out of range" in page
    assert "Name the notice that the days come from." in page
    assert "Choose the CSV file of the schedule." in page


def test_upload_audited_with_address(users, example_2027):
    _upload(_english(users["city"]), example_2027)

    entry = AuditEntry.objects.get(object_type=services.OBJECT_TYPE)
    assert entry.ip_address == "127.0.0.1"
