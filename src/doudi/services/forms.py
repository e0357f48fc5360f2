"""Forms of the catalogue pages: filters, records, hours, phones and import."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from doudi.privacy.choices import Role
from doudi.privacy.models import User
from doudi.registry.models import Region
from doudi.services import queries
from doudi.services.choices import (
    CapacityUnit,
    Category,
    OrganizationType,
    PhoneType,
    ServiceStatus,
    Weekday,
)
from doudi.services.loading import MAX_FILE_BYTES
from doudi.services.models import Address, Location, Organization, Service

PHONE_NUMBER = re.compile(r"^\+?[0-9][0-9 ()\-]{2,38}$")
MAX_DOCUMENTS = 20


def _any(choices: Any) -> list[tuple[str, str]]:
    return [("", _("Any")), *choices]


def _set_choices(field: forms.Field, choices: list[tuple[str, Any]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _district_choices() -> list[tuple[str, str]]:
    return _any(list(queries.districts().values_list("code", "name")))


class RegionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A region select that indents streets and communities under their district."""

    def label_from_instance(self, obj: Region) -> str:
        indent = {"street": "\u3000", "community": "\u3000\u3000"}.get(obj.level, "")
        return f"{indent}{obj.name}"


class CatalogueFilter(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=queries.MAX_SEARCH_LENGTH
    )
    category = forms.ChoiceField(
        label=_("Kind of help"), required=False, choices=_any(Category.choices)
    )
    district = forms.ChoiceField(label=_("District"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_any(ServiceStatus.choices)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["district"], _district_choices())


class OrganizationFilter(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=queries.MAX_SEARCH_LENGTH
    )
    organization_type = forms.ChoiceField(
        label=_("Type of organisation"),
        required=False,
        choices=_any(OrganizationType.choices),
    )
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["district"], _district_choices())


def _formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """Build a model field's form field; web addresses default to https."""
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


def editable_regions(user: User, current: Region | None) -> QuerySet[Region]:
    """Return the districts and streets `user` may give an organisation."""
    regions = Region.objects.filter(level__in=["district", "street"])
    if user.role != Role.CITY_ADMIN and user.region is not None:
        regions = regions.filter(path__startswith=user.region.path)
    if current is not None:
        regions = regions | Region.objects.filter(pk=current.pk)
    return regions.order_by("path")


class OrganizationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Organization
        fields = [
            "name",
            "alternate_name",
            "organization_type",
            "region",
            "description",
            "email",
            "website",
            "year_incorporated",
        ]
        field_classes = {"region": RegionChoiceField}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        formfield_callback = _formfield

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, RegionChoiceField)
        region_field.queryset = editable_regions(user, self.instance.region)
        region_field.required = user.role != Role.CITY_ADMIN
        region_field.empty_label = _("Whole city")


