"""Subjects a household may rate: its awards, decided applications and services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from uuid import UUID

from django.http import Http404
from django.utils.translation import gettext as _

from doudi.assessments.models import Scheme
from doudi.cases.models import Case, CaseKind
from doudi.feedback.models import SubjectKind
from doudi.payments.models import Award
from doudi.registry.models import Household
from doudi.services.models import Service
from doudi.services.queries import nearby_services

NEARBY_SERVICES_LISTED: Final = 10


@dataclass(frozen=True)
class Subject:
    """One thing a household may rate; exactly one of the three is set."""

    kind: SubjectKind
    award: Award | None = None
    case: Case | None = None
    service: Service | None = None

    @property
    def reference(self) -> str:
        """The id that names the subject in a page address."""
        target = self.award or self.case or self.service
        assert target is not None
        return str(target.pk)

    @property
    def scheme(self) -> str:
        if self.award is not None:
            return self.award.scheme
        if self.case is not None:
            return self.case.scheme
        return ""

    @property
    def application(self) -> Case | None:
        """The application a complaint about this subject concerns, if any."""
        if self.case is not None:
            return self.case
        if self.award is not None:
            return self.award.case
        return None

    @property
    def label(self) -> str:
        if self.service is not None:
            return self.service.name
        return str(Scheme(self.scheme).label)


def rateable(household: Household) -> list[Subject]:
    """Return the household's awards and decided applications, and nearby services."""
    awards = Award.objects.filter(household=household).select_related("case")
    cases = Case.objects.filter(
        household=household, kind=CaseKind.APPLICATION, closed_at__isnull=False
    ).order_by("-closed_at")
    services = nearby_services(household.region, limit=NEARBY_SERVICES_LISTED)
    return [
        *(Subject(SubjectKind.AWARD, award=award) for award in awards.order_by("pk")),
        *(Subject(SubjectKind.CASE, case=case) for case in cases),
        *(Subject(SubjectKind.SERVICE, service=service) for service in services),
    ]


def find_subject(household: Household, kind: str, reference: str) -> Subject:
    """Return the subject if this household may rate it, or raise Http404.

    A household rates only its own awards and its own decided applications.
    Any service in the catalogue may be rated. A subject of another household
    is reported as not found, so its existence is not revealed.
    """
    if kind == SubjectKind.AWARD:
        award = Award.objects.filter(pk=_int(reference), household=household).first()
        if award is not None:
            return Subject(SubjectKind.AWARD, award=award)
    elif kind == SubjectKind.CASE:
        case = Case.objects.filter(
            pk=_int(reference),
            household=household,
            kind=CaseKind.APPLICATION,
            closed_at__isnull=False,
        ).first()
        if case is not None:
            return Subject(SubjectKind.CASE, case=case)
    elif kind == SubjectKind.SERVICE:
        service_id = _uuid(reference)
        service = Service.objects.filter(pk=service_id).first() if service_id else None
        if service is not None:
            return Subject(SubjectKind.SERVICE, service=service)
    raise Http404(_("There is nothing here for your household to rate."))


def _int(reference: str) -> int:
    return int(reference) if reference.isdigit() else 0


def _uuid(reference: str) -> UUID | None:
    try:
        return UUID(reference)
    except ValueError:
        return None
