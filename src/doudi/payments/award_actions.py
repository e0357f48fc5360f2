"""The actions of the award page: which are offered, and how a posted form runs.

The services in `lifecycle` and `reviews` check role and region and write
the audit entries. This module only offers the forms that the user's role
and the award's status allow, and rejects a form sent from an older version
of the award. The award is locked while the version is compared, so two
clicks cannot both pass.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doudi.assessments.models import Scheme
from doudi.payments import lifecycle, reviews
from doudi.payments.award_forms import (
    AmountForm,
    BankAccountForm,
    CompleteReviewForm,
    MemberDeathForm,
    ReportChangeForm,
    StatusForm,
    to_fen,
)
from doudi.payments.award_queries import deny
from doudi.payments.models import Award, AwardStatus, ChangeCategory, ReviewOutcome
from doudi.payments.permissions import DECIDING_ROLES, REPORTING_ROLES
from doudi.privacy.masking import mask_name
from doudi.privacy.models import User
from doudi.registry.models import Person

logger = logging.getLogger(__name__)

Data = dict[str, Any]
Runner = Callable[[User, Award, Data], object]


class StaleAward(ValidationError):
    """The form was sent from an older version of the award."""


@dataclass(frozen=True)
class ActionSpec:
    form: type[forms.Form]
    button: Promise
    done: Promise
    run: Runner
    guarded: bool = True  # compares the form's version with the award's


def _status(service: Callable[..., Award]) -> Runner:
    def run(user: User, award: Award, data: Data) -> Award:
        return service(award, on=data["on"], reason=data["reason"], actor=user)

    return run


def _amount(user: User, award: Award, data: Data) -> Award:
    return lifecycle.change_amount(
        award,
        amount_fen=to_fen(data["amount_yuan"]),
        addons=list(award.addons),
        on=data["on"],
        reason=data["reason"],
        actor=user,
    )


def _account(user: User, award: Award, data: Data) -> Award:
    return lifecycle.set_bank_account(
        award,
        holder=data["holder"],
        account_number=data["account_number"],
        bank_code=data["bank_code"],
        actor=user,
    )


def _report(user: User, award: Award, data: Data) -> object:
    return reviews.report_change(
        award,
        category=ChangeCategory(data["category"]),
        description=data["description"],
        reported_on=data["reported_on"],
        actor=user,
    )


def _death(user: User, award: Award, data: Data) -> object:
    person = Person.objects.get(pk=data["member"])
    return reviews.record_member_death(
        award, person=person, died_on=data["died_on"], actor=user
    )


def _members(award: Award) -> list[tuple[int, str]]:
    """Return the household's members as masked names with their relationship."""
    memberships = award.household.memberships.select_related("person").order_by(
        "start_date", "pk"
    )
    return [
        (m.person_id, f"{mask_name(m.person.name)} ({m.get_relationship_display()})")
        for m in memberships
    ]


def _review(user: User, award: Award, data: Data) -> object:
    review = award.reviews.filter(pk=data["review"]).first()
    if review is None:
        raise Http404(_("No review %(pk)s of this award.") % {"pk": data["review"]})
    amount = data.get("amount_yuan")
    return reviews.complete_review(
        review,
        outcome=ReviewOutcome(data["outcome"]),
        note=data["note"],
        on=data["on"],
        actor=user,
        amount_fen=None if amount is None else to_fen(amount),
        addons=list(award.addons),
    )


