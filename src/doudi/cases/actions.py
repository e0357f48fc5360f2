"""The case page's action forms and the service each one calls.

Each form posts to `cases:act` with the action's name. The form's prefix is
the action's name, so that several forms share one page without clashing ids.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doudi.assessments.queries import ExplainedAssessment
from doudi.cases import services
from doudi.cases.complaints import answer_complaint
from doudi.cases.forms import (
    AmountForm,
    AnswerForm,
    AppealDecisionForm,
    AppealForm,
    DocumentForm,
    NoteForm,
    NoticeForm,
    ObjectionForm,
    ReasonForm,
    VersionForm,
    to_fen,
    to_yuan,
)
from doudi.cases.limits import LIMITS
from doudi.cases.models import Case, CaseAction
from doudi.privacy.models import User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

Runner = Callable[[User, int, dict[str, Any], HttpRequest], Case | None]


@dataclass(frozen=True)
class ActionSpec:
    form: type[forms.Form]
    run: Runner
    button: StrOrPromise
    done: StrOrPromise


def _accept(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> Case:
    return services.accept(user, pk, version=data["version"], request=request)


def _answer_complaint(
    user: User, pk: int, data: dict[str, Any], request: HttpRequest
) -> Case:
    return answer_complaint(
        user, pk, version=data["version"], answer=data["answer"], request=request
    )


def _withdraw(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> Case:
    return services.withdraw(
        user, pk, version=data["version"], note=data["note"], request=request
    )


def _special(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> Case:
    return services.mark_special(
        user, pk, version=data["version"], reason=data["reason"], request=request
    )


def _verify(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> Case:
    return services.request_verification(
        user, pk, version=data["version"], request=request
    )


def _to_notice(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> Case:
    return services.send_to_notice(
        user,
        pk,
        version=data["version"],
        proposed_amount_fen=to_fen(data["amount_yuan"]),
        note=data["note"],
        request=request,
    )


def _return(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> Case:
    return services.return_for_survey(
        user, pk, version=data["version"], note=data["reason"], request=request
    )


def _refuse(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> Case:
    return services.refuse(
        user, pk, version=data["version"], reason=data["reason"], request=request
    )


def _start(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> Case:
    return services.start_notice(
        user,
        pk,
        version=data["version"],
        starts_on=data["starts_on"],
        request=request,
    )


def _objection(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> None:
    services.record_objection(
        user,
        pk,
        received_on=data["received_on"],
        summary=data["summary"],
        request=request,
    )


def _close(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> Case:
    return services.close_notice(
        user, pk, version=data["version"], note=data["note"], request=request
    )


def _approve(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> Case:
    return services.approve(
        user,
        pk,
        version=data["version"],
        amount_fen=to_fen(data["amount_yuan"]),
        note=data["note"],
        request=request,
    )


def _issue(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> Case:
    return services.issue_refusal_notice(
        user, pk, version=data["version"], request=request
    )


def _appeal(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> Case:
    appeal, _created = services.file_appeal(
        user, pk, reason=data["reason"], request=request
    )
    return appeal


def _accept_appeal(
    user: User, pk: int, data: dict[str, Any], request: HttpRequest
) -> Case:
    return services.accept_appeal(user, pk, version=data["version"], request=request)


def _decide_appeal(
    user: User, pk: int, data: dict[str, Any], request: HttpRequest
) -> Case:
    return services.decide_appeal(
        user,
        pk,
        version=data["version"],
        overturn=data["outcome"] == "overturn",
        reason=data["reason"],
        request=request,
    )


def _document(user: User, pk: int, data: dict[str, Any], request: HttpRequest) -> None:
    services.add_document(
        user, pk, kind=data["kind"], upload=data["file"], request=request
    )


A = CaseAction
# The decision on an appeal is one form with two outcomes, named after the
# first of its two actions.
DECIDE_APPEAL: Final = "decide_appeal"
ACTIONS: Final[dict[str, ActionSpec]] = {
    A.ACCEPT: ActionSpec(
        VersionForm,
        _accept,
        gettext_lazy("Accept the application"),
        gettext_lazy("Accepted."),
    ),
    A.WITHDRAW: ActionSpec(
        NoteForm,
        _withdraw,
        gettext_lazy("Withdraw at the household's request"),
        gettext_lazy("Withdrawn."),
    ),
    A.MARK_SPECIAL: ActionSpec(
        ReasonForm,
        _special,
        gettext_lazy("Mark as a special case (45 working days)"),
        gettext_lazy("Marked as a special case."),
    ),
    A.VERIFY: ActionSpec(
        VersionForm,
        _verify,
        gettext_lazy("Verify the economic situation now"),
        gettext_lazy("Verified; the case is with the street."),
    ),
    A.SEND_TO_NOTICE: ActionSpec(
        AmountForm,
        _to_notice,
        gettext_lazy("Approve for public notice"),
        gettext_lazy("Approved for public notice."),
    ),
    A.RETURN_FOR_SURVEY: ActionSpec(
        ReasonForm,
        _return,
        gettext_lazy("Return for another survey"),
        gettext_lazy("Returned for another survey."),
    ),
    A.REFUSE: ActionSpec(
        ReasonForm, _refuse, gettext_lazy("Refuse"), gettext_lazy("Refused.")
    ),
    A.START_NOTICE: ActionSpec(
        NoticeForm,
        _start,
        gettext_lazy("Start the public notice"),
        gettext_lazy("The public notice started."),
    ),
    A.RECORD_OBJECTION: ActionSpec(
        ObjectionForm,
        _objection,
        gettext_lazy("Record an objection"),
        gettext_lazy("The objection was recorded."),
    ),
    A.CLOSE_NOTICE: ActionSpec(
        NoteForm,
        _close,
        gettext_lazy("Close the notice and send to the district"),
        gettext_lazy("The notice was closed."),
    ),
    A.APPROVE: ActionSpec(
        AmountForm,
        _approve,
        gettext_lazy("Approve and grant the award"),
        gettext_lazy("Approved; the award was granted."),
    ),
    A.ISSUE_REFUSAL_NOTICE: ActionSpec(
        VersionForm,
        _issue,
        gettext_lazy("Record that the written refusal was issued"),
        gettext_lazy("The written refusal was recorded."),
    ),
    A.ANSWER_COMPLAINT: ActionSpec(
        AnswerForm,
        _answer_complaint,
        gettext_lazy("Answer the complaint"),
        gettext_lazy("The complaint is answered and closed."),
    ),
    A.FILE_APPEAL: ActionSpec(
        AppealForm,
        _appeal,
        gettext_lazy("File an appeal"),
        gettext_lazy("Appeal filed."),
    ),
    A.ACCEPT_APPEAL: ActionSpec(
        VersionForm,
        _accept_appeal,
        gettext_lazy("Accept the appeal for review"),
        gettext_lazy("Appeal accepted."),
    ),
    DECIDE_APPEAL: ActionSpec(
        AppealDecisionForm,
        _decide_appeal,
        gettext_lazy("Decide the appeal"),
        gettext_lazy("Appeal decided."),
    ),
    A.ADD_DOCUMENT: ActionSpec(
        DocumentForm,
        _document,
        gettext_lazy("Add the document"),
        gettext_lazy("The document was added."),
    ),
}


def blank_forms(
    case: Case, recommendation: ExplainedAssessment | None
) -> dict[str, forms.Form]:
    """Return an empty form of every action, carrying the case's version.

    The street office's amount starts from the engine's recommendation and
    the district's from the amount the street office proposed.
    """
    today = timezone.localdate()
    recommended = (
        recommendation.amount_fen
        if recommendation is not None and recommendation.eligible
        else None
    )
    proposed = case.proposed_amount_fen
    amounts = {
        CaseAction.SEND_TO_NOTICE.value: recommended,
        CaseAction.APPROVE.value: proposed if proposed is not None else recommended,
    }
    prepared: dict[str, forms.Form] = {}
    for name, spec in ACTIONS.items():
        initial: dict[str, object] = {
            "version": case.version,
            "starts_on": today,
            "received_on": today,
        }
        if amounts.get(name) is not None:
            initial["amount_yuan"] = to_yuan(amounts[name])
        prepared[name] = spec.form(prefix=name, initial=initial)
    return prepared


@dataclass(frozen=True)
class Outcome:
    redirect_to: str | None
    message: str
    form: forms.Form
    status: int = 200


def run_action(user: User, pk: int, name: str, request: HttpRequest) -> Outcome:
    """Validate the posted form of action `name` and call its service."""
    spec = ACTIONS[name]
    form = spec.form(request.POST, request.FILES, prefix=name)
    if not form.is_valid():
        return Outcome(None, _("Check the form below."), form, 400)
    try:
        case = spec.run(user, pk, form.cleaned_data, request)
    except services.StaleCase as error:
        return Outcome(None, str(error), form, 409)
    except services.CaseError as error:
        logger.info("action %s on case %s rejected: %s", name, pk, type(error).__name__)
        return Outcome(None, str(error), form, 400)
    except ValidationError as error:
        logger.info("action %s on case %s rejected: invalid input", name, pk)
        form.add_error(None, error)
        return Outcome(None, " ".join(error.messages), form, 400)
    except PermissionDenied:
        logger.info("action %s on case %s denied", name, pk)
        raise
    target = case.pk if case is not None else pk
    return Outcome(reverse("cases:case_detail", args=[target]), str(spec.done), form)


@dataclass(frozen=True)
class PageAction:
    """One form of the case page: the action's name, form, button and hint."""

    name: str
    form: forms.Form
    button: StrOrPromise
    hint: str
    multipart: bool


