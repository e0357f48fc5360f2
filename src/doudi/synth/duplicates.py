"""Plant duplicate person records, and twins, into a list of persons.

`plant` copies some persons into second records that carry one of the
errors duplicate enrolments show in practice, and adds twins: different
persons who share a surname, a birth date and an address. It returns the
records in the linkage layout (`unique_id`, `name`, `resident_id`,
`birth_date`, `sex`, `address`) with the true duplicate pairs, so that a
linker's precision and recall can be measured. Every value is synthetic.

The kinds of planted error, in turn:

- `moved`: the same person at a new address;
- `name_typo`: one given-name character replaced by another character;
- `homophone`: one given-name character replaced by one read the same;
- `pinyin_only`: the name in passport-style pinyin, either order;
- `wrong_check`: the ID's check character changed;
- `id_typo`: one digit of the ID changed, the check character kept;
- `swapped_birth`: birth month and day exchanged, in the ID too;
- `legacy_id`: the legacy 15-digit form of the ID;
- `placeholder_id`: an all-ones placeholder in place of the ID.

Any kind also moves the duplicate to another address with probability
`MOVED_SHARE`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Final

import polars as pl
from pypinyin import Style, lazy_pinyin

from doudi.registry import resident_id
from doudi.synth.names import FEMALE_CHARACTERS, MALE_CHARACTERS, NEUTRAL_CHARACTERS


class DuplicateKind(StrEnum):
    MOVED = "moved"
    NAME_TYPO = "name_typo"
    HOMOPHONE = "homophone"
    PINYIN_ONLY = "pinyin_only"
    WRONG_CHECK = "wrong_check"
    ID_TYPO = "id_typo"
    SWAPPED_BIRTH = "swapped_birth"
    LEGACY_ID = "legacy_id"
    PLACEHOLDER_ID = "placeholder_id"


RECORD_SCHEMA: Final = pl.Schema(
    {
        "unique_id": pl.Utf8(),
        "name": pl.Utf8(),
        "resident_id": pl.Utf8(),
        "birth_date": pl.Date(),
        "sex": pl.Utf8(),
        "address": pl.Utf8(),
    }
)
TRUTH_SCHEMA: Final = pl.Schema(
    {"unique_id_l": pl.Utf8(), "unique_id_r": pl.Utf8(), "kind": pl.Utf8()}
)
MOVED_SHARE: Final = 0.4
PLACEHOLDER_ID: Final = "111111111111111111"

# Characters read alike, for homophone errors. Each group shares its toneless
# pinyin, so a name changed within a group sounds the same.
_HOMOPHONE_SOURCE: Final = (
    "".join(MALE_CHARACTERS + FEMALE_CHARACTERS + NEUTRAL_CHARACTERS)
    + "玮炜维薇鸣铭莉俐力婧晶方舫桦骅君均捷洁韬滔蔷闽珉艳雁宏鸿铃灵苓亭庭"
    + "萍苹晖徽彬宾蕾垒雨语羽朋彭菲非博柏潮钢纲永咏琳霖麟扬洋杨锋丰枫"
    + "立丽利励新欣心馨昕建健剑见华化花春纯淳"
)


@dataclass(frozen=True)
class Planted:
    """Records with planted duplicates and twins, and the true duplicate pairs."""

    records: pl.DataFrame
    truth: pl.DataFrame


def plant(
    persons: pl.DataFrame,
    *,
    seed: int,
    duplicate_share: float = 0.02,
    twin_share: float = 0.01,
) -> Planted:
    """Add duplicates of `duplicate_share` and twins of `twin_share` of `persons`.

    `persons` has the columns of `RECORD_SCHEMA`, with distinct persons and
    valid 18-character IDs. Duplicates get ids "d1", "d2", … and twins
    "t1", "t2", …. Raises ValueError for a share outside 0 to 1.
    """
    for name, share in (
        ("duplicate_share", duplicate_share),
        ("twin_share", twin_share),
    ):
        if not 0 <= share <= 1:
            raise ValueError(f"{name} must be between 0 and 1, not {share}.")
    rng = random.Random(seed)
    originals = persons.select(RECORD_SCHEMA.names()).cast(RECORD_SCHEMA)
    addresses = originals["address"].drop_nulls().unique(maintain_order=True).to_list()

    picked = rng.sample(
        range(originals.height), round(originals.height * duplicate_share)
    )
    duplicates, truth = [], []
    kinds = list(DuplicateKind)
    for number, row in enumerate(originals[picked].to_dicts(), start=1):
        kind = kinds[number % len(kinds)]
        copy = _duplicate(rng, row, kind, addresses)
        copy["unique_id"] = f"d{number}"
        duplicates.append(copy)
        truth.append((str(row["unique_id"]), str(copy["unique_id"]), str(kind)))

    twinned = rng.sample(range(originals.height), round(originals.height * twin_share))
    taken = set(originals["resident_id"].str.slice(0, 17).to_list())
    twin_rows = [
        {**_twin(rng, row, taken), "unique_id": f"t{number}"}
        for number, row in enumerate(originals[twinned].to_dicts(), start=1)
    ]
    records = pl.concat(
        [originals, pl.DataFrame(duplicates + twin_rows, schema=RECORD_SCHEMA)]
    )
    return Planted(records=records, truth=_truth_frame(truth))


def _truth_frame(truth: list[tuple[str, str, str]]) -> pl.DataFrame:
    frame = pl.DataFrame(truth, schema=TRUTH_SCHEMA, orient="row")
    return frame.select(
        pl.min_horizontal("unique_id_l", "unique_id_r").alias("unique_id_l"),
        pl.max_horizontal("unique_id_l", "unique_id_r").alias("unique_id_r"),
        "kind",
    )


def _duplicate(
    rng: random.Random,
    row: dict[str, object],
    kind: DuplicateKind,
    addresses: list[str],
) -> dict[str, object]:
    copy = dict(row)
    _CHANGES[kind](rng, copy)
    if kind == DuplicateKind.MOVED or rng.random() < MOVED_SHARE:
        copy["address"] = rng.choice(addresses)
    return copy


def _text(row: dict[str, object], key: str) -> str:
    value = row[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} must be text, not {type(value).__name__}.")
    return value


def _no_change(rng: random.Random, row: dict[str, object]) -> None:
    return None


def _name_typo(rng: random.Random, row: dict[str, object]) -> None:
    name = _text(row, "name")
    position = rng.randrange(1, len(name))
    sound = _reading(name[position])
    pool = [c for c in _ALL_GIVEN if _reading(c) != sound]
    row["name"] = name[:position] + rng.choice(pool) + name[position + 1 :]


def _homophone(rng: random.Random, row: dict[str, object]) -> None:
    name = _text(row, "name")
    positions = [i for i in range(1, len(name)) if _homophones_of(name[i])]
    if not positions:
        _name_typo(rng, row)
        return
    position = rng.choice(positions)
    replacement = rng.choice(_homophones_of(name[position]))
    row["name"] = name[:position] + replacement + name[position + 1 :]


def _pinyin_only(rng: random.Random, row: dict[str, object]) -> None:
    name = _text(row, "name")
    surname = _reading(name[0]).upper()
    given = "".join(_reading(c) for c in name[1:]).capitalize()
    row["name"] = f"{given} {surname}" if rng.random() < 0.5 else f"{surname} {given}"


def _wrong_check(rng: random.Random, row: dict[str, object]) -> None:
    number = _text(row, "resident_id")
    wrong = rng.choice([c for c in "0123456789X" if c != number[17]])
    row["resident_id"] = number[:17] + wrong


def _id_typo(rng: random.Random, row: dict[str, object]) -> None:
    number = _text(row, "resident_id")
    # Digits 15-17 (the sequence number): a typo there still names a real
    # region and birth date, which is the hardest case to tell from a twin.
    position = rng.choice([rng.randrange(0, 14), rng.randrange(14, 17)])
    digit = rng.choice([d for d in "0123456789" if d != number[position]])
    row["resident_id"] = number[:position] + digit + number[position + 1 :]


def _swapped_birth(rng: random.Random, row: dict[str, object]) -> None:
    born = row["birth_date"]
    if not isinstance(born, date) or born.day > 12 or born.day == born.month:
        _wrong_check(rng, row)
        return
    row["birth_date"] = born.replace(month=born.day, day=born.month)
    number = _text(row, "resident_id")
    row["resident_id"] = number[:10] + number[12:14] + number[10:12] + number[14:]


def _legacy_id(rng: random.Random, row: dict[str, object]) -> None:
    number = _text(row, "resident_id")
    if number[6:8] != "19":
        _wrong_check(rng, row)
        return
    row["resident_id"] = resident_id.to_legacy15(number)


def _placeholder_id(rng: random.Random, row: dict[str, object]) -> None:
    row["resident_id"] = PLACEHOLDER_ID


_CHANGES: Final[
    dict[DuplicateKind, Callable[[random.Random, dict[str, object]], None]]
] = {
    DuplicateKind.MOVED: _no_change,
    DuplicateKind.NAME_TYPO: _name_typo,
    DuplicateKind.HOMOPHONE: _homophone,
    DuplicateKind.PINYIN_ONLY: _pinyin_only,
    DuplicateKind.WRONG_CHECK: _wrong_check,
    DuplicateKind.ID_TYPO: _id_typo,
    DuplicateKind.SWAPPED_BIRTH: _swapped_birth,
    DuplicateKind.LEGACY_ID: _legacy_id,
    DuplicateKind.PLACEHOLDER_ID: _placeholder_id,
}


def _twin(
    rng: random.Random, row: dict[str, object], taken: set[str]
) -> dict[str, object]:
    """Return a twin: same surname, birth date and address; new given name and ID."""
    name, number = _text(row, "name"), _text(row, "resident_id")
    born = row["birth_date"]
    if not isinstance(born, date):
        raise TypeError("birth_date must be a date.")
    sex = rng.choice([resident_id.Sex.MALE, resident_id.Sex.FEMALE])
    # Redraw until the ID is unused, because real IDs are unique. `taken`
    # contains the ID bodies and grows with each twin.
    twin_id = number
    while twin_id[:17] in taken:
        twin_id = resident_id.generate(rng, region_code=number[:6], born=born, sex=sex)
    taken.add(twin_id[:17])
    readings = {_reading(c) for c in name[1:]}
    pool = [c for c in _ALL_GIVEN if _reading(c) not in readings]
    given = "".join(rng.choice(pool) for _ in range(max(1, len(name) - 1)))
    return {
        "name": name[0] + given,
        "resident_id": twin_id,
        "birth_date": born,
        "sex": sex.value,
        "address": row["address"],
    }


_ALL_GIVEN: Final = tuple(
    dict.fromkeys(MALE_CHARACTERS + FEMALE_CHARACTERS + NEUTRAL_CHARACTERS)
)


@cache
def _reading(character: str) -> str:
    return "".join(lazy_pinyin(character, style=Style.NORMAL))


@cache
def _homophone_groups() -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for character in dict.fromkeys(_HOMOPHONE_SOURCE):
        groups[_reading(character)].append(character)
    return {reading: tuple(chars) for reading, chars in groups.items()}


def _homophones_of(character: str) -> tuple[str, ...]:
    group = _homophone_groups().get(_reading(character), ())
    return tuple(c for c in group if c != character)
