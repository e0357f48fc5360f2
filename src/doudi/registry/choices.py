"""Kinds and statuses of the registry, as TextChoices."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative")


class HukouType(models.TextChoices):
    LOCAL = "local", _("Registered in this city")
    ELSEWHERE = "elsewhere", _("Registered elsewhere")


class HukouNature(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class ResidenceStatus(models.TextChoices):
    REGISTERED = "registered", _("Resident with local registration")
    RESIDENCE_PERMIT = "residence_permit", _("Holds a residence permit")
    TEMPORARY = "temporary", _("Temporary resident")


class FactKind(models.TextChoices):
    DISABILITY = "disability", _("Disability")
    ILLNESS = "illness", _("Serious or chronic illness")
    WORK_CAPACITY = "work_capacity", _("Capacity to work")
    EMPLOYMENT = "employment", _("Employment status")
    SCHOOLING = "schooling", _("School enrolment")
    LIVING_ALONE = "living_alone", _("Living alone")
    CARE_LEVEL = "care_level", _("Care level")
    RELEASED_PRISONER = "released_prisoner", _("Released from prison")
    UNSUPPORTED_CHILD = (
        "unsupported_child",
        _("Child with no one in fact to raise them"),
    )
    MIGRANT_IN_DIFFICULTY = "migrant_in_difficulty", _("Migrant in difficulty")
    INCOME = "income", _("Monthly income")


class DisabilityCategory(models.TextChoices):
    VISUAL = "visual", _("Visual")
    HEARING = "hearing", _("Hearing")
    SPEECH = "speech", _("Speech")
    PHYSICAL = "physical", _("Physical")
    INTELLECTUAL = "intellectual", _("Intellectual")
    MENTAL = "mental", _("Mental")
    MULTIPLE = "multiple", _("Multiple")


class CareLevel(models.TextChoices):
    SELF_CARE = "self_care", _("Self-care")
    PARTLY_DEPENDENT = "partly_dependent", _("Partly dependent")
    FULLY_DEPENDENT = "fully_dependent", _("Fully dependent")


class IncomeKind(models.TextChoices):
    WAGES = "wages", _("Wages")
    BUSINESS = "business", _("Net business income")
    PROPERTY = "property", _("Net property income")
    TRANSFER = "transfer", _("Net transfer income")
    PENSION = "pension", _("Pension")


class AssetKind(models.TextChoices):
    DEPOSITS = "deposits", _("Bank deposits")
    SECURITIES = "securities", _("Securities and funds")
    INSURANCE = "insurance", _("Insurance")
    VEHICLE = "vehicle", _("Vehicle")
    HOUSING = "housing", _("Housing")


class FactSource(models.TextChoices):
    DECLARED = "declared", _("Declared by the household")
    CASEWORKER = "caseworker", _("Recorded by a caseworker")
    DEPARTMENT = "department", _("Department data")
    SYNTHETIC = "synthetic", _("Synthetic demo data")