def _hints() -> dict[str, str]:
    """Return what each action does, with its limits from the limits table."""
    days = {name: limit.amount for name, limit in LIMITS.items()}
    return {
        A.ACCEPT: _(
            "Accepting starts the time limits: the survey within %(survey)d "
            "working days, the whole case within %(case)d working days."
        )
        % {"survey": days["survey_start"], "case": days["case_standard"]},
        A.WITHDRAW: _("Only at the household's request. The case closes."),
        A.MARK_SPECIAL: _("A special case has %(days)d working days in all. Say why.")
        % {"days": days["case_special"]},
        A.VERIFY: _(
            "Checks the household's records held by other departments, under its "
            "signed authorisation."
        ),
        A.SEND_TO_NOTICE: _("The public notice shows this monthly amount."),
        A.RETURN_FOR_SURVEY: _("The community worker visits the household again."),
        A.REFUSE: _(
            "The household receives this reason in writing; record the written "
            "refusal within %(days)d working days."
        )
        % {"days": days["refusal_notice"]},
        A.START_NOTICE: _(
            "For %(days)d calendar days the notice shows only the masked name, "
            "the household size and the amount."
        )
        % {"days": days["public_notice"]},
        A.CLOSE_NOTICE: _("The district then decides within %(days)d working days.")
        % {"days": days["district_decision"]},
        A.APPROVE: _("Payment starts in the month after the approval."),
        A.ISSUE_REFUSAL_NOTICE: _(
            "Record this once the household has the refusal and its reason in writing."
        ),
        A.ANSWER_COMPLAINT: _(
            "The household receives this answer; it must have it within %(days)d "
            "calendar days of the complaint."
        )
        % {"days": days["complaint_answer"]},
        A.FILE_APPEAL: _(
            "The household may appeal within %(days)d days of the written refusal."
        )
        % {"days": days["appeal_filing"]},
        A.ACCEPT_APPEAL: _("The appeal is then decided within %(days)d days.")
        % {"days": days["appeal_decision"]},
        DECIDE_APPEAL: _(
            "Overturning the refusal sends the case back for a district decision."
        ),
    }


def page_actions(
    allowed: list[CaseAction], prepared: dict[str, forms.Form]
) -> list[PageAction]:
    """Return the forms of the allowed actions, in the workflow's order.

    The survey has a page of its own, so it has no form here.
    """
    names: list[str] = []
    for action in allowed:
        name = DECIDE_APPEAL if action in _APPEAL_DECISIONS else action.value
        if name in ACTIONS and name not in names:
            names.append(name)
    hints = _hints()
    return [
        PageAction(
            name=name,
            form=prepared[name],
            button=ACTIONS[name].button,
            hint=hints.get(name, ""),
            multipart=ACTIONS[name].form is DocumentForm,
        )
        for name in names
    ]


_APPEAL_DECISIONS: Final = frozenset(
    {CaseAction.UPHOLD_REFUSAL, CaseAction.OVERTURN_REFUSAL}
)