class ServiceForm(forms.ModelForm):  # type: ignore[type-arg]
    categories = forms.MultipleChoiceField(
        label=_("Kinds of help"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    locations = forms.ModelMultipleChoiceField(
        label=_("Places where it is given"),
        queryset=Location.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    documents = forms.CharField(
        label=_("Documents to bring"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One document per line."),
    )
    capacity_unit = forms.ChoiceField(
        label=_("Counted in"),
        required=False,
        choices=[("", _("No limit on places")), *CapacityUnit.choices],
    )
    capacity_available = forms.IntegerField(
        label=_("Available now"), required=False, min_value=0, max_value=1_000_000
    )
    capacity_maximum = forms.IntegerField(
        label=_("Maximum"), required=False, min_value=0, max_value=1_000_000
    )

    class Meta:
        model = Service
        fields = [
            "name",
            "alternate_name",
            "status",
            "description",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "application_process",
            "fees_description",
            "url",
            "email",
            "alert",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "description",
                "eligibility_description",
                "application_process",
                "fees_description",
                "alert",
            )
        }
        formfield_callback = _formfield

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = self.fields["locations"]
        assert isinstance(places, forms.ModelMultipleChoiceField)
        places.queryset = organization.locations.order_by("name")
        if self.instance.pk and not self.is_bound:
            self._fill_parts()

    def _fill_parts(self) -> None:
        service = self.instance
        self.initial["categories"] = list(
            service.categories.values_list("category", flat=True)
        )
        self.initial["locations"] = list(
            service.service_at_locations.values_list("location_id", flat=True)
        )
        self.initial["documents"] = "\n".join(
            service.required_documents.values_list("document", flat=True)
        )
        capacity = service.capacities.first()
        if capacity is not None:
            self.initial["capacity_unit"] = capacity.unit
            self.initial["capacity_available"] = capacity.available
            self.initial["capacity_maximum"] = capacity.maximum

    def clean_documents(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["documents"].splitlines()]
        documents = list(dict.fromkeys(line for line in lines if line))
        if len(documents) > MAX_DOCUMENTS:
            raise forms.ValidationError(
                _("List at most %(max)d documents.") % {"max": MAX_DOCUMENTS}
            )
        if any(len(line) > 500 for line in documents):
            raise forms.ValidationError(_("Shorten each line to 500 characters."))
        return documents

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error("maximum_age", _("Give a maximum age above the minimum."))
        unit, available = data.get("capacity_unit"), data.get("capacity_available")
        if unit and available is None:
            self.add_error(
                "capacity_available", _("Give the number available now, or no limit.")
            )
        maximum = data.get("capacity_maximum")
        if (
            unit
            and available is not None
            and maximum is not None
            and available > maximum
        ):
            self.add_error(
                "capacity_maximum",
                _("The maximum must not be below the number available."),
            )
        return data

    def capacity(self) -> tuple[str, int, int | None] | None:
        unit = self.cleaned_data.get("capacity_unit")
        if not unit:
            return None
        available = self.cleaned_data["capacity_available"]
        return unit, available, self.cleaned_data.get("capacity_maximum")


def place_regions(
    organization: Organization, current: Region | None
) -> QuerySet[Region]:
    """Return the regions a place of `organization` may lie in, tree-ordered."""
    region = organization.region
    if region is None:
        regions = Region.objects.filter(level__in=["district", "street"])
    else:
        district_path = "/".join(region.path.split("/")[:2]) + "/"
        regions = Region.objects.filter(path__startswith=district_path)
    if current is not None:
        regions = regions | Region.objects.filter(pk=current.pk)
    return regions.exclude(level="city").order_by("path")


class LocationForm(forms.ModelForm):  # type: ignore[type-arg]
    address_1 = forms.CharField(label=_("Street address"), max_length=300)
    address_2 = forms.CharField(
        label=_("Building or room"), max_length=300, required=False
    )
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)

    class Meta:
        model = Location
        fields = [
            "name",
            "alternate_name",
            "region",
            "description",
            "transportation",
            "accessibility",
            "latitude",
            "longitude",
        ]
        field_classes = {"region": RegionChoiceField}
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("description", "transportation", "accessibility")
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, RegionChoiceField)
        region_field.queryset = place_regions(organization, self.instance.region)
        region_field.required = True
        address = self.instance.addresses.first() if self.instance.pk else None
        if address is not None and not self.is_bound:
            for name in ("address_1", "address_2", "postal_code"):
                self.initial[name] = getattr(address, name)

    def address(self) -> dict[str, Any]:
        """Return the fields of the place's street address."""
        region: Region = self.cleaned_data["region"]
        city = Region.objects.filter(path=region.path.split("/")[0] + "/").first()
        city_name = city.name if city is not None else ""
        return {
            "address_1": self.cleaned_data["address_1"],
            "address_2": self.cleaned_data["address_2"],
            "city": city_name,
            "region": region.name,
            "state_province": city_name,
            "postal_code": self.cleaned_data["postal_code"],
            "country": Address._meta.get_field("country").get_default(),
        }


class ScheduleForm(forms.Form):
    days = forms.MultipleChoiceField(
        label=_("Days"), choices=Weekday.choices, widget=forms.CheckboxSelectMultiple
    )
    opens_at = forms.TimeField(
        label=_("Opens at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    closes_at = forms.TimeField(
        label=_("Closes at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    place = forms.ChoiceField(label=_("Where"), required=False)
    valid_from = forms.DateField(
        label=_("Valid from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    valid_to = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    description = forms.CharField(
        label=_("Notes for visitors"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        links = service.service_at_locations.select_related("location")
        self.links = {str(link.id): link for link in links}
        _set_choices(
            self.fields["place"],
            [
                ("", _("Every place of the service")),
                *((key, link.location.name) for key, link in self.links.items()),
            ],
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens is not None and closes is not None and opens >= closes:
            self.add_error(
                "closes_at", _("Give a closing time after the opening time.")
            )
        start, end = data.get("valid_from"), data.get("valid_to")
        if start is not None and end is not None and start > end:
            self.add_error(
                "valid_to", _("Give an end date on or after the start date.")
            )
        return data

    def schedule_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        order = list(Weekday.values)
        days = sorted(data["days"], key=order.index)
        link = self.links.get(data.get("place") or "")
        return {
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "valid_from": data.get("valid_from"),
            "valid_to": data.get("valid_to"),
            "description": data.get("description") or "",
            "byday": ",".join(days),
            "service_at_location": link,
        }


class PhoneForm(forms.Form):
    number = forms.CharField(
        label=_("Number"),
        max_length=40,
        help_text=_("Digits, spaces and dashes, for example 021-6000 1234."),
    )
    extension = forms.IntegerField(
        label=_("Extension"), required=False, min_value=0, max_value=999_999
    )
    type = forms.ChoiceField(label=_("Type"), choices=PhoneType.choices)
    description = forms.CharField(
        label=_("Description"), max_length=500, required=False
    )

    def clean_number(self) -> str:
        number: str = self.cleaned_data["number"].strip()
        if not PHONE_NUMBER.match(number):
            raise forms.ValidationError(
                _("%(number)s is not a phone number; use digits, spaces and dashes.")
                % {"number": number}
            )
        return number


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue file"),
        help_text=_(
            "HSDS JSON (.json), or a zip of HSDS CSV files (.zip) such as the "
            "export below."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MiB; split it.")
                % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload
