import json
from datetime import date
from io import StringIO

from django.core.management import call_command

from doudi.conftest import add_person
from doudi.core.env import Environment
from doudi.monitoring.tests.warning_factories import make_warning
from doudi.notifications.outbound import outbox_path
from doudi.portal.demo import DEMO_PHONE
from doudi.portal.models import PortalAccount
from doudi.portal.signin import request_code
from doudi.privacy.choices import Role
from doudi.privacy.demo import ensure_demo_accounts
from doudi.privacy.models import User
from doudi.registry import services
from doudi.registry.choices import Relationship


def test_worker_gets_busiest_community(users, regions, far_household, household):
    owner = users["owner"]
    for number, resident_id in enumerate(["310101199002020036", "310101199002020052"]):
        extra = services.create_household(
            owner, region=regions["home"], address=f"测试路{number + 5}号"
        )
        add_person(
            owner, extra, Relationship.HEAD, resident_id, "演示", "M", date(1990, 2, 2)
        )
    ensure_demo_accounts()
    worker = User.objects.get(username="community_worker")
    assert worker.region == regions["home"]


def test_every_role_has_an_account(users, household):
    accounts = ensure_demo_accounts()
    roles = {User.objects.get(username=a.username).role for a in accounts}
    assert roles == set(Role.values)


def test_demo_accounts_idempotent(users, household):
    ensure_demo_accounts()
    ensure_demo_accounts()
    assert User.objects.filter(username="community_worker").count() == 1


def test_demo_command_links_the_demo_phone(users, household, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ENVIRONMENT = Environment.DEVELOPMENT
    out = StringIO()

    call_command("demo", stdout=out)
    call_command("demo", stdout=StringIO())

    resident = User.objects.get(username="resident")
    account = PortalAccount.objects.get(person=resident.person)
    assert account.user == resident
    assert DEMO_PHONE in out.getvalue()
    assert str(tmp_path / "outbox") in out.getvalue()


def test_demo_phone_receives_a_sign_in_code(users, household, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ENVIRONMENT = Environment.DEVELOPMENT
    call_command("demo", stdout=StringIO())

    request_code(DEMO_PHONE)

    line = json.loads(outbox_path().read_text(encoding="utf-8").splitlines()[-1])
    assert line["phone"] == DEMO_PHONE
    assert line["params"]["code"].isdigit()


def test_worker_gets_the_large_community_with_warnings(
    users, regions, household, far_household
):
    make_warning(far_household)

    ensure_demo_accounts()

    worker = User.objects.get(username="community_worker")
    assert worker.region == far_household.region


def test_worker_gets_the_large_community_most_in_need(
    users, regions, household, far_household
):
    ensure_demo_accounts({far_household.region.code: 3, household.region.code: 1})

    worker = User.objects.get(username="community_worker")
    assert worker.region == far_household.region
