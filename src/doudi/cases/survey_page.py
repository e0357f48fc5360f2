"""Choices and parsing for the visit form: the investigators and the visit."""

from __future__ import annotations

from typing import Any

from doudi.cases.models import Case
from doudi.cases.survey import INVESTIGATOR_ROLES, Visit
from doudi.privacy.models import User


def ancestor_paths(region_path: str) -> list[str]:
    """Return the paths of a region and every region above it: a/, a/b/, ..."""
    codes = [code for code in region_path.split("/") if code]
    return [
        "".join(f"{code}/" for code in codes[: depth + 1])
        for depth in range(len(codes))
    ]


def investigator_choices(case: Case) -> list[tuple[int, str]]:
    """Return the staff who may visit the case's household, as form choices."""
    users = User.objects.filter(
        is_active=True,
        role__in=INVESTIGATOR_ROLES,
        region__path__in=ancestor_paths(case.region_path),
    ).order_by("username")
    return [
        (user.pk, f"{user.get_username()} · {user.get_role_display()}")
        for user in users
    ]


def visit_from(data: dict[str, Any]) -> Visit:
    return Visit(
        visited_on=data["visited_on"],
        investigator_ids=data["investigators"],
        members_present=data["members_present"],
        housing=data["housing"],
        living_conditions=data["living_conditions"],
        declaration_matches=data["declaration_matches"],
        opinion=data["opinion"],
        findings=data["findings"],
    )
