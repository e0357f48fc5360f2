"""Forms of the warning page and of the policy officer's signal page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doudi.assessments.models import Scheme
from doudi.cases.declaration import MAX_SITUATION_CHARACTERS
from doudi.cases.forms import DateInput
from doudi.monitoring.lifecycle import MAX_NOTE_CHARACTERS
from doudi.monitoring.models import Outcome
from doudi.monitoring.weights import MAX_WEIGHT


class VersionForm(forms.Form):
    # The warning's version when the page was loaded, for the stale check.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def _text(label: Any, *, required: bool, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_NOTE_CHARACTERS,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssignForm(VersionForm):
    assignee = forms.TypedChoiceField(
        label=_("Community worker"), coerce=int, choices=()
    )

    def __init__(self, *args: Any, workers: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = workers


class VisitForm(VersionForm):
    visited_on = forms.DateField(label=_("Day of the visit"), widget=DateInput())
    note = _text(_("What you found"), required=False)


class ResolveForm(VersionForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    note = _text(
        _("Note"),
        required=False,
        help_text=_("For a household pushed to another agency, name the agency."),
    )


class CloseForm(VersionForm):
    reason = _text(_("Why the household needs no help"), required=True)


class ConvertForm(VersionForm):
    scheme = forms.ChoiceField(label=_("Scheme"), choices=Scheme.choices)
    situation = forms.CharField(
        label=_("The household's situation"),
        required=False,
        max_length=MAX_SITUATION_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WeightsForm(forms.Form):
    """One decimal field per signal, named by the signal's code."""

    def __init__(
        self, *args: Any, signals: list[tuple[str, str, Decimal]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        for code, label, weight in signals:
            self.fields[code] = forms.DecimalField(
                label=label,
                initial=weight,
                min_value=Decimal(0),
                max_value=MAX_WEIGHT,
                decimal_places=2,
                widget=forms.NumberInput(
                    attrs={"step": "0.01", "inputmode": "decimal"}
                ),
            )

    def weights(self) -> dict[str, Decimal]:
        return {code: Decimal(value) for code, value in self.cleaned_data.items()}
