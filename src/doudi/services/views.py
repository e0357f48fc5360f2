"""Staff pages of the service catalogue: thin views over queries and changes.

Every staff role reads the pages. The edit pages check the editor's role and
region through the change functions, which also write the audit entries.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doudi.privacy.models import User
from doudi.registry.models import Region
from doudi.services import changes, display, exporting, permissions, queries
from doudi.services.forms import (
    CatalogueFilter,
    ImportForm,
    LocationForm,
    OrganizationFilter,
    OrganizationForm,
    PhoneForm,
    ScheduleForm,
    ServiceForm,
)
from doudi.services.loading import import_file
from doudi.services.models import (
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
)

PAGE_SIZE = 25


def _viewer(request: HttpRequest) -> User:
    return permissions.require_viewer(request.user)


def _new_id(request: HttpRequest) -> uuid.UUID:
    """Return the id a create form carries, or a fresh one for a new form."""
    try:
        return uuid.UUID(request.POST.get("new_id", ""))
    except ValueError:
        return uuid.uuid4()


def _page(request: HttpRequest, items: QuerySet[Any]) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _list_page(
    request: HttpRequest, template: str, fragment: str, context: dict[str, Any]
) -> HttpResponse:
    """Render the page, or only its results for the filter form's htmx request."""
    htmx = getattr(request, "htmx", None)
    partial = htmx is not None and bool(htmx) and htmx.target == "results"
    filters = request.GET.copy()
    filters.pop("page", None)
    response = render(
        request,
        fragment if partial else template,
        {**context, "query": filters.urlencode()},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _district(code: str) -> Region | None:
    return queries.districts().filter(code=code).first() if code else None


def _nav(user: User) -> dict[str, bool]:
    return {
        "can_add": permissions.can_add_organization(user),
        "can_import": permissions.is_city_admin(user),
    }


@login_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    form = CatalogueFilter(request.GET or None)
    criteria = queries.ServiceFilter()
    if form.is_valid():
        data = form.cleaned_data
        criteria = queries.ServiceFilter(
            text=data["q"],
            category=data["category"],
            region=_district(data["district"]),
            status=data["status"],
        )
    services = queries.search_services(criteria).prefetch_related(
        "categories", "capacities"
    )
    context = {"form": form, "page": _page(request, services), **_nav(user)}
    return _list_page(
        request, "services/catalogue.html", "services/_service_table.html", context
    )


@login_required
@require_GET
def organization_list(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    form = OrganizationFilter(request.GET or None)
    organizations = queries.search_organizations()
    if form.is_valid():
        data = form.cleaned_data
        organizations = queries.search_organizations(
            data["q"], data["organization_type"], _district(data["district"])
        )
    context = {"form": form, "page": _page(request, organizations), **_nav(user)}
    return _list_page(
        request,
        "services/organization_list.html",
        "services/_organization_table.html",
        context,
    )


def _organization(pk: uuid.UUID) -> Organization:
    places = Location.objects.select_related("region").prefetch_related("addresses")
    return get_object_or_404(
        Organization.objects.select_related("region").prefetch_related(
            Prefetch("locations", queryset=places),
            Prefetch(
                "services", queryset=Service.objects.prefetch_related("categories")
            ),
            "phones",
            "contacts__phones",
        ),
        pk=pk,
    )


@login_required
@require_GET
def organization_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = _viewer(request)
    organization = _organization(pk)
    context = {
        "organization": organization,
        "can_edit": permissions.can_edit(user, organization),
        **_nav(user),
    }
    return render(request, "services/organization_detail.html", context)


def _service(pk: uuid.UUID) -> Service:
    links = ServiceAtLocation.objects.select_related(
        "location__region"
    ).prefetch_related("schedules", "location__schedules", "location__addresses")
    return get_object_or_404(
        Service.objects.select_related("organization").prefetch_related(
            "categories",
            "capacities",
            "required_documents",
            "schedules",
            "phones",
            "contacts__phones",
            Prefetch("service_at_locations", queryset=links),
        ),
        pk=pk,
    )


@login_required
@require_GET
def service_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = _viewer(request)
    service = _service(pk)
    context = {
        "service": service,
        "hours": display.hours_rows(service),
        "can_edit": permissions.can_edit(user, service.organization),
        **_nav(user),
    }
    return render(request, "services/service_detail.html", context)


def _form_page(
    request: HttpRequest, form: Any, context: dict[str, Any]
) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    back = context.pop("back", None)
    back_url = owner_url(back) if back is not None else reverse("services:catalogue")
    page = {"form": form, "new_id": _new_id(request), "back_url": back_url, **context}
    return render(request, "services/form.html", page, status=status)


def _values(form: Any) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


@login_required
@require_http_methods(["GET", "POST"])
def organization_new(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    if not permissions.can_add_organization(user):
        raise permissions.NotAllowed(
            _("Only city administrators and district approvers add organisations.")
        )
    form = OrganizationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        organization = changes.save_organization(
            user, _values(form), new_id=_new_id(request), request=request
        )
        messages.success(request, _("The organisation is saved."))
        return redirect("services:organization_detail", pk=organization.pk)
    return _form_page(request, form, {"title": _("Add an organisation")})


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = _viewer(request)
    organization = get_object_or_404(Organization, pk=pk)
    permissions.require_editor(user, organization.region)
    form = OrganizationForm(request.POST or None, instance=organization, user=user)
    if request.method == "POST" and form.is_valid():
        changes.save_organization(
            user, _values(form), organization=organization, request=request
        )
        messages.success(request, _("The organisation is saved."))
        return redirect("services:organization_detail", pk=organization.pk)
    context = {"title": _("Edit %(name)s") % {"name": organization.name}}
    return _form_page(request, form, {**context, "back": organization})


def _parts(form: ServiceForm) -> changes.ServiceParts:
    data = form.cleaned_data
    return changes.ServiceParts(
        categories=frozenset(data["categories"]),
        locations=tuple(data["locations"]),
        documents=tuple(data["documents"]),
        capacity=form.capacity(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = _viewer(request)
    organization = get_object_or_404(Organization, pk=pk)
    permissions.require_editor(user, organization.region)
    form = ServiceForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        service = changes.save_service(
            user,
            organization,
            _values(form),
            _parts(form),
            new_id=_new_id(request),
            request=request,
        )
        messages.success(request, _("The service is saved."))
        return redirect("services:service_detail", pk=service.pk)
    title = _("Add a service of %(name)s") % {"name": organization.name}
    return _form_page(request, form, {"title": title, "back": organization})


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = _viewer(request)
    service = get_object_or_404(Service.objects.select_related("organization"), pk=pk)
    organization = service.organization
    permissions.require_editor(user, organization.region)
    form = ServiceForm(
        request.POST or None, instance=service, organization=organization
    )
    if request.method == "POST" and form.is_valid():
        changes.save_service(
            user,
            organization,
            _values(form),
            _parts(form),
            service=service,
            request=request,
        )
        messages.success(request, _("The service is saved."))
        return redirect("services:service_detail", pk=service.pk)
    title = _("Edit %(name)s") % {"name": service.name}
    return _form_page(request, form, {"title": title, "back": service})


def _save_location(
    request: HttpRequest, organization: Organization, location: Location | None
) -> HttpResponse:
    user = _viewer(request)
    permissions.require_editor(user, organization.region)
    form = LocationForm(
        request.POST or None, instance=location, organization=organization
    )
    if request.method == "POST" and form.is_valid():
        changes.save_location(
            user,
            organization,
            _values(form),
            form.address(),
            location=location,
            new_id=_new_id(request),
            request=request,
        )
        messages.success(request, _("The place is saved."))
        return redirect("services:organization_detail", pk=organization.pk)
    title = _("Place of %(name)s") % {"name": organization.name}
    return _form_page(request, form, {"title": title, "back": organization})


@login_required
@require_http_methods(["GET", "POST"])
def location_new(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _save_location(request, get_object_or_404(Organization, pk=pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def location_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    location = get_object_or_404(
        Location.objects.select_related("organization"),
        pk=pk,
        organization__isnull=False,
    )
    assert location.organization is not None
    return _save_location(request, location.organization, location)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_new(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = _viewer(request)
    service = get_object_or_404(Service.objects.select_related("organization"), pk=pk)
    permissions.require_editor(user, service.organization.region)
    form = ScheduleForm(request.POST or None, service=service)
    if request.method == "POST" and form.is_valid():
        changes.add_schedule(
            user,
            service,
            form.schedule_values(),
            new_id=_new_id(request),
            request=request,
        )
        messages.success(request, _("The opening hours are added."))
        return redirect("services:service_detail", pk=service.pk)
    title = _("Opening hours of %(name)s") % {"name": service.name}
    return _form_page(request, form, {"title": title, "back": service})


@login_required
@require_POST
def schedule_delete(
    request: HttpRequest, pk: uuid.UUID, schedule_pk: uuid.UUID
) -> HttpResponse:
    user = _viewer(request)
    service = get_object_or_404(Service.objects.select_related("organization"), pk=pk)
    found = Schedule.objects.filter(
        Q(service=service) | Q(service_at_location__service=service), pk=schedule_pk
    ).first()
    if found is not None:
        changes.delete_schedule(user, found, service, request=request)
        messages.success(request, _("The opening hours are deleted."))
    return redirect("services:service_detail", pk=service.pk)


def _add_phone(request: HttpRequest, owner: Organization | Service) -> HttpResponse:
    user = _viewer(request)
    organization = owner if isinstance(owner, Organization) else owner.organization
    permissions.require_editor(user, organization.region)
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        changes.add_phone(
            user, owner, form.cleaned_data, new_id=_new_id(request), request=request
        )
        messages.success(request, _("The phone number is added."))
        return redirect(owner_url(owner))
    title = _("Phone number of %(name)s") % {"name": owner.name}
    return _form_page(request, form, {"title": title, "back": owner})


def owner_url(owner: Organization | Service) -> str:
    if isinstance(owner, Organization):
        return reverse("services:organization_detail", kwargs={"pk": owner.pk})
    return reverse("services:service_detail", kwargs={"pk": owner.pk})


@login_required
@require_http_methods(["GET", "POST"])
def organization_phone_new(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _add_phone(request, get_object_or_404(Organization, pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def service_phone_new(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    service = get_object_or_404(Service.objects.select_related("organization"), pk=pk)
    return _add_phone(request, service)


@login_required
@require_POST
def phone_delete(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = _viewer(request)
    phone = get_object_or_404(
        Phone.objects.select_related("organization", "service__organization"), pk=pk
    )
    owner = phone.organization or phone.service
    if owner is None:
        raise permissions.NotAllowed(
            _("This number belongs to a place or contact; change it by import.")
        )
    changes.delete_phone(user, phone, owner, request=request)
    messages.success(request, _("The phone number is deleted."))
    return redirect(owner_url(owner))


@login_required
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST":
        permissions.require_city_admin(user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = import_file(user, upload.read(), upload.name, request=request)
    context = {"form": form, "report": report, **_nav(user)}
    status = 400 if report is not None and not report.ok else 200
    return render(request, "services/transfer.html", context, status=status)


def _download(
    request: HttpRequest, kind: str, content: bytes, name: str
) -> HttpResponse:
    user = _viewer(request)
    exporting.record_export(user, kind, content, request)
    media = "application/json" if kind == "json" else "application/zip"
    response = HttpResponse(content, content_type=media)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    return _download(request, "json", exporting.export_json(), "catalogue.json")


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    return _download(request, "csv", exporting.export_csv_zip(), "catalogue-csv.zip")
