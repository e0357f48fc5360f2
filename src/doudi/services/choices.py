"""Kinds and statuses of the service catalogue.

Values that Open Referral HSDS 3.0 fixes (service status, location and
address types, schedule frequency and weekdays, phone types) keep the
standard's spelling, so that exported files validate against it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationType(models.TextChoices):
    GOVERNMENT = "government", _("Government department")
    ENTERPRISE = "enterprise", _("Enterprise")
    PEOPLES_ORGANIZATION = "peoples_organization", _("People's organisation")
    COMMUNITY = "community", _("Community organisation")
    CHARITY = "charity", _("Charity")
    SOCIAL_WORK = "social_work", _("Social work agency")


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("Defunct")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")


class Category(models.TextChoices):
    """The kinds of help residents ask for; each service has one or more."""

    LIVING_COSTS = "living_costs", _("Living costs")
    ILLNESS = "illness", _("Illness")
    DISABILITY = "disability", _("Disability")
    HOUSING = "housing", _("Housing help")
    SCHOOLING = "schooling", _("Schooling")
    WORK = "work", _("Work")
    CARE = "care", _("Care")
    EMERGENCY = "emergency", _("Emergency")


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("Physical place")
    POSTAL = "postal", _("Postal address")
    VIRTUAL = "virtual", _("Online")


class CapacityUnit(models.TextChoices):
    PLACE = "place", _("places")
    BED = "bed", _("beds")
    VISIT = "visit", _("visits")
    HOUR = "hour", _("hours")


class Frequency(models.TextChoices):
    WEEKLY = "WEEKLY", _("Weekly")
    MONTHLY = "MONTHLY", _("Monthly")


class Weekday(models.TextChoices):
    MONDAY = "MO", _("Monday")
    TUESDAY = "TU", _("Tuesday")
    WEDNESDAY = "WE", _("Wednesday")
    THURSDAY = "TH", _("Thursday")
    FRIDAY = "FR", _("Friday")
    SATURDAY = "SA", _("Saturday")
    SUNDAY = "SU", _("Sunday")


class PhoneType(models.TextChoices):
    """Phone kinds from the RFC 6350 list that HSDS names."""

    VOICE = "voice", _("Voice")
    CELL = "cell", _("Mobile")
    TEXT = "text", _("Text messages")
    FAX = "fax", _("Fax")
    TEXTPHONE = "textphone", _("Textphone")
    VIDEO = "video", _("Video")
