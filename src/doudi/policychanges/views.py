"""The policy officer's pages: parameters, proposals, decisions, simulation.

Every page is for city administrators only; other users get 403.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doudi.core.security import allow_chart_scripts
from doudi.policy import ParameterNotFound
from doudi.policy.schema import SCHEMA
from doudi.policychanges import effective, services, simulations
from doudi.policychanges.affected import affected_rows
from doudi.policychanges.forms import (
    BaseOverrideFormSet,
    DecisionForm,
    OverrideFormSet,
    ProposeForm,
    SimulationForm,
)
from doudi.policychanges.labels import parameter_label, unit_label
from doudi.policychanges.models import ChangeStatus, ParameterChange
from doudi.policychanges.tables import history_rows, parameter_rows
from doudi.policychanges.values import display, format_hint, from_json
from doudi.privacy.models import User

logger = logging.getLogger(__name__)


def _officer(request: HttpRequest) -> User:
    return services.require_officer(request.user)


@login_required
@require_GET
def parameter_list(request: HttpRequest) -> HttpResponse:
    _officer(request)
    city, today = settings.DOUDI_CITY, timezone.localdate()
    rows = parameter_rows(effective.effective_parameters(), city, today)
    open_changes = ParameterChange.objects.filter(
        city=city, status=ChangeStatus.PROPOSED
    ).count()
    context = {"rows": rows, "city": city, "today": today, "open_changes": open_changes}
    return render(request, "policychanges/parameter_list.html", context)


@login_required
@require_GET
def parameter_detail(request: HttpRequest, name: str) -> HttpResponse:
    _officer(request)
    if name not in SCHEMA:
        raise Http404(_("No policy parameter has this name."))
    city, today = settings.DOUDI_CITY, timezone.localdate()
    params = effective.effective_parameters()
    changes = ParameterChange.objects.filter(city=city, name=name).select_related(
        "proposed_by", "decided_by"
    )
    context = {
        "name": name,
        "label": parameter_label(name),
        "unit": unit_label(SCHEMA[name].unit),
        "history": history_rows(params, city, name, today),
        "changes": changes,
        "today": today,
    }
    return render(request, "policychanges/parameter_detail.html", context)


@allow_chart_scripts
@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    districts = services.city_districts()
    if request.method == "GET":
        form = ProposeForm(initial=_propose_initial(request), districts=districts)
        return _propose_page(request, form)

    form = ProposeForm(request.POST, districts=districts)
    if not form.is_valid():
        return _propose_page(request, form, status=400)
    proposal = form.proposal()
    fingerprint = _fingerprint(form.cleaned_data)
    try:
        if request.POST.get("action") == "submit" and (
            request.POST.get("previewed") == fingerprint
        ):
            change, _created = services.propose(user, proposal, request)
            return redirect("policychanges:change_detail", pk=change.pk)
        draft = services.draft(proposal, user)
        shown = services.preview(draft, effective.effective_parameters())
    except (services.ChangeNotAllowed, ParameterNotFound) as error:
        logger.warning("proposal by user %s rejected: %s", user.pk, error)
        form.add_error(None, str(error))
        return _propose_page(request, form, status=400)
    changed = request.POST.get("action") == "submit"
    context = {
        "preview": _simulation_context(shown, draft),
        "fingerprint": fingerprint,
        "changed_since_preview": changed,
        "change": draft,
        "label": parameter_label(draft.name),
        "unit": unit_label(SCHEMA[draft.name].unit),
    }
    return _propose_page(request, form, context)


def _propose_initial(request: HttpRequest) -> dict[str, Any]:
    name = request.GET.get("name", "")
    district = request.GET.get("district", "")
    if name not in SCHEMA:
        return {}
    initial: dict[str, Any] = {"name": name, "district": district}
    try:
        current = effective.effective_parameters().get(
            name,
            city=settings.DOUDI_CITY,
            on=timezone.localdate(),
            district=district or None,
        )
    except ParameterNotFound:
        return initial
    initial["value"] = display(SCHEMA[name], current.value)
    return initial


def _fingerprint(cleaned: dict[str, Any]) -> str:
    """Identify what a preview showed: parameter, level, date and value."""
    shown = [
        cleaned["name"],
        cleaned["district"],
        cleaned["effective_from"].isoformat(),
        str(cleaned["parsed_value"]),
    ]
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()


def _propose_page(
    request: HttpRequest,
    form: ProposeForm,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    hints = [
        (name, parameter_label(name), format_hint(spec))
        for name, spec in SCHEMA.items()
    ]
    context = {"form": form, "hints": hints, **(extra or {})}
    return render(request, "policychanges/propose.html", context, status=status)


@login_required
@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    _officer(request)
    status = request.GET.get("status", "")
    changes = ParameterChange.objects.filter(city=settings.DOUDI_CITY).select_related(
        "proposed_by", "decided_by"
    )
    if status in ChangeStatus.values:
        changes = changes.filter(status=status)
    context = {
        "changes": changes[:500],
        "status": status,
        "statuses": ChangeStatus.choices,
    }
    return render(request, "policychanges/change_list.html", context)


@allow_chart_scripts
@login_required
@require_GET
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    change = _change(pk)
    return _change_page(request, user, change, DecisionForm())


def _change(pk: int) -> ParameterChange:
    return get_object_or_404(
        ParameterChange.objects.select_related("proposed_by", "decided_by"),
        pk=pk,
        city=settings.DOUDI_CITY,
    )


def _change_page(
    request: HttpRequest,
    user: User,
    change: ParameterChange,
    form: DecisionForm,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    is_open = change.status == ChangeStatus.PROPOSED
    is_proposer = change.proposed_by_id == user.pk
    context = {
        "change": change,
        "label": parameter_label(change.name),
        "unit": unit_label(SCHEMA[change.name].unit),
        "value": display(
            SCHEMA[change.name], from_json(SCHEMA[change.name], change.value)
        ),
        "stored": _simulation_context(change.simulation, change),
        "current_replaced": _current_replaced(change) if is_open else None,
        "can_decide": is_open and not is_proposer,
        "can_withdraw": is_open and is_proposer,
        "is_proposer": is_proposer,
        "form": form,
        "error": error,
    }
    return render(request, "policychanges/change_detail.html", context, status=status)


def _current_replaced(change: ParameterChange) -> list[dict[str, str]] | None:
    """Return the entries approval would replace now, if they differ from the stored."""
    spec = SCHEMA[change.name]
    entries = effective.replaced_entries(effective.effective_parameters(), change)
    now = [
        {
            "effective_from": entry.effective_from.isoformat(),
            "value": display(spec, entry.value),
            "quality": entry.quality.value,
            "source": entry.source,
        }
        for entry in entries
    ]
    return None if now == change.simulation.get("replaced", []) else now


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    user = _officer(request)
    change = _change(pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _change_page(request, user, change, form, status=400)
    note = form.cleaned_data["note"]
    try:
        if decision == "approve":
            services.approve(user, pk, note, request)
        elif decision == "reject":
            services.reject(user, pk, note, request)
        else:
            services.withdraw(user, pk, request)
    except services.ChangeNotAllowed as error:
        logger.warning(
            "decision on change %s by user %s rejected: %s", pk, user.pk, error
        )
        change.refresh_from_db()
        status = 403 if isinstance(error, services.SelfApproval) else 409
        if not isinstance(error, services.AlreadyDecided | services.SelfApproval):
            status = 400
        return _change_page(request, user, change, form, str(error), status)
    return redirect("policychanges:change_detail", pk=pk)


@login_required
@require_GET
def export_yaml(request: HttpRequest) -> HttpResponse:
    _officer(request)
    city = settings.DOUDI_CITY
    text = effective.effective_parameters().to_yaml(city)
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    filename = f"{city.lower()}-effective-{timezone.localdate().isoformat()}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@allow_chart_scripts
@login_required
@require_GET
def simulate(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    districts = services.city_districts()
    submitted = "effective_from" in request.GET
    data = request.GET if submitted else None
    form = SimulationForm(data, districts=districts)
    overrides = cast(BaseOverrideFormSet, OverrideFormSet(data, prefix="set"))
    context: dict[str, Any] = {"form": form, "overrides": overrides}
    if not submitted:
        return render(request, "policychanges/simulate.html", context)
    if not (form.is_valid() and overrides.is_valid()):
        return render(request, "policychanges/simulate.html", context, status=400)

    start = form.cleaned_data["effective_from"]
    district = form.cleaned_data["district"] or None
    baseline = effective.effective_parameters()
    try:
        reform = baseline.with_overrides(
            {name: [(start, value)] for name, value in overrides.overrides().items()},
            city=settings.DOUDI_CITY,
            district=district,
        )
        on = simulations.simulation_day(start, timezone.localdate())
        run = simulations.run_simulation(baseline, reform, on)
    except (ParameterNotFound, ValueError) as error:
        logger.warning("simulation failed: %s", error)
        form.add_error(None, str(error))
        return render(request, "policychanges/simulate.html", context, status=400)

    context["result"] = _simulation_context(run.summary, None)
    context["affected"] = affected_rows(
        user, run.affected, districts, request, sorted(overrides.overrides()), on
    )
    return render(request, "policychanges/simulate.html", context)


def _simulation_context(
    summary: dict[str, Any], change: ParameterChange | None
) -> dict[str, Any]:
    districts = services.city_districts()
    rows = simulations.display_rows(summary, districts)
    subject = parameter_label(change.name) if change is not None else _("the reform")
    description = _(
        "Bar chart of the monthly cost change in yuan per district and scheme "
        "under %(subject)s. The table gives the same figures."
    ) % {"subject": subject}
    return {
        **summary,
        "rows": rows,
        "changed_rows": [row for row in rows if row["changed"]],
        "total_yuan": simulations.yuan(summary["totals"]["monthly_cost_change_fen"]),
        "chart": simulations.chart_spec(
            rows,
            title=_("Monthly cost change by district"),
            axis_title=_("Monthly cost change (yuan)"),
            description=description,
        ),
        "chart_description": description,
        "district_name": districts.get(change.district_code, "") if change else "",
    }
