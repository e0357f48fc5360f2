"""Synthetic addresses built on real district, street and community names.

Urban households get "<city><district><street><road><lane>弄<building>号<room>室".
The road comes from the community's name when that names a road (云南中路居委会
gives 云南中路). Otherwise it comes from the street's name (半淞园路街道 gives
半淞园路). Otherwise it is invented from the community name (新民居委会 gives
新民路), or is the community name itself for a housing estate. Rural households get
"<city><district><town><village>村<group>组<house>号". Lane, building, room, group
and house numbers are random, so an address may or may not exist.
"""

from __future__ import annotations

import re
from typing import Final

import numpy as np
import polars as pl

from doudi.synth.arrays import IntArray

# The shortest leading part of a name that ends like a road: 路, 街, 弄 or 大道.
ROAD_PATTERN: Final = re.compile(r"^(.+?(?:路|街|弄|大道))")
# Name endings of housing estates, which serve as the road part as they are.
ESTATE_ENDINGS: Final = ("村", "小区", "花园", "苑", "园", "城", "坊", "里")
COMMITTEE_SUFFIXES: Final = (
    "社区居委会",
    "居委会",
    "村委会",
    "虚拟社区",
    "虚拟生活区",
    "社区",
)


def community_stem(name: str) -> str:
    """Return a community name without its committee suffix."""
    for suffix in COMMITTEE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def road_name(community_name: str, street_name: str) -> str:
    """Pick the road used in the addresses of one urban community."""
    stem = community_stem(community_name)
    found = ROAD_PATTERN.match(stem)
    if found is not None:
        return found.group(1)
    if street_name.endswith("路街道"):
        return street_name.removesuffix("街道")
    if stem.endswith(ESTATE_ENDINGS):
        return stem
    return stem + "路"


def address_prefixes(regions: pl.DataFrame) -> pl.DataFrame:
    """Return one row per community with the fixed part of its addresses.

    Columns: ``community_code``, ``urban`` and ``prefix``. The urban prefix
    ends with the road; the rural prefix ends with the village name and 村.
    """
    names = dict(zip(regions["code"].to_list(), regions["name"].to_list(), strict=True))
    city = names.get("310000", "")
    communities = regions.filter(pl.col("level") == "community")
    prefixes: list[str] = []
    for code, name, urban in communities.select("code", "name", "urban").iter_rows():
        district = city + names[code[:6]]
        street = names[code[:9]]
        if urban:
            prefixes.append(district + street + road_name(name, street))
        else:
            village = community_stem(name)
            if not village.endswith("村"):
                village += "村"
            prefixes.append(district + street + village)
    return pl.DataFrame(
        {
            "community_code": communities["code"],
            "urban": communities["urban"],
            "prefix": prefixes,
        }
    )


def draw_addresses(
    rng: np.random.Generator,
    prefixes: pl.DataFrame,
    community: IntArray,
) -> pl.Series:
    """Draw one address per household living in community row ``community``."""
    count = community.size
    lane = rng.integers(1, 1200, count)
    building = rng.integers(1, 40, count)
    room = rng.integers(1, 25, count) * 100 + rng.integers(1, 7, count)
    group = rng.integers(1, 20, count)
    house = rng.integers(1, 300, count)
    frame = pl.DataFrame(
        {
            "prefix": prefixes["prefix"].gather(community),
            "urban": prefixes["urban"].gather(community),
            "lane": lane,
            "building": building,
            "room": room,
            "group": group,
            "house": house,
        }
    )
    urban_address = pl.format("{}{}弄{}号{}室", "prefix", "lane", "building", "room")
    rural_address = pl.format("{}{}组{}号", "prefix", "group", "house")
    return (
        frame.select(
            pl.when(pl.col("urban")).then(urban_address).otherwise(rural_address)
        )
        .to_series()
        .alias("address")
    )
