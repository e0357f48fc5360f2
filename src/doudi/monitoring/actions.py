"""The warning page's action forms and the service each one calls.

Each form posts to `monitoring:act` with the action's name. The form's
prefix is the action's name, so several forms share one page without
clashing ids.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from doudi.monitoring import conversion, lifecycle
from doudi.monitoring.forms import (
    AssignForm,
    CloseForm,
    ConvertForm,
    ResolveForm,
    VisitForm,
)
from doudi.monitoring.models import Warning
from doudi.monitoring.permissions import WarningAction
from doudi.monitoring.reasons import reason_text
from doudi.privacy.models import User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

Runner = Callable[[User, int, dict[str, Any], HttpRequest], str]


@dataclass(frozen=True)
class ActionSpec:
    form: type[forms.Form]
    run: Runner
    button: StrOrPromise
    done: StrOrPromise


def _detail(pk: int) -> str:
    return reverse("monitoring:warning_detail", args=[pk])


def _assign(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> str:
    lifecycle.assign(
        user,
        pk,
        version=data["version"],
        assignee_id=data["assignee"],
        request=request,
    )
    return _detail(pk)


def _visit(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> str:
    lifecycle.record_visit(
        user,
        pk,
        version=data["version"],
        visited_on=data["visited_on"],
        note=data["note"],
        request=request,
    )
    return _detail(pk)


def _resolve(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> str:
    lifecycle.resolve(
        user,
        pk,
        version=data["version"],
        outcome=data["outcome"],
        note=data["note"],
        request=request,
    )
    return _detail(pk)


def _close(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> str:
    lifecycle.close_no_need(
        user, pk, version=data["version"], reason=data["reason"], request=request
    )
    return _detail(pk)


def _convert(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> str:
    done = conversion.convert_to_case(
        user,
        pk,
        version=data["version"],
        scheme=data["scheme"],
        situation=data["situation"],
        request=request,
    )
    return reverse("cases:case_detail", args=[done.case.pk])


ACTIONS: Final[dict[str, ActionSpec]] = {
    WarningAction.ASSIGN: ActionSpec(
        AssignForm, _assign, gettext_lazy("Assign"), gettext_lazy("Assigned.")
    ),
    WarningAction.VISIT: ActionSpec(
        VisitForm,
        _visit,
        gettext_lazy("Record the visit"),
        gettext_lazy("The visit was recorded."),
    ),
    WarningAction.RESOLVE: ActionSpec(
        ResolveForm,
        _resolve,
        gettext_lazy("Resolve"),
        gettext_lazy("The warning was resolved."),
    ),
    WarningAction.CONVERT: ActionSpec(
        ConvertForm,
        _convert,
        gettext_lazy("Open a case from this warning"),
        gettext_lazy("A case was opened from the warning."),
    ),
    WarningAction.CLOSE: ActionSpec(
        CloseForm,
        _close,
        gettext_lazy("Close: no need"),
        gettext_lazy("The warning was closed."),
    ),
}


def make_form(
    action: str, warning: Warning, workers: list[User], data: Any = None
) -> forms.Form:
    """Return the action's form, bound to `data` or filled with its defaults."""
    initial: dict[str, Any] = {"version": warning.version}
    kwargs: dict[str, Any] = {}
    if action == WarningAction.ASSIGN:
        kwargs["workers"] = [(w.pk, w.get_username()) for w in workers]
        initial["assignee"] = warning.assigned_to_id
    elif action == WarningAction.VISIT:
        initial["visited_on"] = timezone.localdate()
    elif action == WarningAction.CONVERT:
        initial["scheme"] = conversion.scheme_of(warning)
        initial["situation"] = reason_text(warning.reason_code)
    form: forms.Form = ACTIONS[action].form(
        data, prefix=action, initial=initial, **kwargs
    )
    return form


@dataclass(frozen=True)
class PageAction:
    name: str
    button: StrOrPromise
    form: forms.Form


def page_actions(
    allowed: list[WarningAction],
    warning: Warning,
    workers: list[User],
    bound: tuple[str, forms.Form] | None = None,
) -> list[PageAction]:
    """Return the forms the page shows, in the order of the allowed actions."""
    items = []
    for action in allowed:
        form = (
            bound[1]
            if bound and bound[0] == action
            else make_form(action, warning, workers)
        )
        items.append(PageAction(action.value, ACTIONS[action].button, form))
    return items


@dataclass(frozen=True)
class ActionResult:
    redirect_to: str | None
    message: str
    form: forms.Form
    status: int


def run_action(
    user: User,
    warning: Warning,
    workers: list[User],
    action: str,
    request: HttpRequest,
) -> ActionResult:
    """Validate the posted form and run the action's service."""
    spec = ACTIONS[action]
    form = make_form(action, warning, workers, request.POST)
    if not form.is_valid():
        return ActionResult(None, "", form, 400)
    try:
        target = spec.run(user, warning.pk, form.cleaned_data, request)
    except lifecycle.WarningError as error:
        return _rejected(form, error, 409, warning, action)
    except ValidationError as error:
        return _rejected(form, error, 400, warning, action)
    except (PermissionDenied, Http404) as error:
        return _rejected(form, error, 403, warning, action)
    return ActionResult(target, str(spec.done), form, 302)


def _rejected(
    form: forms.Form, error: Exception, status: int, warning: Warning, action: str
) -> ActionResult:
    logger.info(
        "warning %s: %s rejected (%s)", warning.pk, action, type(error).__name__
    )
    if isinstance(error, ValidationError):
        text = " ".join(error.messages)
    else:
        text = str(error)
    form.add_error(None, text)
    return ActionResult(None, text, form, status)
