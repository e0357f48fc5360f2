"""The service catalogue, after Open Referral HSDS 3.0.

Every record has a stable UUID `id`, which is its HSDS identifier and stays
the same through export and import. Field names follow HSDS where HSDS has
the field. Names and descriptions are in Chinese; `alternate_name` carries an
optional English name. Organisations and locations also point to a registry
region, which the catalogue filters and the portal's nearby search use.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from doudi.services.choices import (
    CapacityUnit,
    Category,
    Frequency,
    LocationType,
    OrganizationType,
    PhoneType,
    ServiceStatus,
    Weekday,
)

MAX_AGE = 150


class Stamped(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Organization(Stamped):
    name = models.CharField(_("name of the organisation"), max_length=200)
    alternate_name = models.CharField(
        _("English name"), max_length=200, blank=True, default=""
    )
    description = models.TextField(_("description"))
    organization_type = models.CharField(
        _("type of organisation"), max_length=32, choices=OrganizationType
    )
    region = models.ForeignKey(
        "registry.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("The district, street or community the organisation serves."),
    )
    email = models.EmailField(_("email"), blank=True, default="")
    website = models.URLField(_("website"), blank=True, default="")
    year_incorporated = models.PositiveSmallIntegerField(
        _("year founded"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2200)],
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization_type"])]

    def __str__(self) -> str:
        return self.name


class Service(Stamped):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="services",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name of the service"), max_length=200)
    alternate_name = models.CharField(
        _("English name"), max_length=200, blank=True, default=""
    )
    description = models.TextField(_("description"), blank=True, default="")
    url = models.URLField(_("web page"), blank=True, default="")
    email = models.EmailField(_("email"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=32, choices=ServiceStatus, default=ServiceStatus.ACTIVE
    )
    eligibility_description = models.TextField(
        _("who can use it"), blank=True, default=""
    )
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_AGE)],
    )
    maximum_age = models.PositiveSmallIntegerField(
        _("maximum age"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_AGE)],
    )
    application_process = models.TextField(_("how to apply"), blank=True, default="")
    fees_description = models.TextField(_("fees"), blank=True, default="")
    alert = models.TextField(_("short-term notice"), blank=True, default="")
    last_modified = models.DateTimeField(_("last changed"))

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="services_service_age_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ServiceCategory(models.Model):
    """One kind of help a service gives; exported as an HSDS attribute."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="categories"
    )
    category = models.CharField(_("category"), max_length=32, choices=Category)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "category"], name="services_one_category_once"
            )
        ]
        indexes = [models.Index(fields=["category"])]

    def __str__(self) -> str:
        return self.category


