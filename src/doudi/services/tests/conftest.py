"""Fixtures of the service catalogue tests: a seeded demo catalogue and files."""

from __future__ import annotations

import pytest

from doudi.registry.models import Region
from doudi.services.demo import seed_catalogue
from doudi.services.loading import ImportReport


@pytest.fixture
def catalogue(regions: dict[str, Region]) -> ImportReport:
    """The demo catalogue over the small test city: 12 organisations."""
    report = seed_catalogue(seed=7, organizations=12)
    assert report.ok, report.problems
    return report
