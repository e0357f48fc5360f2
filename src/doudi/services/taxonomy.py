"""The taxonomies that carry doudi's own fields through HSDS attributes.

HSDS has no field for an organisation's type, a service's kinds of help or
a place's registry region. Each travels as an `attribute` that links the
record to a `taxonomy_term` of one of the taxonomies below. Term, unit and
attribute ids are UUID version 5 values derived from fixed names, so every
export writes the same ids and an import recognises them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Final

from django.db.models import TextChoices

from doudi.services.choices import CapacityUnit, Category, OrganizationType

NAMESPACE: Final = uuid.UUID("6d0a7c8e-3f52-5a1b-9d4e-2b7f1c0e5a93")

CATEGORY_TAXONOMY: Final = "doudi-help-category"
ORGANIZATION_TYPE_TAXONOMY: Final = "doudi-organization-type"
# Region codes are the registry's division codes: GB/T 2260 for districts,
# the 9- and 12-digit statistical codes for streets and communities.
REGION_TAXONOMY: Final = "doudi-region"
UNIT_SCHEME: Final = "doudi"

# HSDS attribute `link_type` values used by doudi.
LINK_CATEGORY: Final = "category"
LINK_ORGANIZATION_TYPE: Final = "organization_type"
LINK_REGION: Final = "region"

CHOICE_TAXONOMIES: Final[dict[str, type[TextChoices]]] = {
    CATEGORY_TAXONOMY: Category,
    ORGANIZATION_TYPE_TAXONOMY: OrganizationType,
}


@dataclass(frozen=True)
class Term:
    """A taxonomy term named by its taxonomy and code."""

    taxonomy: str
    code: str

    @property
    def id(self) -> uuid.UUID:
        return term_id(self.taxonomy, self.code)


def term_id(taxonomy: str, code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"term:{taxonomy}:{code}")


def unit_id(unit: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"unit:{unit}")


def attribute_id(link_id: uuid.UUID, term: Term) -> uuid.UUID:
    return uuid.uuid5(link_id, f"attribute:{term.taxonomy}:{term.code}")


def known_terms() -> dict[uuid.UUID, Term]:
    """Return the fixed terms (categories and organisation types) by id."""
    terms = {}
    for taxonomy, choices in CHOICE_TAXONOMIES.items():
        for code in choices.values:
            term = Term(taxonomy, code)
            terms[term.id] = term
    return terms


def known_units() -> dict[uuid.UUID, str]:
    return {unit_id(unit): unit for unit in CapacityUnit.values}
