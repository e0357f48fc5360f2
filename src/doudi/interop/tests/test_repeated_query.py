"""A query parameter given twice is refused with a 422 that names it."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def client(users, household):
    signed_in = Client(HTTP_ACCEPT_LANGUAGE="en")
    signed_in.force_login(users["owner"])
    return signed_in


def test_repeated_offset_refused(client):
    response = client.get("/api/v1/households?offset=true&offset=0.0")

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["query", "offset"]
    assert "offset" in detail[0]["msg"]


def test_repeated_hsds_page_refused(client):
    response = client.get("/api/v1/hsds/services?page=1&page=2")

    assert response.status_code == 422


def test_single_values_still_served(client):
    response = client.get("/api/v1/households?offset=0&limit=5")

    assert response.status_code == 200


def test_pages_outside_the_api_keep_their_query(client):
    response = client.get("/cases/?step=mine&step=all")

    assert response.status_code != 422
