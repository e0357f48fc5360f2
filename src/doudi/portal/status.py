"""A request's timeline in plain words, with its case's steps when it has one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from doudi.cases.models import CaseEvent, Step
from doudi.portal.choices import EventKind
from doudi.portal.models import HelpRequest

# What each case step means for the household, in plain words.
CASE_STEP_WORDS: Final[dict[str, Promise]] = {
    Step.ACCEPT: _("Your application is waiting to be accepted."),
    Step.SURVEY: _("A community worker will visit your home."),
    Step.VERIFICATION: _("We are checking income and property with other offices."),
    Step.STREET_REVIEW: _("The street office is reviewing your application."),
    Step.PUBLIC_NOTICE: _("Your application is on public notice in your community."),
    Step.DISTRICT_APPROVAL: _("The district office is deciding."),
    Step.AWARDED: _("Assistance was granted."),
    Step.REFUSED: _("Assistance was not granted. You may appeal."),
    Step.WITHDRAWN: _("The application was withdrawn."),
    Step.APPEAL_REVIEW: _("Your appeal is being reviewed."),
    Step.APPEAL_DECIDED: _("Your appeal was decided."),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    words: str


def timeline(help_request: HelpRequest) -> list[TimelineEntry]:
    """Return the request's steps, oldest first; case notes are never shown.

    Receipt is read from `submitted_at` rather than stored as an event, which
    keeps accepting a request to one insert.
    """
    entries = []
    if help_request.submitted_at is not None:
        received = str(EventKind.RECEIVED.label)
        entries.append(TimelineEntry(help_request.submitted_at, received))
    entries += [
        TimelineEntry(event.at, str(EventKind(event.kind).label))
        for event in help_request.events.order_by("at", "pk")
    ]
    if help_request.case_id is not None:
        events = CaseEvent.objects.filter(case_id=help_request.case_id).order_by(
            "at", "pk"
        )
        last_step = None
        for step, at in events.values_list("step", "at"):
            if step != last_step and step in CASE_STEP_WORDS:
                entries.append(TimelineEntry(at, str(CASE_STEP_WORDS[step])))
            last_step = step
    return sorted(entries, key=lambda entry: entry.at)


def current_words(help_request: HelpRequest) -> str:
    """Return where the request is now, in one plain sentence."""
    if help_request.case is not None:
        return str(
            CASE_STEP_WORDS.get(
                help_request.case.step, help_request.get_status_display()
            )
        )
    return str(help_request.get_status_display())
