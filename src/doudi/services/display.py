"""Readable forms of catalogue values for the pages: days, hours and places."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from doudi.services.choices import Weekday
from doudi.services.models import Schedule, Service


@dataclass(frozen=True)
class HoursRow:
    schedule_id: str
    place: str
    days: str
    hours: str
    valid: str
    description: str
    # Hours of a place as a whole belong to the place, not to this service.
    deletable: bool


def days_label(byday: str) -> str:
    """Name the days of an iCalendar BYDAY list, keeping any ordinal prefix."""
    labels = []
    for part in filter(None, byday.split(",")):
        code, prefix = part[-2:], part[:-2]
        name = str(Weekday(code).label) if code in Weekday.values else part
        labels.append(f"{prefix} {name}".strip())
    return _(", ").join(labels) if labels else _("Every day")


def _valid(start: date | None, end: date | None) -> str:
    if start and end:
        return _("%(start)s to %(end)s") % {"start": start, "end": end}
    if start:
        return _("from %(start)s") % {"start": start}
    if end:
        return _("until %(end)s") % {"end": end}
    return ""


def _hours(schedule: Schedule) -> str:
    if schedule.opens_at is None or schedule.closes_at is None:
        return ""
    return f"{schedule.opens_at:%H:%M}–{schedule.closes_at:%H:%M}"


def hours_rows(service: Service) -> list[HoursRow]:
    """Return a service's opening hours: its own, then each of its places'."""
    every = _("Every place of the service")
    entries = [(every, s, True) for s in service.schedules.all()]
    for link in service.service_at_locations.all():
        entries += [(link.location.name, s, True) for s in link.schedules.all()]
        place_hours = link.location.schedules.all()
        entries += [(link.location.name, s, False) for s in place_hours]
    return [
        HoursRow(
            schedule_id=str(schedule.id),
            place=str(place),
            days=days_label(schedule.byday),
            hours=_hours(schedule),
            valid=_valid(schedule.valid_from, schedule.valid_to),
            description=schedule.description,
            deletable=deletable,
        )
        for place, schedule, deletable in entries
    ]
