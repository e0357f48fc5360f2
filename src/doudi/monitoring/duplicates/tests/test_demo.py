"""The demo's list from another city gives the review queue pairs to decide."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from doudi.core.env import Environment
from doudi.monitoring.duplicates.demo import import_demo_list
from doudi.monitoring.duplicates.models import DuplicatePair
from doudi.payments.tests.factories import make_award


def test_demo_list_pairs_each_assisted_member(users, household):
    make_award(household, users["district"])

    imported, run = import_demo_list(users["city"])

    members = household.memberships.count()
    assert imported.row_count >= members
    paired = DuplicatePair.objects.filter(imported_row__imported_list=imported)
    assert paired.values("left_person").distinct().count() == members
    assert run.new_pairs == paired.count()


def test_demo_command_is_for_development_only(users, household):
    with pytest.raises(CommandError, match="only in development"):
        call_command("duplicates", "demo", stdout=StringIO())


def test_demo_command_imports_once(users, household, settings):
    settings.ENVIRONMENT = Environment.DEVELOPMENT
    users["city"].username = "city_admin"
    users["city"].save()
    make_award(household, users["district"])

    call_command("duplicates", "demo", stdout=StringIO())
    call_command("duplicates", "demo", stdout=StringIO())

    assert (
        DuplicatePair.objects.values("imported_row__imported_list").distinct().count()
        == 1
    )
