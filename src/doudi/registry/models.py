"""The social registry: regions, households, persons and their dated facts."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from doudi.privacy.fields import EncryptedTextField
from doudi.registry.choices import (
    AssetKind,
    FactKind,
    FactSource,
    HukouNature,
    HukouType,
    RegionLevel,
    Relationship,
    ResidenceStatus,
    Sex,
)


class Region(models.Model):
    """A node of the city → district → street → community tree.

    `code` is the official division code: GB/T 2260 for the city and
    districts, the 9- and 12-digit statistical codes below. `path` lists the
    codes from the city down, so a region's subtree is a prefix match.
    """

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=80, db_index=True, editable=False)
    urban = models.BooleanField(_("urban"), default=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Household(models.Model):
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("community"),
    )
    address = EncryptedTextField(_("address"))
    single_parent = models.BooleanField(_("single-parent family"), default=False)
    lost_only_child = models.BooleanField(
        _("family that lost its only child"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [models.Index(fields=["region"])]

    def __str__(self) -> str:
        return f"{_('Household')} {self.pk}"


class Person(models.Model):
    name = EncryptedTextField(_("name"))
    # Indexed with the birth date below, because matching department records
    # looks persons up by both and can then read the index without the table.
    name_index = models.CharField(max_length=32, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex)
    birth_date = models.DateField(_("birth date"))
    resident_id = EncryptedTextField(_("resident ID"))
    resident_id_index = models.CharField(max_length=32, unique=True, editable=False)
    phone = EncryptedTextField(_("phone"), null=True, blank=True)
    phone_index = models.CharField(
        max_length=32, blank=True, default="", db_index=True, editable=False
    )
    hukou_type = models.CharField(
        _("household registration"), max_length=16, choices=HukouType
    )
    hukou_nature = models.CharField(
        _("registration type"), max_length=8, choices=HukouNature
    )
    hukou_region_code = models.CharField(_("registration region code"), max_length=12)
    residence_status = models.CharField(
        _("residence status"), max_length=20, choices=ResidenceStatus
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["name_index", "birth_date"], name="person_name_birth"),
        ]

    def __str__(self) -> str:
        return f"{_('Person')} {self.pk}"

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (
            self.birth_date.month,
            self.birth_date.day,
        )
        return day.year - self.birth_date.year - int(before_birthday)


class Membership(models.Model):
    """A person's membership of a household over a date range.

    `end_date` is the first day the person is no longer a member; an open
    membership has none. A person has at most one open membership and a
    household at most one open head; the database enforces both.
    """

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="memberships"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships"
    )
    relationship = models.CharField(
        _("relationship to head"), max_length=16, choices=Relationship
    )
    start_date = models.DateField(_("member since"))
    end_date = models.DateField(_("member until"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(end_date__isnull=True),
                name="one_open_membership_per_person",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(end_date__isnull=True, relationship="head"),
                name="one_open_head_per_household",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(end_date__gt=models.F("start_date")),
                name="membership_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["household", "end_date"])]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.household_id} ({self.relationship})"


class PersonFact(models.Model):
    """A dated fact about a person, with where it came from.

    `valid_to` is the first day the fact no longer holds. Money is integer
    fen. A correction closes the old fact and adds a new one, so history is
    kept.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="facts")
    kind = models.CharField(_("kind"), max_length=32, choices=FactKind)
    code = models.CharField(_("value"), max_length=32, blank=True, default="")
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"), null=True, blank=True)
    reference = EncryptedTextField(_("certificate number"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=FactSource)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("person fact")
        verbose_name_plural = _("person facts")
        indexes = [models.Index(fields=["person", "kind", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=4),
                name="fact_grade_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="fact_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.person_id} from {self.valid_from}"


class HouseholdAsset(models.Model):
    """A dated asset holding of a household, value in integer fen."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="assets"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AssetKind)
    count = models.PositiveIntegerField(_("count"), default=1)
    value_fen = models.BigIntegerField(_("value (fen)"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=FactSource)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household asset")
        verbose_name_plural = _("household assets")
        indexes = [models.Index(fields=["household", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} of {self.household_id} from {self.valid_from}"


class SynthRun(models.Model):
    """A synthetic city loaded into this database, so a repeat is a no-op."""

    seed = models.BigIntegerField()
    households = models.PositiveIntegerField()
    as_of = models.DateField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["seed", "households"], name="one_load_per_city"
            )
        ]

    def __str__(self) -> str:
        return f"seed {self.seed}, {self.households} households"
