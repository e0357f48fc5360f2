"""The demo catalogue: every type of organisation, synthetic names, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from doudi.services.choices import OrganizationType
from doudi.services.demo import DemoCatalogueError, seed_catalogue
from doudi.services.models import Organization, Phone, Service


def test_forty_organizations_of_every_type(regions):
    report = seed_catalogue(seed=3, organizations=40)

    assert report.ok
    organizations = Organization.objects.all()
    assert organizations.count() == 40
    types = set(organizations.values_list("organization_type", flat=True))
    assert types == set(OrganizationType.values)
    assert all(
        name.startswith("演示·")
        for name in organizations.values_list("name", flat=True)
    )
    assert len(set(organizations.values_list("name", flat=True))) == 40
    paths = organizations.values_list("region__path", flat=True)
    districts = {path.split("/")[1] for path in paths}
    assert districts == {regions["huangpu"].code, regions["xuhui"].code}
    assert Service.objects.filter(categories__isnull=True).count() == 0


def test_phone_numbers_cannot_be_real(regions):
    seed_catalogue(seed=3, organizations=10)

    for number in Phone.objects.values_list("number", flat=True):
        assert number.startswith("021-0")


def test_seeding_again_changes_nothing(regions):
    seed_catalogue(seed=3, organizations=12)

    again = seed_catalogue(seed=3, organizations=12)

    assert again.ok
    assert not again.changed


def test_needs_districts(db):
    with pytest.raises(DemoCatalogueError, match="doudi synth"):
        seed_catalogue()


def test_command_seeds_and_reports(regions):
    out = io.StringIO()

    call_command("services", "demo", "--organizations", "6", stdout=out)

    assert Organization.objects.count() == 6
    assert "created" in out.getvalue()


def test_command_rejects_zero_organizations(regions):
    with pytest.raises(CommandError, match="give 1 or more"):
        call_command("services", "demo", "--organizations", "0")
