"""Demo accounts of every role, bound to regions of the loaded demo city."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from django.db import transaction
from django.db.models import Count
from django_otp.plugins.otp_totp.models import TOTPDevice

from doudi.monitoring.models import OPEN_STATUSES, Warning
from doudi.privacy.choices import Role
from doudi.privacy.models import User
from doudi.registry.choices import Relationship
from doudi.registry.models import Household, Membership, Region

DEMO_PASSWORD = "doudi-demo-2026"  # noqa: S105  development demo only


# How many of the largest communities the demo worker's community is chosen from.
CANDIDATE_COMMUNITIES: Final = 20


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    region: str
    totp_secret: str


def _busiest_community(in_need: Mapping[str, int]) -> Region:
    """Return a large community where the demo worker has warnings to see.

    Of the communities with the most households: the one with the most open
    warnings once a scan ran, else the one with the most households in need
    by the synthetic city's truth (`in_need`, by community code), whose
    warnings the first scan will raise.
    """
    largest = list(
        Household.objects.values("region_id", "region__code")
        .annotate(households=Count("pk"))
        .order_by("-households", "region_id")[:CANDIDATE_COMMUNITIES]
    )
    if not largest:
        raise RuntimeError(
            "the registry is empty: run `doudi synth` before `doudi demo`"
        )
    warned = dict(
        Warning.objects.filter(
            status__in=OPEN_STATUSES,
            region_id__in=[row["region_id"] for row in largest],
        )
        .values("region_id")
        .annotate(open=Count("pk"))
        .values_list("region_id", "open")
    )
    chosen = max(
        largest,
        key=lambda row: (
            warned.get(row["region_id"], 0),
            in_need.get(row["region__code"], 0),
        ),
    )
    return Region.objects.get(pk=chosen["region_id"])


def _ancestor(region: Region, level: str) -> Region:
    node: Region | None = region
    while node is not None and node.level != level:
        node = node.parent
    if node is None:
        raise RuntimeError(f"region {region.code} has no {level} above it")
    return node


@transaction.atomic
def ensure_demo_accounts(
    in_need: Mapping[str, int] | None = None,
) -> list[DemoAccount]:
    """Create the demo accounts once; later calls return them unchanged.

    `in_need` (households in need per community code, from the synthetic
    city's truth) helps choose the community worker's community.
    """
    community = _busiest_community(in_need or {})
    street, district = _ancestor(community, "street"), _ancestor(community, "district")
    city = _ancestor(community, "city")
    plan = [
        ("community_worker", Role.COMMUNITY_WORKER, community),
        ("street_reviewer", Role.STREET_REVIEWER, street),
        ("district_approver", Role.DISTRICT_APPROVER, district),
        # A second approver, because the person who recomputes a payment roll
        # cannot sign it.
        ("roll_signer", Role.DISTRICT_APPROVER, district),
        ("city_admin", Role.CITY_ADMIN, city),
        # A second policy officer: a parameter change needs another officer's
        # approval.
        ("policy_officer", Role.CITY_ADMIN, city),
        ("provider_staff", Role.PROVIDER_STAFF, city),
        ("emergency_coordinator", Role.EMERGENCY_COORDINATOR, district),
        ("auditor", Role.AUDITOR, city),
        ("analyst", Role.ANALYST, city),
        ("data_operator", Role.DATA_OPERATOR, city),
    ]
    accounts = [_staff(username, role, region) for username, role, region in plan]
    accounts.append(_resident(community))
    return accounts


def _staff(username: str, role: Role, region: Region) -> DemoAccount:
    user, created = User.objects.get_or_create(
        username=username, defaults={"role": role, "region": region, "is_staff": True}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    # An account made by an earlier call keeps its region.
    where = user.region.name if user.region else region.name
    return DemoAccount(username, str(role.label), where, _totp_secret(user))


def _resident(community: Region) -> DemoAccount:
    head = (
        Membership.objects.filter(
            household__region=community,
            end_date__isnull=True,
            relationship=Relationship.HEAD,
        )
        .order_by("household_id")
        .first()
    )
    if head is None:
        raise RuntimeError(f"community {community.code} has no household head")
    user, created = User.objects.get_or_create(
        username="resident",
        defaults={"role": Role.RESIDENT, "person_id": head.person_id},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return DemoAccount("resident", str(Role.RESIDENT.label), community.name, "")


def _totp_secret(user: User) -> str:
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="demo", defaults={"confirmed": True}
    )
    return base64.b32encode(device.bin_key).decode()
