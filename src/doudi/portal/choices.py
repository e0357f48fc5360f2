"""The kinds and statuses of the resident portal."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LinkMethod(models.TextChoices):
    ID_MATCH = "id_match", _("Resident ID and name matched the registry")
    WORKER_CONFIRMED = "worker_confirmed", _("Confirmed by a community worker")


class Who(models.TextChoices):
    ME = "me", _("Me")
    FAMILY = "family", _("Someone in my family")
    OTHER = "other", _("Someone else, such as a neighbour")


class HelpKind(models.TextChoices):
    LIVING_COSTS = "living_costs", _("Money for daily living")
    ILLNESS = "illness", _("Illness or medical costs")
    DISABILITY = "disability", _("Disability")
    HOUSING = "housing", pgettext_lazy("kind of help", "Housing")
    SCHOOLING = "schooling", _("School costs")
    WORK = "work", _("Finding work")
    CARE = "care", _("Care at home")
    EMERGENCY = "emergency", _("An emergency: fire, flood, accident")


class Urgency(models.TextChoices):
    TODAY = "today", _("Today")
    THIS_WEEK = "this_week", _("This week")
    NOT_URGENT = "not_urgent", _("It can wait")


class ContactMethod(models.TextChoices):
    THIS_PHONE = "this_phone", _("Call this phone")
    OTHER_PHONE = "other_phone", _("Call another phone")
    VISIT = "visit", _("Visit me at home")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Not sent yet")
    RECEIVED = "received", _("Received")
    CASE_OPENED = "case_opened", _("Became an application")
    WITH_WORKER = "with_worker", _("With your community worker")


class Destination(models.TextChoices):
    CASE = "case", _("An application for assistance")
    COMMUNITY_WORKER = "community_worker", _("The community worker")


class EventKind(models.TextChoices):
    RECEIVED = "received", _("We received your request.")
    CASE_OPENED = "case_opened", _("Your request became an application for assistance.")
    JOINED_CASE = (
        "joined_case",
        _(
            "Your household already has this application open; "
            "your request was added to it."
        ),
    )
    TO_WORKER = "to_worker", _("A community worker will contact you.")
    TO_INTAKE_DESK = (
        "to_intake_desk",
        _(
            "Your phone is not yet linked to a household, so a community worker "
            "will contact you to confirm who you are."
        ),
    )
