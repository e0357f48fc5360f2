"""Each role lands on a page it may open."""

from __future__ import annotations

import pytest
from django.urls import reverse

from doudi.conftest import make_user, signed_in
from doudi.privacy.choices import Role
from doudi.registry.models import Region

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in() -> None:
    from django.test import Client

    response = Client().get(reverse("home"))
    assert response.status_code == 302
    assert reverse("privacy:login") in response["Location"]


@pytest.mark.parametrize("role", [r for r in Role if r != Role.RESIDENT])
def test_every_staff_role_lands_on_a_page_it_may_open(
    regions: dict[str, Region], role: Role
) -> None:
    region = regions["city"] if role != Role.COMMUNITY_WORKER else regions["home"]
    client = signed_in(make_user(f"u_{role}", role, region))
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200, role


def test_data_operator_starts_at_the_batches(regions: dict[str, Region]) -> None:
    client = signed_in(make_user("operator", Role.DATA_OPERATOR, regions["city"]))
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("exchange:batch_list")


def test_caseworker_starts_at_the_work_queue(regions: dict[str, Region]) -> None:
    worker = make_user("queue_worker", Role.COMMUNITY_WORKER, regions["home"])

    response = signed_in(worker).get(reverse("home"))

    assert response["Location"] == reverse("cases:queue")
