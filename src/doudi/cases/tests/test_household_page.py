"""The registry's household page lists the household's cases."""

from __future__ import annotations

import pytest
from django.urls import reverse

from doudi.cases.tests.conftest import open_walk_in
from doudi.conftest import signed_in

pytestmark = pytest.mark.django_db


def _page(user, household) -> str:
    client = signed_in(user)
    client.cookies["django_language"] = "en"
    url = reverse("registry:household_detail", args=[household.pk])
    return client.get(url).content.decode()


def test_worker_sees_case_link(staff, household) -> None:
    case = open_walk_in(staff["worker"], household)

    content = _page(staff["worker"], household)

    assert "Requests for help" in content
    assert reverse("cases:case_detail", args=[case.pk]) in content
    assert reverse("cases:new_case") + f"?household={household.pk}" in content


def test_household_without_cases_says_so(staff, household) -> None:
    content = _page(staff["worker"], household)

    assert "No request for help yet." in content