ACTIONS: Final[dict[str, ActionSpec]] = {
    "suspend": ActionSpec(
        StatusForm,
        gettext_lazy("Suspend payment"),
        gettext_lazy("The award is suspended."),
        _status(lifecycle.suspend_award),
    ),
    "resume": ActionSpec(
        StatusForm,
        gettext_lazy("Resume payment"),
        gettext_lazy("The award is in payment again."),
        _status(lifecycle.resume_award),
    ),
    "gradual_exit": ActionSpec(
        StatusForm,
        gettext_lazy("Start the gradual exit"),
        gettext_lazy("The gradual exit has started."),
        _status(lifecycle.start_gradual_exit),
    ),
    "terminate": ActionSpec(
        StatusForm,
        gettext_lazy("Terminate the award"),
        gettext_lazy("The award is terminated."),
        _status(lifecycle.terminate_award),
    ),
    "amount": ActionSpec(
        AmountForm,
        gettext_lazy("Change the amount"),
        gettext_lazy("The monthly amount is changed."),
        _amount,
    ),
    "account": ActionSpec(
        BankAccountForm,
        gettext_lazy("Record the bank account"),
        gettext_lazy("The bank account is recorded."),
        _account,
    ),
    "report": ActionSpec(
        ReportChangeForm,
        gettext_lazy("Record the reported change"),
        gettext_lazy("The change is recorded and its review scheduled."),
        _report,
        guarded=False,  # the service keeps one record per identical report
    ),
    "death": ActionSpec(
        MemberDeathForm,
        gettext_lazy("Record a member's death"),
        gettext_lazy("The death is recorded and the re-check scheduled."),
        _death,
        guarded=False,  # the service keeps one re-check per death
    ),
    "review": ActionSpec(
        CompleteReviewForm,
        gettext_lazy("Complete the review"),
        gettext_lazy("The review is completed."),
        _review,
    ),
}

# The statuses in which each deciding action is offered; the services decide.
OFFERED_IN: Final[dict[str, frozenset[str]]] = {
    "suspend": frozenset({AwardStatus.ACTIVE}),
    "resume": frozenset({AwardStatus.SUSPENDED}),
    "gradual_exit": frozenset({AwardStatus.ACTIVE}),
    "terminate": frozenset(
        {AwardStatus.ACTIVE, AwardStatus.SUSPENDED, AwardStatus.GRADUAL_EXIT}
    ),
    "amount": frozenset(
        {AwardStatus.ACTIVE, AwardStatus.SUSPENDED, AwardStatus.GRADUAL_EXIT}
    ),
    "account": frozenset(AwardStatus.values),
}


def allowed_actions(user: User, award: Award) -> list[str]:
    """Return the names of the actions to offer, for a user who may read the award."""
    names = []
    if user.role in DECIDING_ROLES:
        names = [name for name, where in OFFERED_IN.items() if award.status in where]
        if award.scheme != Scheme.DIBAO and "gradual_exit" in names:
            names.remove("gradual_exit")
    if user.role in REPORTING_ROLES and award.status != AwardStatus.TERMINATED:
        names.extend(["report", "death"])
    if user.role in DECIDING_ROLES:
        names.append("review")
    return names


def initial_forms(award: Award, names: list[str], today: date) -> dict[str, Any]:
    """Return an unbound form for each offered action, with today's date."""
    initial = {
        "version": award.version,
        "on": today,
        "reported_on": today,
        "amount_yuan": Decimal(award.amount_fen) / 100,
        "died_on": today,
    }
    offered = {
        name: ACTIONS[name].form(prefix=name, initial=initial)
        for name in names
        if name != "review"
    }
    _offer_members(offered.get("death"), award)
    return offered


def _offer_members(form: forms.Form | None, award: Award) -> None:
    if isinstance(form, MemberDeathForm):
        form.for_members(_members(award))


def run_action(
    user: User, award: Award, name: str, request: HttpRequest
) -> tuple[bool, str]:
    """Validate and run a posted action; return whether it was done and the message."""
    spec = ACTIONS[name]
    form = spec.form(request.POST, prefix=name)
    _offer_members(form, award)
    if not form.is_valid():
        return False, _form_errors(form)
    try:
        _run_locked(spec, user, award, form.cleaned_data)
    except PermissionDenied:
        logger.info("award %s: %s denied", award.pk, name)
        deny(user, request, award.pk)
    except ValidationError as error:
        logger.info("award %s: %s rejected", award.pk, name)
        return False, " ".join(error.messages)
    return True, str(spec.done)


def _run_locked(spec: ActionSpec, user: User, award: Award, data: Data) -> None:
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        if spec.guarded and data["version"] != locked.version:
            raise StaleAward(
                _(
                    "This award changed after you opened the page, so nothing was "
                    "done. Check it below and send the form again if still needed."
                )
            )
        spec.run(user, locked, data)


def _form_errors(form: forms.Form) -> str:
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        text = " ".join(str(error) for error in errors)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)
