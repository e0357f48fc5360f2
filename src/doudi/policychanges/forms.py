"""Forms of the policy pages: propose a change, simulate a reform, decide."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from doudi.policy.schema import SCHEMA, ParameterData
from doudi.policychanges.labels import parameter_label
from doudi.policychanges.services import EARLIEST_DATE, Proposal
from doudi.policychanges.values import format_hint, parse_value

MAX_OVERRIDES = 5
# Policy is set for the coming years, not decades; a later date is a typing error.
MAX_YEARS_AHEAD = 5


def parameter_choices() -> list[tuple[str, str]]:
    return [(name, f"{parameter_label(name)} ({name})") for name in SCHEMA]


class DateInput(forms.DateInput):
    input_type = "date"


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "invalid": _("Enter the date as YYYY-MM-DD, such as 2026-07-01."),
            "required": _("Enter the date from which the value applies."),
        },
    )


def _check_date(day: date) -> None:
    if day < EARLIEST_DATE:
        raise ValidationError(
            gettext("%(date)s is before 2000: enter a date from 2000-01-01.")
            % {"date": day.isoformat()}
        )
    latest = timezone.localdate().replace(month=1, day=1)
    latest = latest.replace(year=latest.year + MAX_YEARS_AHEAD)
    if day > latest:
        raise ValidationError(
            gettext(
                "%(date)s is more than %(years)d years ahead: enter a date up "
                "to %(latest)s."
            )
            % {
                "date": day.isoformat(),
                "years": MAX_YEARS_AHEAD,
                "latest": latest.isoformat(),
            }
        )


def _parameter_field(required: bool) -> forms.ChoiceField:
    blank = [] if required else [("", _("(none)"))]
    return forms.ChoiceField(
        label=_("Parameter"),
        required=required,
        choices=lambda: blank + parameter_choices(),
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a policy parameter: choose one from the list."
            ),
            "required": _("Choose the parameter to change."),
        },
    )


class DatedDistrictForm(forms.Form):
    """A form for one district or the whole city, from a date on.

    Subclasses declare `effective_from` with their own label.
    """

    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args: Any, districts: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_districts(districts)

    def clean_effective_from(self) -> date:
        day: date = self.cleaned_data["effective_from"]
        _check_date(day)
        return day

    def set_districts(self, districts: dict[str, str]) -> None:
        field = self.fields["district"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", gettext("Whole city"))] + [
            (code, f"{name} ({code})") for code, name in districts.items()
        ]
        field.error_messages["invalid_choice"] = gettext(
            "“%(value)s” is not a district of this city: choose one from the list."
        )


class ProposeForm(DatedDistrictForm):
    name = _parameter_field(required=True)
    effective_from = _date_field(_("Takes effect on"))
    value = forms.CharField(
        label=_("New value"),
        max_length=500,
        error_messages={"required": _("Enter the new value.")},
    )
    source = forms.CharField(
        label=_("Source (document number, decision or web address)"),
        max_length=500,
        error_messages={
            "required": _("Name the document or decision the value comes from.")
        },
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field_order = ["name", "district", "effective_from", "value", "source", "reason"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name, text = cleaned.get("name"), cleaned.get("value")
        if name in SCHEMA and text is not None:
            try:
                cleaned["parsed_value"] = parse_value(SCHEMA[name], text)
            except ValidationError as error:
                self.add_error("value", error)
        return cleaned

    def proposal(self) -> Proposal:
        data = self.cleaned_data
        return Proposal(
            name=data["name"],
            district_code=data["district"],
            effective_from=data["effective_from"],
            value=data["parsed_value"],
            source=data["source"],
            reason=data["reason"],
        )


class SimulationForm(DatedDistrictForm):
    effective_from = _date_field(_("Reform takes effect on"))


class OverrideForm(forms.Form):
    name = _parameter_field(required=False)
    value = forms.CharField(label=_("New value"), required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name, text = cleaned.get("name"), cleaned.get("value", "")
        if name and not text:
            self.add_error(
                "value",
                gettext("Enter the new value. %(hint)s")
                % {"hint": format_hint(SCHEMA[name])},
            )
        elif text and not name:
            self.add_error("name", gettext("Choose the parameter for this value."))
        elif name in SCHEMA:
            try:
                cleaned["parsed_value"] = parse_value(SCHEMA[name], text)
            except ValidationError as error:
                self.add_error("value", error)
        return cleaned

    def override(self) -> tuple[str, ParameterData] | None:
        if "parsed_value" not in self.cleaned_data:
            return None
        return self.cleaned_data["name"], self.cleaned_data["parsed_value"]


class BaseOverrideFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        if any(self.errors):
            return
        names = [o[0] for form in self.forms if (o := form.override()) is not None]
        if not names:
            raise ValidationError(gettext("Set at least one parameter to simulate."))
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValidationError(
                gettext("%(names)s is set twice: set each parameter once.")
                % {"names": ", ".join(repeated)}
            )

    def overrides(self) -> dict[str, ParameterData]:
        return dict(o for form in self.forms if (o := form.override()) is not None)


OverrideFormSet = formset_factory(
    OverrideForm,
    formset=BaseOverrideFormSet,
    extra=3,
    max_num=MAX_OVERRIDES,
    validate_max=True,
    # Refuse a forged form count before building that many forms.
    absolute_max=MAX_OVERRIDES,
)


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note on the decision"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
