from datetime import date

import pytest
from django.core.management import call_command

from doudi.privacy.models import AuditEntry
from doudi.registry import bulk_load, resident_id
from doudi.registry.choices import Relationship
from doudi.registry.models import Household, Membership, Person, PersonFact, Region
from doudi.registry.services import resident_id_index
from doudi.synth import generate_city

AS_OF = date(2026, 12, 1)


@pytest.fixture(scope="module")
def small_city():
    return generate_city(150, 11, AS_OF)


def test_load_counts_match_city(db, small_city):
    result = bulk_load.load_city(small_city)
    assert result.households == Household.objects.count() == 150
    assert result.persons == Person.objects.count() == small_city.persons.height
    assert Membership.objects.filter(end_date__isnull=True).count() == result.persons


def test_every_household_has_one_head(db, small_city):
    bulk_load.load_city(small_city)
    heads = Membership.objects.filter(
        relationship=Relationship.HEAD, end_date__isnull=True
    )
    assert heads.count() == Household.objects.count()


def test_region_tree_has_paths(db, small_city):
    bulk_load.load_city(small_city)
    community = Household.objects.select_related("region").order_by("pk")[0].region
    assert community.level == "community"
    assert community.path.startswith("310000/")
    assert Region.objects.filter(level="district").count() == 16


def test_values_encrypted_and_searchable(db, small_city):
    bulk_load.load_city(small_city)
    expected = small_city.persons.row(0, named=True)
    person = Person.objects.get(
        resident_id_index=resident_id_index(expected["resident_id"])
    )
    assert person.name == expected["name"]
    assert resident_id.normalize(person.resident_id) == expected["resident_id"]


def test_raw_column_holds_token(db, small_city):
    from django.db import connection

    bulk_load.load_city(small_city)
    with connection.cursor() as cursor:
        cursor.execute("SELECT resident_id FROM registry_person LIMIT 1")
        (token,) = cursor.fetchone()
    assert token.startswith("v1.")


def test_second_load_is_noop(db, small_city):
    bulk_load.load_city(small_city)
    again = bulk_load.load_city(small_city)
    assert again.skipped
    assert Household.objects.count() == 150


def test_load_writes_one_batch_audit(db, small_city):
    bulk_load.load_city(small_city)
    entries = AuditEntry.objects.filter(object_type="registry.synthetic_city")
    assert entries.count() == 1
    assert entries.get().record_count == 150 + small_city.persons.height
    assert len(entries.get().checksum) == 64


def test_crash_leaves_nothing(db, small_city, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("killed mid-load")

    monkeypatch.setattr(bulk_load, "_load_assets", crash)
    with pytest.raises(RuntimeError, match="killed mid-load"):
        bulk_load.load_city(small_city)
    assert Household.objects.count() == 0
    assert Person.objects.count() == 0
    assert PersonFact.objects.count() == 0


def test_synth_command_writes_truth(db, tmp_path, capsys):
    truth = tmp_path / "truth.parquet"
    call_command(
        "synth",
        "--households",
        "40",
        "--seed",
        "3",
        "--as-of",
        "2026-12-01",
        "--truth",
        str(truth),
    )
    assert truth.exists()
    assert "loaded 40 households" in capsys.readouterr().out


def test_synth_command_rejects_zero(db):
    with pytest.raises(Exception, match="give 1 or more"):
        call_command("synth", "--households", "0")


def _index_names():
    from django.db import connection

    tables = [model._meta.db_table for model in bulk_load.BULK_MODELS]
    with connection.cursor() as cursor:
        names = set()
        for table in tables:
            constraints = connection.introspection.get_constraints(cursor, table)
            names |= {
                name for name, info in constraints.items() if not info["primary_key"]
            }
    return names


def test_indexes_rebuilt_after_load(db, small_city):
    before = _index_names()
    bulk_load.load_city(small_city)
    assert _index_names() == before


def test_crash_keeps_indexes(db, small_city, monkeypatch):
    before = _index_names()

    def crash(*args, **kwargs):
        raise RuntimeError("killed mid-load")

    monkeypatch.setattr(bulk_load, "_load_assets", crash)
    with pytest.raises(RuntimeError, match="killed mid-load"):
        bulk_load.load_city(small_city)
    assert _index_names() == before


def test_unique_resident_id_enforced_after_load(db, small_city):
    from django.db import IntegrityError, transaction

    bulk_load.load_city(small_city)
    person = Person.objects.order_by("pk")[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            name="x",
            name_index="x",
            sex="M",
            birth_date=date(1990, 1, 1),
            resident_id="x",
            resident_id_index=person.resident_id_index,
            hukou_type="local",
            hukou_nature="urban",
            hukou_region_code="310101",
            residence_status="registered",
        )


def _planner_row_count(table: str) -> int | None:
    """Return the row count the planner's statistics hold for `table`."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            count = cursor.fetchone()[0]
            return None if count < 0 else int(count)
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        row = cursor.fetchone()
        return None if row is None else int(row[0].split()[0])


def test_load_leaves_planner_statistics(db, small_city):
    bulk_load.load_city(small_city)

    assert _planner_row_count("registry_membership") == Membership.objects.count()
