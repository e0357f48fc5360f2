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


class WorkCapacity(models.TextChoices):
    FULL = "full", _("Full capacity to work")
    PARTIAL = "partial", _("Partial capacity to work")
    NONE = "none", _("No capacity to work")


class EmploymentStatus(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    UNEMPLOYED = "unemployed", _("Unemployed")
    RETIRED = "retired", _("Retired")
    STUDENT = "student", _("Student")
    NOT_IN_LABOUR_FORCE = "not_in_labour_force", _("Not in the labour force")


class SchoolLevel(models.TextChoices):
    PRESCHOOL = "preschool", _("Preschool")
    PRIMARY = "primary", _("Primary school")
    JUNIOR_SECONDARY = "junior_secondary", _("Junior secondary school")
    SENIOR_SECONDARY = "senior_secondary", _("Senior secondary school")
    VOCATIONAL = "vocational", _("Vocational school")
    UNDERGRADUATE = "undergraduate", _("Undergraduate")
    POSTGRADUATE = "postgraduate", _("Postgraduate")


class IllnessKind(models.TextChoices):
    SERIOUS = "serious", _("Serious illness")
    CHRONIC = "chronic", _("Chronic illness")


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


# The value choices of each fact kind whose `code` is one of a fixed set.
FACT_VALUE_CHOICES: dict[str, type[models.TextChoices]] = {
    FactKind.DISABILITY: DisabilityCategory,
    FactKind.ILLNESS: IllnessKind,
    FactKind.WORK_CAPACITY: WorkCapacity,
    FactKind.EMPLOYMENT: EmploymentStatus,
    FactKind.SCHOOLING: SchoolLevel,
    FactKind.CARE_LEVEL: CareLevel,
    FactKind.INCOME: IncomeKind,
}


def fact_value_label(kind: str, code: str) -> str:
    """Return the translated label of a fact's value, or the code itself."""
    choices = FACT_VALUE_CHOICES.get(kind)
    if choices is None or code not in choices.values:
        return code
    return str(choices(code).label)
