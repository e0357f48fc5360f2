"""Person attributes: names, birth dates, resident IDs, phones and registration."""

from __future__ import annotations

import random
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from doudi.registry.resident_id import Sex, generate
from doudi.synth import names
from doudi.synth.arrays import BoolArray, DateArray, IntArray
from doudi.synth.columns import choose, labels
from doudi.synth.households import DAYS_PER_YEAR, RELATIONSHIPS, Member, Skeleton
from doudi.synth.streams import numpy_stream, python_stream

# Origin counties of migrant households: real county codes (NBS 2023) from the
# main origin provinces, with the province's share of migrants. Anhui's share
# is published for 2022; the other shares are an ESTIMATE that follows the
# published rank order (Jiangsu, Henan, Sichuan, Jiangxi, Zhejiang, Shandong)
# and gives the rest to Hubei, Hunan and Chongqing.
ORIGIN_COUNTIES: Final[dict[str, tuple[float, tuple[str, ...]]]] = {
    "Anhui": (
        0.232,
        ("340121", "341221", "341222", "341321", "341322", "341523", "341621"),
    ),
    "Jiangsu": (0.150, ("320321", "320722", "320826", "321323")),
    "Henan": (0.120, ("410522", "411721", "411421")),
    "Sichuan": (0.090, ("511621", "510322", "511322")),
    "Jiangxi": (0.080, ("360722", "361127")),
    "Zhejiang": (0.070, ("330326", "330523")),
    "Shandong": (0.060, ("370826", "371323")),
    "Hubei": (0.080, ("421182", "421381")),
    "Hunan": (0.068, ("430524",)),
    "Chongqing": (0.050, ("500233",)),
}

# Three-digit mobile prefixes used for synthetic phone numbers.
MOBILE_PREFIXES: Final = (
    *range(130, 140),
    *range(150, 154),
    *range(155, 160),
    *range(180, 190),
    *range(191, 194),
    *range(195, 200),
)
# ESTIMATE: children under this age have no phone of their own.
PHONE_MIN_AGE: Final = 12

MAX_ID_REDRAW_ROUNDS: Final = 100
ID_CHUNK_SIZE: Final = 200_000


def birth_dates(skeleton: Skeleton, as_of: date) -> DateArray:
    """Return each person's birth date from their age in days on ``as_of``."""
    return np.datetime64(as_of, "D") - skeleton.age_days.astype("timedelta64[D]")


def ages_in_years(births: DateArray, as_of: date) -> IntArray:
    """Return completed years of age on ``as_of`` for each birth date."""
    years = births.astype("datetime64[Y]").astype(np.int64) + 1970
    months = births.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (births - births.astype("datetime64[M]")).astype(np.int64) + 1
    before_birthday = (months > as_of.month) | (
        (months == as_of.month) & (days > as_of.day)
    )
    ages: IntArray = (as_of.year - years - before_birthday).astype(np.int64)
    return ages


def hukou_region_codes(
    rng: np.random.Generator, skeleton: Skeleton, communities: pl.DataFrame
) -> npt.NDArray[np.str_]:
    """Return each household's registration county: home district or origin."""
    district = communities["code"].str.slice(0, 6).to_numpy().astype(str)
    home = district[skeleton.community]

    counties = [c for _, codes in ORIGIN_COUNTIES.values() for c in codes]
    weights = np.array(
        [share / len(codes) for share, codes in ORIGIN_COUNTIES.values() for _ in codes]
    )
    origin = np.array(counties)[
        rng.choice(len(counties), size=skeleton.migrant.size, p=weights / weights.sum())
    ]
    return np.where(skeleton.migrant, origin, home)


def generate_resident_ids(
    rng: random.Random,
    region_codes: npt.NDArray[np.str_],
    births: DateArray,
    male: BoolArray,
) -> pl.Series:
    """Generate one unique resident ID per person, in order.

    IDs are generated in chunks to bound the memory held by Python strings.
    An ID that repeats an earlier one is then drawn again, with a new sequence
    number, until all are unique.
    """
    chunks = [
        pl.Series(
            "resident_id",
            _generate_chunk(
                rng,
                region_codes[start : start + ID_CHUNK_SIZE].tolist(),
                births[start : start + ID_CHUNK_SIZE].tolist(),
                male[start : start + ID_CHUNK_SIZE].tolist(),
            ),
            dtype=pl.Utf8,
        )
        for start in range(0, male.size, ID_CHUNK_SIZE)
    ]
    ids = pl.concat(chunks) if chunks else pl.Series("resident_id", [], pl.Utf8)
    return _redraw_duplicates(rng, ids, region_codes, births, male)


def _generate_chunk(
    rng: random.Random, region_codes: list[str], births: list[date], male: list[bool]
) -> list[str]:
    return [
        generate(
            rng,
            region_code=region_code,
            born=born,
            sex=Sex.MALE if is_male else Sex.FEMALE,
        )
        for region_code, born, is_male in zip(region_codes, births, male, strict=True)
    ]


def _redraw_duplicates(
    rng: random.Random,
    ids: pl.Series,
    region_codes: npt.NDArray[np.str_],
    births: DateArray,
    male: BoolArray,
) -> pl.Series:
    for _ in range(MAX_ID_REDRAW_ROUNDS):
        repeated = np.flatnonzero((~ids.is_first_distinct()).to_numpy())
        if repeated.size == 0:
            return ids
        fresh = _generate_chunk(
            rng,
            region_codes[repeated].tolist(),
            births[repeated].tolist(),
            male[repeated].tolist(),
        )
        ids = ids.scatter(repeated, fresh)
    raise RuntimeError(
        f"Resident IDs still repeat after {MAX_ID_REDRAW_ROUNDS} rounds of new draws; "
        "too many people share one region, birth date and sex."
    )


