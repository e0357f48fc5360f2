"""Staff edit the catalogue: who may, what is saved, and the audit entries.

Named users: `city` (city administrator) edits everything; `district`
(Huangpu approver) edits Huangpu's organisations only; `owner` (community
worker) reads but never edits.
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from doudi.privacy.choices import AuditAction
from doudi.privacy.models import AuditEntry
from doudi.services import changes, permissions
from doudi.services.models import Organization, Phone, Schedule, Service
from doudi.services.tests.test_pages import signed_in


def _organization_form(region, **extra):
    return {
        "name": "测试社工站",
        "alternate_name": "Test social work station",
        "organization_type": "social_work",
        "region": region.pk if region else "",
        "description": "测试用的机构。",
        "email": "",
        "website": "",
        "year_incorporated": "",
        **extra,
    }


@pytest.fixture
def huangpu_org(users, regions):
    return changes.save_organization(
        users["city"],
        {
            "name": "黄浦测试机构",
            "organization_type": "charity",
            "region": regions["nanjing"],
            "description": "测试",
        },
        new_id=uuid.uuid4(),
    )


@pytest.fixture
def xuhui_org(users, regions):
    return changes.save_organization(
        users["city"],
        {
            "name": "徐汇测试机构",
            "organization_type": "community",
            "region": regions["xuhui"],
            "description": "测试",
        },
        new_id=uuid.uuid4(),
    )


def test_city_admin_adds_city_wide_organization(users):
    client = signed_in(users["city"])
    new_id = uuid.uuid4()

    response = client.post(
        reverse("services:organization_new"),
        {**_organization_form(None), "new_id": str(new_id)},
    )

    assert response.status_code == 302
    organization = Organization.objects.get(pk=new_id)
    assert organization.region is None
    entry = AuditEntry.objects.get(object_type="services.organization")
    assert entry.action == AuditAction.CREATE
    assert entry.object_id == str(new_id)
    assert entry.actor_label == "city"


def test_submitting_create_twice_makes_one_record(users, regions):
    client = signed_in(users["district"])
    data = {**_organization_form(regions["nanjing"]), "new_id": str(uuid.uuid4())}

    first = client.post(reverse("services:organization_new"), data)
    second = client.post(reverse("services:organization_new"), data)

    assert first.status_code == 302
    assert second["Location"] == first["Location"]
    assert Organization.objects.count() == 1


def test_district_approver_limited_to_own_district(users, regions):
    client = signed_in(users["district"])

    response = client.post(
        reverse("services:organization_new"), _organization_form(regions["xuhui"])
    )

    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert not Organization.objects.exists()


def test_district_approver_needs_a_region(users):
    client = signed_in(users["district"])

    response = client.post(
        reverse("services:organization_new"), _organization_form(None)
    )

    assert response.status_code == 400
    assert not Organization.objects.exists()


def test_district_approver_edits_own_but_not_other(users, huangpu_org, xuhui_org):
    client = signed_in(users["district"])

    own = client.get(reverse("services:organization_edit", args=[huangpu_org.pk]))
    other = client.get(reverse("services:organization_edit", args=[xuhui_org.pk]))

    assert own.status_code == 200
    assert other.status_code == 403


def test_service_function_checks_stored_region(users, huangpu_org, xuhui_org):
    changes.save_organization(
        users["district"], {"name": "只改名称"}, organization=huangpu_org
    )

    with pytest.raises(permissions.NotAllowed):
        changes.save_organization(
            users["district"], {"name": "改名"}, organization=xuhui_org
        )

    with pytest.raises(permissions.NotAllowed):
        changes.save_organization(
            users["district"], {"region": xuhui_org.region}, organization=huangpu_org
        )

    huangpu_org.refresh_from_db()
    assert huangpu_org.name == "只改名称"


def test_service_function_rejects_other_district(users, regions, xuhui_org):
    with pytest.raises(permissions.NotAllowed):
        changes.save_organization(
            users["district"],
            {"name": "改名", "region": regions["xuhui"]},
            organization=xuhui_org,
        )

    xuhui_org.refresh_from_db()
    assert xuhui_org.name == "徐汇测试机构"


def test_community_worker_reads_but_cannot_edit(users, huangpu_org):
    client = signed_in(users["owner"])

    page = client.get(reverse("services:organization_detail", args=[huangpu_org.pk]))
    edit = client.get(reverse("services:organization_edit", args=[huangpu_org.pk]))
    new = client.get(reverse("services:organization_new"))

    assert page.status_code == 200
    assert b"Edit the organisation" not in page.content
    assert edit.status_code == 403
    assert new.status_code == 403


def test_edit_records_changed_fields(users, regions, huangpu_org):
    client = signed_in(users["district"])

    response = client.post(
        reverse("services:organization_edit", args=[huangpu_org.pk]),
        _organization_form(regions["nanjing"], name="新名称"),
    )

    assert response.status_code == 302
    huangpu_org.refresh_from_db()
    assert huangpu_org.name == "新名称"
    entry = AuditEntry.objects.get(
        object_type="services.organization", action=AuditAction.UPDATE
    )
    assert "name" in entry.detail["fields"]
    assert entry.actor_label == "huangpu"


def _place(client, organization, regions):
    response = client.post(
        reverse("services:location_new", args=[organization.pk]),
        {
            "name": "测试服务点",
            "region": regions["home"].pk,
            "address_1": "演示路1号",
            "postal_code": "200001",
            "new_id": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    return organization.locations.get()


def _service_form(place, **extra):
    return {
        "name": "测试服务",
        "status": "active",
        "categories": ["care", "housing"],
        "locations": [str(place.pk)],
        "documents": "身份证\n户口簿\n身份证",
        "capacity_unit": "place",
        "capacity_available": "3",
        "capacity_maximum": "10",
        **extra,
    }


def test_service_with_parts_saved(users, regions, huangpu_org):
    client = signed_in(users["district"])
    place = _place(client, huangpu_org, regions)

    response = client.post(
        reverse("services:service_new", args=[huangpu_org.pk]),
        {**_service_form(place), "new_id": str(uuid.uuid4())},
    )

    assert response.status_code == 302
    service = Service.objects.get()
    assert set(service.categories.values_list("category", flat=True)) == {
        "care",
        "housing",
    }
    assert service.service_at_locations.get().location == place
    documents = sorted(service.required_documents.values_list("document", flat=True))
    assert documents == ["户口簿", "身份证"]
    capacity = service.capacities.get()
    assert (capacity.unit, capacity.available, capacity.maximum) == ("place", 3, 10)
    assert place.addresses.get().address_1 == "演示路1号"


def test_service_edit_rejects_bad_capacity(users, regions, huangpu_org):
    client = signed_in(users["district"])
    place = _place(client, huangpu_org, regions)

    response = client.post(
        reverse("services:service_new", args=[huangpu_org.pk]),
        _service_form(place, capacity_available="12", capacity_maximum="10"),
    )

    assert response.status_code == 400
    assert b"The maximum must not be below the number available" in response.content
    assert not Service.objects.exists()


def test_service_edit_updates_last_modified_and_audits(users, regions, huangpu_org):
    client = signed_in(users["district"])
    place = _place(client, huangpu_org, regions)
    client.post(
        reverse("services:service_new", args=[huangpu_org.pk]), _service_form(place)
    )
    service = Service.objects.get()
    before = service.last_modified

    client.post(
        reverse("services:service_edit", args=[service.pk]),
        _service_form(place, categories=["care"], capacity_unit=""),
    )

    service.refresh_from_db()
    assert service.last_modified > before
    assert list(service.categories.values_list("category", flat=True)) == ["care"]
    assert not service.capacities.exists()
    entry = AuditEntry.objects.filter(
        object_type="services.service", action=AuditAction.UPDATE
    ).get()
    assert entry.detail["fields"] == ["capacity", "categories"]


def test_schedule_and_phone_added_and_deleted(users, regions, huangpu_org):
    client = signed_in(users["district"])
    place = _place(client, huangpu_org, regions)
    client.post(
        reverse("services:service_new", args=[huangpu_org.pk]), _service_form(place)
    )
    service = Service.objects.get()

    added = client.post(
        reverse("services:schedule_new", args=[service.pk]),
        {"days": ["MO", "WE"], "opens_at": "08:30", "closes_at": "11:30"},
    )
    phone = client.post(
        reverse("services:service_phone_new", args=[service.pk]),
        {"number": "021-0000 1234", "type": "voice"},
    )
    page = client.get(reverse("services:service_detail", args=[service.pk]))

    assert added.status_code == 302
    assert phone.status_code == 302
    schedule = Schedule.objects.get()
    assert schedule.byday == "MO,WE"
    assert schedule.service == service
    assert b"Monday, Wednesday" in page.content
    assert b"08:30" in page.content

    client.post(reverse("services:schedule_delete", args=[service.pk, schedule.pk]))
    client.post(reverse("services:phone_delete", args=[Phone.objects.get().pk]))

    assert not Schedule.objects.exists()
    assert not Phone.objects.exists()


def test_schedule_times_must_be_in_order(users, regions, huangpu_org):
    client = signed_in(users["district"])
    place = _place(client, huangpu_org, regions)
    client.post(
        reverse("services:service_new", args=[huangpu_org.pk]), _service_form(place)
    )
    service = Service.objects.get()

    response = client.post(
        reverse("services:schedule_new", args=[service.pk]),
        {"days": ["MO"], "opens_at": "17:00", "closes_at": "09:00"},
    )

    assert response.status_code == 400
    assert b"Give a closing time after the opening time" in response.content


def test_invalid_phone_number_names_the_value(users, huangpu_org):
    client = signed_in(users["district"])

    response = client.post(
        reverse("services:organization_phone_new", args=[huangpu_org.pk]),
        {"number": "call us", "type": "voice"},
    )

    assert response.status_code == 400
    assert b"call us is not a phone number" in response.content


def test_other_district_cannot_delete_phone(users, xuhui_org):
    phone = changes.add_phone(
        users["city"], xuhui_org, {"number": "021-0000 0001"}, new_id=uuid.uuid4()
    )

    response = signed_in(users["district"]).post(
        reverse("services:phone_delete", args=[phone.pk])
    )

    assert response.status_code == 403
    assert Phone.objects.filter(pk=phone.pk).exists()