class ServiceCapacity(models.Model):
    """How many units of a service are free now (HSDS `service_capacity`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="capacities"
    )
    unit = models.CharField(_("unit"), max_length=16, choices=CapacityUnit)
    available = models.PositiveIntegerField(_("available now"))
    maximum = models.PositiveIntegerField(_("maximum"), null=True, blank=True)
    description = models.CharField(
        _("description"), max_length=500, blank=True, default=""
    )
    updated = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("capacity")
        ordering = ["unit", "id"]

    def __str__(self) -> str:
        return f"{self.available} {self.unit}"


class RequiredDocument(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="required_documents"
    )
    document = models.CharField(_("document"), max_length=500)
    uri = models.URLField(_("link"), blank=True, default="")

    class Meta:
        ordering = ["document", "id"]

    def __str__(self) -> str:
        return self.document


class Location(Stamped):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="locations",
        verbose_name=_("organisation"),
    )
    location_type = models.CharField(
        _("type of location"),
        max_length=16,
        choices=LocationType,
        default=LocationType.PHYSICAL,
    )
    url = models.URLField(_("web address"), blank=True, default="")
    name = models.CharField(_("name of the place"), max_length=200)
    alternate_name = models.CharField(
        _("English name"), max_length=200, blank=True, default=""
    )
    description = models.TextField(_("description"), blank=True, default="")
    transportation = models.TextField(_("how to get there"), blank=True, default="")
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    region = models.ForeignKey(
        "registry.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("The community, street or district the place is in."),
    )
    accessibility = models.TextField(
        _("access for disabled people"), blank=True, default=""
    )

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="addresses"
    )
    attention = models.CharField(max_length=200, blank=True, default="")
    address_1 = models.CharField(_("street address"), max_length=300)
    address_2 = models.CharField(
        _("building or room"), max_length=300, blank=True, default=""
    )
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("district"), max_length=100, blank=True, default="")
    state_province = models.CharField(_("province"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=20)
    country = models.CharField(_("country"), max_length=2, default="CN")
    address_type = models.CharField(
        max_length=16, choices=LocationType, default=LocationType.PHYSICAL
    )

    class Meta:
        ordering = ["address_1", "id"]

    def __str__(self) -> str:
        return f"{self.address_1} {self.address_2}".strip()


class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    description = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "location"], name="services_service_once_per_place"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} @ {self.location_id}"


def _one_owner(prefix: str, owners: list[str]) -> models.CheckConstraint:
    """Require exactly one of the `owners` foreign keys to be set."""
    condition = Q()
    for owner in owners:
        only = Q(**{f"{owner}__isnull": False})
        for other in owners:
            if other != owner:
                only &= Q(**{f"{other}__isnull": True})
        condition |= only
    return models.CheckConstraint(condition=condition, name=f"{prefix}_one_owner")


def _owner(model: str, related_name: str) -> Any:
    return models.ForeignKey(
        model,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name=related_name,
    )


class Schedule(models.Model):
    """Opening hours as an iCalendar (RFC 5545) recurrence, as HSDS has them.

    `opens_at` and `closes_at` are wall-clock times at the UTC offset
    `timezone` (hours); the export writes them with that offset.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = _owner("services.Service", "schedules")
    location = _owner("services.Location", "schedules")
    service_at_location = _owner("services.ServiceAtLocation", "schedules")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    dtstart = models.DateField(_("first day"), null=True, blank=True)
    timezone = models.SmallIntegerField(
        _("UTC offset in hours"),
        default=8,
        validators=[MinValueValidator(-12), MaxValueValidator(14)],
    )
    until = models.DateField(_("last day"), null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    wkst = models.CharField(max_length=2, choices=Weekday, blank=True, default="")
    freq = models.CharField(
        _("repeats"), max_length=8, choices=Frequency, default=Frequency.WEEKLY
    )
    interval = models.PositiveSmallIntegerField(null=True, blank=True)
    byday = models.CharField(_("days"), max_length=100, blank=True, default="")
    bymonthday = models.CharField(
        _("days of the month"), max_length=100, blank=True, default=""
    )
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, default="")
    notes = models.TextField(_("notes"), blank=True, default="")

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["id"]
        constraints = [
            _one_owner(
                "services_schedule", ["service", "location", "service_at_location"]
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="services_schedule_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.byday} {self.opens_at}-{self.closes_at}"


class Contact(models.Model):
    """A desk or role to contact, such as a reception desk.

    NOTE: the catalogue is public, so `name` should name a desk or role. The
    form label asks for that, but nothing can check it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = _owner("services.Organization", "contacts")
    service = _owner("services.Service", "contacts")
    location = _owner("services.Location", "contacts")
    service_at_location = _owner("services.ServiceAtLocation", "contacts")
    name = models.CharField(_("desk or role"), max_length=200, blank=True, default="")
    title = models.CharField(_("title"), max_length=200, blank=True, default="")
    department = models.CharField(
        _("department"), max_length=200, blank=True, default=""
    )
    email = models.EmailField(_("email"), blank=True, default="")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            _one_owner(
                "services_contact",
                ["organization", "service", "location", "service_at_location"],
            )
        ]

    def __str__(self) -> str:
        return self.name


class Phone(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = _owner("services.Organization", "phones")
    service = _owner("services.Service", "phones")
    location = _owner("services.Location", "phones")
    service_at_location = _owner("services.ServiceAtLocation", "phones")
    contact = _owner("services.Contact", "phones")
    number = models.CharField(_("number"), max_length=40)
    extension = models.PositiveIntegerField(_("extension"), null=True, blank=True)
    type = models.CharField(
        _("type"), max_length=16, choices=PhoneType, default=PhoneType.VOICE
    )
    description = models.CharField(
        _("description"), max_length=500, blank=True, default=""
    )

    class Meta:
        ordering = ["number", "id"]
        constraints = [
            _one_owner(
                "services_phone",
                [
                    "organization",
                    "service",
                    "location",
                    "service_at_location",
                    "contact",
                ],
            )
        ]

    def __str__(self) -> str:
        return self.number