def draw_phones(rng: np.random.Generator, ages: IntArray) -> pl.Series:
    """Draw 11-digit mobile numbers, null for children and some of the very old.

    NOTE: the numbers follow the real mobile format and may belong to real
    subscribers, so no system may call or message them.
    """
    prefix = np.array(MOBILE_PREFIXES, dtype=np.int64)[
        rng.integers(0, len(MOBILE_PREFIXES), ages.size)
    ]
    number = prefix * 100_000_000 + rng.integers(0, 100_000_000, ages.size)
    # ESTIMATE: a quarter of people aged 80 and over have no mobile phone.
    no_phone = (ages < PHONE_MIN_AGE) | ((ages >= 80) & (rng.random(ages.size) < 0.25))
    phones = pl.Series("phone", number).cast(pl.Utf8)
    return phones.zip_with(pl.Series(~no_phone), pl.Series([None], dtype=pl.Utf8))


def member_since(
    rng: np.random.Generator,
    skeleton: Skeleton,
    births: DateArray,
    as_of: date,
) -> DateArray:
    """Draw the date each person joined the household.

    The household forms up to 30 years before ``as_of`` (15 for migrants) and
    not before the head turns 20. Members join at formation or at birth;
    parents of the head join later.
    """
    head_age = skeleton.age_days[skeleton.member == Member.HEAD] / DAYS_PER_YEAR
    limit = np.where(skeleton.migrant, 15.0, 30.0)
    span_years = np.clip(np.minimum(limit, head_age - 20.0), 0.0, None)
    formed_days_ago = np.floor(rng.random(head_age.size) * span_years * DAYS_PER_YEAR)
    as_of_day = np.datetime64(as_of, "D")
    formed = as_of_day - formed_days_ago.astype("timedelta64[D]")[skeleton.household_of]

    joined = np.maximum(formed, births)
    is_parent = np.isin(skeleton.member, [Member.FATHER, Member.MOTHER, Member.PARENT])
    since_formed = (as_of_day - formed).astype(np.int64)
    later = formed + np.floor(rng.random(births.size) * since_formed).astype(
        "timedelta64[D]"
    )
    since: DateArray = np.where(is_parent, later, joined)
    return since


def family_names(rng: np.random.Generator, skeleton: Skeleton) -> pl.Series:
    """Draw full names; the head's blood relatives share the head's surname."""
    household_surname = names.draw_surnames(rng, skeleton.migrant.size)
    own_surname = names.draw_surnames(rng, skeleton.member.size)
    married_in = np.isin(
        skeleton.member, [Member.SPOUSE, Member.MOTHER, Member.CHILD_IN_LAW]
    )
    surname = own_surname.zip_with(
        pl.Series(married_in), household_surname.gather(skeleton.household_of)
    )
    given_names = names.draw_given_names(rng, skeleton.male)
    return names.build_names(surname, given_names)


def build_persons(
    skeleton: Skeleton, communities: pl.DataFrame, as_of: date, seed: int
) -> pl.DataFrame:
    """Build the persons frame in the published schema."""
    rng = numpy_stream(seed, "people")
    births = birth_dates(skeleton, as_of)
    ages = ages_in_years(births, as_of)
    region = hukou_region_codes(rng, skeleton, communities)[skeleton.household_of]
    resident_ids = generate_resident_ids(
        python_stream(seed, "resident_id"), region, births, skeleton.male
    )
    migrant = skeleton.migrant[skeleton.household_of]
    return pl.DataFrame(
        {
            "person_key": np.arange(1, ages.size + 1, dtype=np.int64),
            "hh_key": skeleton.household_of + 1,
            "relationship": labels(RELATIONSHIPS, skeleton.member),
            "name": family_names(rng, skeleton),
            "sex": choose(skeleton.male, "M", "F"),
            "birth_date": births,
            "resident_id": resident_ids,
            "phone": draw_phones(rng, ages),
            "hukou_type": choose(migrant, "elsewhere", "local"),
            "hukou_nature": choose(
                skeleton.rural_nature[skeleton.household_of], "rural", "urban"
            ),
            "hukou_region_code": region,
            "residence_status": _residence_status(rng, migrant),
            "member_since": member_since(rng, skeleton, births, as_of),
        },
        schema=PERSON_SCHEMA,
    )


def _residence_status(rng: np.random.Generator, migrant: BoolArray) -> pl.Series:
    # ESTIMATE: three quarters of migrants hold a residence permit.
    permit = rng.random(migrant.size) < 0.75
    status = np.where(migrant, np.where(permit, 1, 2), 0)
    return labels(("registered", "residence_permit", "temporary"), status)


PERSON_SCHEMA: Final = pl.Schema(
    {
        "person_key": pl.Int64,
        "hh_key": pl.Int64,
        "relationship": pl.Utf8,
        "name": pl.Utf8,
        "sex": pl.Utf8,
        "birth_date": pl.Date,
        "resident_id": pl.Utf8,
        "phone": pl.Utf8,
        "hukou_type": pl.Utf8,
        "hukou_nature": pl.Utf8,
        "hukou_region_code": pl.Utf8,
        "residence_status": pl.Utf8,
        "member_since": pl.Date,
    }
)
