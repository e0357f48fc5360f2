"""Asking for help: drafts, one request per form, routing, status, assisted mode."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from doudi.cases.models import Case, Channel
from doudi.conftest import signed_in
from doudi.portal import help as help_requests
from doudi.portal import routing
from doudi.portal.choices import Destination, EventKind, RequestStatus
from doudi.portal.models import HelpRequest, PortalAccount
from doudi.portal.tests.conftest import OTHER_PHONE, sign_in
from doudi.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db

FORM = {
    "who": "me",
    "kind": "living_costs",
    "urgency": "this_week",
    "contact_method": "this_phone",
    "details": "Synthetic: my pension stopped in May.",
}


def _new_form(client: Client) -> str:
    response = client.get("/portal/help/")
    assert response.status_code == 302
    return str(response["Location"])


def test_form_page_shows(resident: Client):
    url = _new_form(resident)
    response = resident.get(url)
    assert response.status_code == 200
    assert b"hx-post" in response.content
    assert b"<script" not in response.content.split(b"</head>")[1]


def test_draft_saved_on_change(resident: Client, resident_account):
    url = _new_form(resident)
    response = resident.post(
        url + "draft/",
        {"kind": "housing", "details": "Synthetic: roof"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"Saved at" in response.content
    draft = HelpRequest.objects.get()
    assert draft.status == RequestStatus.DRAFT
    assert draft.kind == "housing"
    assert draft.details == "Synthetic: roof"
    resident.post(
        url + "draft/",
        {"kind": "housing", "urgency": "today", "details": "Synthetic: roof leaks"},
    )
    draft.refresh_from_db()
    assert draft.urgency == "today"
    assert draft.details == "Synthetic: roof leaks"
    page = resident.get(url)
    assert b"Synthetic: roof leaks" in page.content
    assert HelpRequest.objects.count() == 1


def test_draft_keeps_invalid_choice_out(resident: Client):
    url = _new_form(resident)
    resident.post(url + "draft/", {"kind": "lottery", "who": "me"})
    draft = HelpRequest.objects.get()
    assert draft.kind == ""
    assert draft.who == "me"


def test_double_submit_creates_one(send, resident: Client):
    url = _new_form(resident)
    first = send(resident, url + "send/", FORM)
    second = send(resident, url + "send/", FORM)
    assert first.status_code == 302
    assert second["Location"] == first["Location"]
    assert HelpRequest.objects.count() == 1
    assert HelpRequest.objects.get().submitted_at is not None


def test_missing_answers_named(send, resident: Client):
    url = _new_form(resident)
    response = send(resident, url + "send/", {"who": "me"})
    assert response.status_code == 400
    assert response.content.count(b"This field is required") == 3
    assert HelpRequest.objects.get().status == RequestStatus.DRAFT


def test_other_phone_required_and_checked(send, resident: Client):
    url = _new_form(resident)
    response = send(resident, url + "send/", {**FORM, "contact_method": "other_phone"})
    assert b"Enter the other phone number" in response.content
    response = send(
        resident,
        url + "send/",
        {**FORM, "contact_method": "other_phone", "contact_phone": "555"},
    )
    assert b"is not a mainland mobile number" in response.content
    response = send(
        resident,
        url + "send/",
        {
            **FORM,
            "contact_method": "other_phone",
            "contact_phone": "0086 139-8765-4321",
        },
    )
    assert response.status_code == 302
    assert HelpRequest.objects.get().contact_phone == OTHER_PHONE


def test_linked_living_costs_becomes_case(
    send, resident: Client, linked_account, household
):
    url = _new_form(resident)
    send(resident, url + "send/", FORM)
    request = HelpRequest.objects.get()
    assert request.status == RequestStatus.CASE_OPENED
    assert request.destination == Destination.CASE
    case = Case.objects.get()
    assert request.case == case
    assert case.channel == Channel.PORTAL
    assert case.household == household
    assert case.opened_by == linked_account.user
    assert case.scheme == "dibao"


def test_second_request_joins_open_case(send, resident: Client, linked_account):
    for _ in range(2):
        send(resident, _new_form(resident) + "send/", FORM)
    assert Case.objects.count() == 1
    kinds = set(HelpRequest.objects.values_list("events__kind", flat=True))
    assert EventKind.JOINED_CASE in kinds


def test_non_scheme_kind_goes_to_worker(
    send, resident: Client, linked_account, household
):
    send(resident, _new_form(resident) + "send/", {**FORM, "kind": "housing"})
    request = HelpRequest.objects.get()
    assert request.status == RequestStatus.WITH_WORKER
    assert request.destination == Destination.COMMUNITY_WORKER
    assert request.region == household.region
    assert not Case.objects.exists()


def test_unlinked_goes_to_intake_desk(send, resident: Client, household):
    send(resident, _new_form(resident) + "send/", FORM)
    request = HelpRequest.objects.get()
    assert request.destination == Destination.COMMUNITY_WORKER
    assert request.region is None
    assert request.events.filter(kind=EventKind.TO_INTAKE_DESK).exists()
    assert not Case.objects.exists()


def test_routing_is_idempotent(send, resident: Client, linked_account):
    send(resident, _new_form(resident) + "send/", FORM)
    request = HelpRequest.objects.get()
    routing.route(request.pk)
    assert request.events.count() == 1
    assert Case.objects.count() == 1


def test_unrouted_request_waits_for_sweep(
    send, resident: Client, settings, linked_account
):
    settings.PORTAL_ROUTE_ON_SUBMIT = False
    send(resident, _new_form(resident) + "send/", FORM)
    request = HelpRequest.objects.get()
    assert request.status == RequestStatus.RECEIVED
    from doudi.portal.tasks import sweep_now

    assert sweep_now() == 1
    request.refresh_from_db()
    assert request.status == RequestStatus.CASE_OPENED


def test_status_page_shows_steps(send, resident: Client, linked_account):
    response = send(resident, _new_form(resident) + "send/", FORM)
    page = resident.get(response["Location"])
    assert page.status_code == 200
    assert b"We received your request." in page.content
    assert b"became an application" in page.content
    assert b"waiting to be accepted" in page.content


def test_request_list_shows_own(send, resident: Client):
    send(resident, _new_form(resident) + "send/", FORM)
    page = resident.get("/portal/requests/")
    assert b"Money for daily living" in page.content


def test_other_resident_cannot_see_request(send, resident: Client):
    response = send(resident, _new_form(resident) + "send/", FORM)
    outsider = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), OTHER_PHONE)
    assert outsider.get(response["Location"]).status_code == 404
    assert b"Money for daily living" not in outsider.get("/portal/requests/").content
    owners_request = HelpRequest.objects.get()
    outsider.post(
        f"/portal/help/{owners_request.idempotency_key}/draft/", {"kind": "care"}
    )
    owners_request.refresh_from_db()
    assert owners_request.kind == "living_costs"
    assert (
        owners_request.status == RequestStatus.CASE_OPENED
        or owners_request.status == RequestStatus.WITH_WORKER
    )


def test_submission_rate_limited(send, resident: Client, settings):
    settings.PORTAL_REQUESTS_PER_HOUR = 2
    for _ in range(2):
        assert send(resident, _new_form(resident) + "send/", FORM).status_code == 302
    response = send(resident, _new_form(resident) + "send/", FORM)
    assert response.status_code == 400
    assert b"many requests this hour" in response.content
    assert HelpRequest.objects.exclude(status=RequestStatus.DRAFT).count() == 2


def test_request_audited_without_details(send, resident: Client):
    send(resident, _new_form(resident) + "send/", FORM)
    entry = AuditEntry.objects.get(object_type="portal.helprequest", action="create")
    assert "pension" not in str(entry.detail)
    assert entry.detail["assisted"] is False


def test_assisted_mode_recorded(send, household, users):
    worker = signed_in(users["owner"])
    assert worker.get("/portal/staff/assist/").status_code == 200
    worker.post("/portal/staff/assist/")
    sign_in(worker)
    home = worker.get("/portal/", HTTP_ACCEPT_LANGUAGE="en")
    assert b"A community worker" in home.content
    send(worker, _new_form(worker) + "send/", {**FORM, "kind": "care"})
    request = HelpRequest.objects.get()
    assert request.assisted_by == users["owner"]
    entry = AuditEntry.objects.get(object_type="portal.helprequest", action="create")
    assert entry.actor == users["owner"]
    assert entry.detail["assisted"] is True


def test_resident_alone_not_assisted(send, resident: Client):
    send(resident, _new_form(resident) + "send/", FORM)
    assert HelpRequest.objects.get().assisted_by is None


def test_staff_queue_shows_region_and_desk(
    send, resident: Client, linked_account, users, household
):
    send(resident, _new_form(resident) + "send/", {**FORM, "kind": "care"})
    unlinked = sign_in(Client(), OTHER_PHONE)
    send(unlinked, _new_form(unlinked) + "send/", {**FORM, "kind": "care"})
    owner_page = signed_in(users["owner"]).get("/portal/staff/requests/")
    for request in HelpRequest.objects.all():
        assert f"/portal/staff/requests/{request.pk}/".encode() in owner_page.content
    outsider = signed_in(users["outsider"])
    region_request = HelpRequest.objects.get(account=linked_account)
    assert (
        outsider.get(f"/portal/staff/requests/{region_request.pk}/").status_code == 404
    )
    assert (
        AuditEntry.objects.filter(
            object_type="portal.helprequest", action="read"
        ).count()
        == 0
    )
    signed_in(users["owner"]).get(f"/portal/staff/requests/{region_request.pk}/")
    assert (
        AuditEntry.objects.filter(
            object_type="portal.helprequest", action="read"
        ).count()
        == 1
    )


def test_staff_pages_refuse_other_roles(users):
    assert signed_in(users["street"]).get("/portal/staff/requests/").status_code == 403
    assert signed_in(users["street"]).post("/portal/staff/assist/").status_code == 403


def test_service_submit_is_idempotent(resident_account: PortalAccount):
    key = uuid.uuid4()
    first, sent_first = help_requests.submit(resident_account, key, FORM)
    second, sent_second = help_requests.submit(resident_account, key, FORM)
    assert first.pk == second.pk
    assert sent_first
    assert not sent_second
