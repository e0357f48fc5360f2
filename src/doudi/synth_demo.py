"""Set up the demo's monthly feeds: data sources, authorisations and inbox files.

`doudi synth --feeds` calls `prepare_demo_feeds` after loading the city. Every
step is idempotent: existing sources and authorisations are kept, and files
already waiting in the inbox or already delivered are not written again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Final

import polars as pl

from doudi.exchange.feeds import FEEDS
from doudi.exchange.inbox import inbox_dir
from doudi.exchange.kinds import AUTHORISED_KINDS
from doudi.exchange.models import DataSource, DeliveryMode
from doudi.exchange.sources import add_source
from doudi.privacy.demo import ensure_demo_accounts
from doudi.privacy.keys import keyring
from doudi.privacy.models import User
from doudi.registry.models import Membership, Person
from doudi.synth import SynthCity
from doudi.synth.feeds import (
    FeedField,
    FeedLayout,
    FeedReport,
    demo_authorised_households,
    write_feeds,
)
from doudi.verification.authorisations import covering, member_ids
from doudi.verification.services import record_authorisation

logger = logging.getLogger(__name__)

# One source per department, with its name as a Chinese city names it and
# the kinds it sends. The source code is also the department's folder in
# the inbox.
DEMO_SOURCES: Final = (
    ("police", "市公安局", ("household_registration", "vehicle")),
    ("civil-affairs", "市民政局婚姻登记处", ("marriage",)),
    ("tax", "市税务局", ("wages_tax",)),
    ("hrss", "市人力资源和社会保障局", ("social_insurance", "unemployment")),
    ("real-estate", "市不动产登记中心", ("real_estate",)),
    ("finance", "市地方金融管理局", ("financial_asset",)),
    ("market", "市市场监督管理局", ("business_registration",)),
    ("housing-fund", "市住房公积金管理中心", ("housing_fund",)),
    ("medical-insurance", "市医疗保障局", ("medical_claim",)),
    ("disability", "市残疾人联合会", ("disability_certificate",)),
    ("education", "市教育局", ("school_enrolment",)),
    ("utilities", "市公用事业服务中心", ("utility_arrears",)),
)
# Demo authorisations last a year less a day, within the one-year maximum.
AUTHORISATION_DAYS: Final = 364
RESIDENT_ID_DOMAIN: Final = "person.resident_id"


class DemoSetupError(RuntimeError):
    """The demo feeds cannot be set up; the message says what to fix."""


@dataclass(frozen=True)
class DemoFeeds:
    report: FeedReport
    sources_added: list[str]
    households_authorised: int
    authorisations_added: int


def feed_layouts() -> dict[str, FeedLayout]:
    """Return the layout of every feed kind, from the exchange's schemas."""
    source_of = {kind: code for code, _, kinds in DEMO_SOURCES for kind in kinds}
    missing = sorted(set(FEEDS) - set(source_of))
    if missing:
        raise DemoSetupError(
            f"No demo source sends {', '.join(missing)}; add them to DEMO_SOURCES."
        )
    return {
        kind: FeedLayout(
            kind=kind,
            source=source_of[kind],
            fields=tuple(
                FeedField(spec.name, spec.element, spec.type.value, spec.required)
                for spec in feed.fields
            ),
            needs_authorisation=feed.needs_authorisation,
        )
        for kind, feed in FEEDS.items()
    }


def register_demo_sources() -> list[str]:
    """Register the demo sources that do not exist yet; return their codes."""
    added = []
    for code, department, kinds in DEMO_SOURCES:
        existing = DataSource.objects.filter(code=code).first()
        if existing is not None:
            _check_kinds(existing, kinds)
            continue
        add_source(code, department=department, kinds=kinds, mode=DeliveryMode.FILE)
        added.append(code)
    return added


def _check_kinds(source: DataSource, kinds: Sequence[str]) -> None:
    lacking = [kind for kind in kinds if kind not in source.kinds]
    if lacking:
        raise DemoSetupError(
            f"Data source {source.code} exists but is not registered for "
            f"{', '.join(lacking)}; add those kinds to it or remove the source."
        )


def authorise_demo_households(city: SynthCity) -> tuple[list[int], int]:
    """Record the demo authorisations; return (authorised hh_keys, new records).

    The demo street reviewer records them, signed by each household's head
    on the city's as-of date, for every member and every kind that needs
    one (see `demo_authorised_households` for which households).
    """
    ensure_demo_accounts(households_in_need(city))
    reviewer = User.objects.get(username="street_reviewer")
    community = User.objects.get(username="community_worker").region
    if reviewer.region is None or community is None:
        raise DemoSetupError("The demo accounts have no region; run `doudi demo`.")
    hh_keys = demo_authorised_households(city, reviewer.region.code, community.code)
    heads = _heads(city, hh_keys)
    added = sum(_authorise(reviewer, head, city.as_of) for head in heads)
    logger.info(
        "demo authorisations: %d households, %d recorded now", len(hh_keys), added
    )
    return hh_keys, added


def households_in_need(city: SynthCity) -> dict[str, int]:
    """Return, per community code, the households the truth finds in need."""
    in_need = city.truth.filter(
        pl.col("dibao") | pl.col("edge") | (pl.col("tekun_persons") > 0)
    ).select("hh_key")
    counts = (
        city.households.join(in_need, on="hh_key")
        .group_by("community_code")
        .agg(pl.len().alias("households"))
    )
    return dict(counts.iter_rows())


def _heads(city: SynthCity, hh_keys: list[int]) -> list[Person]:
    ids = city.persons.filter(
        (pl.col("relationship") == "head") & pl.col("hh_key").is_in(hh_keys)
    )["resident_id"]
    ring = keyring()
    indexes = [ring.blind_index(value, domain=RESIDENT_ID_DOMAIN) for value in ids]
    heads = list(Person.objects.filter(resident_id_index__in=indexes))
    if len(heads) != len(indexes):
        raise DemoSetupError(
            "Some heads of the synthetic city are not in the registry; load the "
            "city with `doudi synth` and the same seed and size first."
        )
    return heads


def _authorise(reviewer: User, head: Person, signed_on: date) -> bool:
    membership = Membership.objects.select_related("household__region").get(
        person=head, end_date__isnull=True
    )
    household = membership.household
    kinds = sorted(kind.value for kind in AUTHORISED_KINDS)
    if covering(household.pk, kinds, signed_on):
        return False
    members = Person.objects.filter(pk__in=member_ids(household.pk, signed_on))
    record_authorisation(
        reviewer,
        household,
        signed_by=head,
        members=list(members),
        data_kinds=kinds,
        signed_on=signed_on,
        valid_until=signed_on + timedelta(days=AUTHORISATION_DAYS),
    )
    return True


def prepare_demo_feeds(
    city: SynthCity, month: date, root: Path | None = None
) -> DemoFeeds:
    """Register sources, record authorisations and write the month's files."""
    layouts = feed_layouts()
    added_sources = register_demo_sources()
    hh_keys, added = authorise_demo_households(city)
    report = write_feeds(city, month, layouts, hh_keys, root or inbox_dir())
    return DemoFeeds(report, added_sources, len(hh_keys), added)
