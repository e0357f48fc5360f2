"""Turn a warning into a case in one step.

The community worker opens the application through the early-warning
channel with the warning's number as its source. The household declares
its income and assets later, during the case, so the declaration starts
with the situation only. An empty income and asset list passes the case
app's validation and writes no declared figures to the registry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.assessments.models import Scheme
from doudi.cases.declaration import MAX_SITUATION_CHARACTERS, Declaration
from doudi.cases.models import Case, Channel
from doudi.cases.opening import open_case
from doudi.monitoring.lifecycle import commit, load, require
from doudi.monitoring.models import Outcome, Warning, WarningStatus
from doudi.monitoring.permissions import WarningAction
from doudi.monitoring.reasons import warning_number
from doudi.privacy.models import User


@dataclass(frozen=True)
class Conversion:
    warning: Warning
    case: Case
    # False when the household already had an open application for the
    # scheme: the warning is linked to that case instead of a new one.
    created: bool


def scheme_of(warning: Warning) -> str:
    """Return the scheme a missed-assistance or exit warning names, else dibao."""
    _kind, _sep, scheme = warning.reason_code.partition(":")
    return scheme if scheme in Scheme.values else Scheme.DIBAO.value


def convert_to_case(
    actor: User,
    warning_id: int,
    *,
    version: int,
    scheme: str,
    situation: str = "",
    request: HttpRequest | None = None,
) -> Conversion:
    """Open a case from the warning, link it and resolve the warning as a new case.

    The warning's version is taken first, so of two workers converting at
    once the second gets StaleWarning and opens no case.
    """
    warning = load(warning_id)
    require(actor, warning, WarningAction.CONVERT, version, request)
    if scheme not in Scheme.values:
        raise ValidationError(
            _("%(scheme)s is not a scheme; use one of: %(allowed)s.")
            % {"scheme": scheme, "allowed": ", ".join(Scheme.values)}
        )
    declaration = Declaration(situation=_situation(situation))
    with transaction.atomic():
        number = warning_number(warning)
        changes = {
            "status": WarningStatus.RESOLVED,
            "outcome": Outcome.NEW_CASE,
            "closed_at": timezone.now(),
        }
        warning = commit(
            actor,
            warning,
            version,
            WarningAction.CONVERT,
            changes,
            note=str(Scheme(scheme).label),
            request=request,
        )
        case, created = open_case(
            actor,
            household_id=warning.household_id,
            scheme=scheme,
            channel=Channel.WARNING,
            declaration=declaration,
            source_reference=number,
            request=request,
        )
        Warning.objects.filter(pk=warning.pk).update(case=case)
        warning.case = case
    return Conversion(warning, case, created)


def _situation(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_SITUATION_CHARACTERS:
        raise ValidationError(
            _("The situation has %(count)d characters; shorten it to %(limit)d.")
            % {"count": len(text), "limit": MAX_SITUATION_CHARACTERS}
        )
    return text
