"""Matching rows to persons through the resident-ID blind index."""

from __future__ import annotations

import random
from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doudi.exchange.identity import canonical_ids
from doudi.exchange.ingest import ingest_records
from doudi.exchange.matching import candidates, domain_hasher
from doudi.exchange.models import Channel, ExchangeFact, UnmatchedRecord
from doudi.exchange.tests.conftest import TODAY, claim
from doudi.privacy.keys import keyring
from doudi.registry import resident_id
from doudi.registry.resident_id import InvalidResidentId


def _ingest(source, rows):
    return ingest_records(
        rows, source=source, kind="medical_claim", channel=Channel.PUSH, today=TODAY
    )


def test_legacy_15_digit_id_matches(source, persons):
    legacy = resident_id.to_legacy15("310101198001010018")
    batch = _ingest(source, [claim(legacy)])
    assert ExchangeFact.objects.get(batch=batch).person == persons["alice"]


def test_full_width_and_lower_x_match(source, persons):
    batch = _ingest(source, [claim("３１０１０１１９８００１０１００１８")])
    assert batch.rows_stored == 1


def test_unmatched_reasons_and_candidates(source, persons):
    batch = _ingest(
        source,
        [
            claim(None),
            claim("310101198001010019"),
            claim("110101199001010015"),
            claim(None, name="无此人"),
        ],
    )
    assert batch.rows_unmatched == 4
    records = {r.row_number: r for r in UnmatchedRecord.objects.filter(batch=batch)}
    assert records[1].reason == "missing_id"
    assert records[2].reason == "invalid_id"
    assert records[3].reason == "not_found"
    assert records[1].candidates == [persons["alice"].pk]
    assert records[4].candidates == []


def _mutations(valid: str) -> list[str]:
    return [
        valid,
        valid[:-1] + ("0" if valid[-1] != "0" else "1"),
        valid[:17],
        resident_id.to_legacy15(valid) if valid[6:8] == "19" else valid,
        valid.lower(),
        " " + valid[:6] + "-" + valid[6:],
        "99" + valid[2:],
        valid[:10] + "13" + valid[12:],
        "111111111111111",
        "12345678901234567X",
    ]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    born=st.dates(date(1900, 1, 1), date(2026, 1, 1)),
)
def test_canonical_ids_agree_with_normalize(seed, born):
    rng = random.Random(seed)
    valid = resident_id.generate(
        rng, region_code="310101", born=born, sex=resident_id.Sex.FEMALE
    )
    values = _mutations(valid)
    frame = canonical_ids(pl.Series(values, dtype=pl.String), TODAY)
    for value, canonical in zip(values, frame["canonical"], strict=True):
        try:
            expected = resident_id.normalize(value, today=TODAY)
        except InvalidResidentId:
            expected = None
        assert canonical == expected, value


@pytest.mark.parametrize("domain", ["person.resident_id", "person.name"])
def test_domain_hasher_equals_keyring(domain):
    hasher = domain_hasher(domain)
    for value in [
        "310101198001010018",
        " 31010119800101001X ",
        "３１０１",
        "王测试",
        "",
    ]:
        assert hasher(value) == keyring().blind_index(value, domain=domain), value


def test_candidates_match_name_and_birth_date(persons):
    alice = persons["alice"]
    found = candidates(
        pl.Series([alice.name, alice.name, "无此人"], dtype=pl.String),
        pl.Series([alice.birth_date, date(1999, 1, 1), alice.birth_date]),
    )
    assert found == [[alice.pk], [], []]
