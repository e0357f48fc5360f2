"""Community workers: the help-request queue, link confirmation, assisted mode."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from doudi.portal import linking, staff
from doudi.portal.forms import WorkerLinkForm
from doudi.portal.views import ASSIST_PENDING_KEY


@require_GET
@login_required
def intake_queue(request: HttpRequest) -> HttpResponse:
    rows = staff.queue(staff.require_worker(request.user), request)
    return render(request, "portal/staff_queue.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@login_required
def intake_request(request: HttpRequest, pk: int) -> HttpResponse:
    worker = staff.require_worker(request.user)
    help_request = staff.open_request(worker, pk, request)
    form = WorkerLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            linking.confirm_link(
                worker, help_request.account, form.cleaned_data["resident_id"], request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("portal:staff_request", pk=pk)
    context = {"help_request": help_request, "form": form}
    return render(request, "portal/staff_request.html", context)


@require_GET
@login_required
def document(request: HttpRequest, pk: int) -> FileResponse:
    worker = staff.require_worker(request.user)
    found, path = staff.open_document(worker, pk, request)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type,
    )


@require_http_methods(["GET", "POST"])
@login_required
def assist(request: HttpRequest) -> HttpResponse:
    """Start assisted mode: the resident's own sign-in, with the worker recorded."""
    worker = staff.require_worker(request.user)
    if request.method == "POST":
        request.session[ASSIST_PENDING_KEY] = worker.pk
        return redirect("portal:sign_in")
    return render(request, "portal/staff_assist.html")
