"""Forms of the case pages. Amounts are typed in yuan and stored in fen."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doudi.assessments.models import Scheme
from doudi.cases.declaration import (
    MAX_SITUATION_CHARACTERS,
    Declaration,
    DeclaredAsset,
    DeclaredIncome,
)
from doudi.cases.documents import max_bytes
from doudi.cases.models import (
    Channel,
    DocumentKind,
    Housing,
    LivingConditions,
    SurveyOpinion,
)
from doudi.cases.workflow import MAX_NOTE_CHARACTERS
from doudi.registry.choices import AssetKind, IncomeKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A monthly amount or declared figure above this many yuan is a typing error.
MAX_YUAN = Decimal("10000000")


class DateInput(forms.DateInput):
    """A browser date picker, which accepts only ISO dates in any language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def yuan_field(label: StrOrPromise, *, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_value=MAX_YUAN,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def to_fen(yuan: Decimal | None) -> int:
    return int((yuan or Decimal(0)) * 100)


def to_yuan(fen: int | None) -> Decimal:
    return (Decimal(fen or 0) / 100).quantize(Decimal("0.01"))


def _note_field(label: StrOrPromise, *, required: bool) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_NOTE_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VersionForm(forms.Form):
    """The version of the case the page showed; every action sends it back."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class NoteForm(VersionForm):
    note = _note_field(_("Note (optional)"), required=False)


class ReasonForm(VersionForm):
    reason = _note_field(_("Reason"), required=True)


class AnswerForm(VersionForm):
    answer = _note_field(_("Answer: what was found and what was done"), required=True)


class AmountForm(VersionForm):
    amount_yuan = yuan_field(_("Monthly amount (yuan)"), required=True)
    note = _note_field(_("Note (optional)"), required=False)


class NoticeForm(VersionForm):
    starts_on = forms.DateField(label=_("Notice starts on"), widget=DateInput)


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    summary = _note_field(_("What the objection says"), required=True)


class AppealForm(forms.Form):
    reason = _note_field(_("Why the household disagrees"), required=True)


class AppealDecisionForm(VersionForm):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("uphold", _("Uphold the refusal")),
            ("overturn", _("Overturn the refusal and decide again")),
        ],
        widget=forms.RadioSelect,
    )
    reason = _note_field(_("Reasons"), required=True)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("At most %(size)s MB.") % {
            "size": max_bytes() // (1024 * 1024)
        }
        self.fields["file"].widget.attrs["accept"] = (
            "application/pdf,image/jpeg,image/png"
        )


OPENING_CHANNELS = [
    (Channel.WALK_IN.value, Channel.WALK_IN.label),
    (Channel.WARNING.value, Channel.WARNING.label),
    (Channel.REFERRAL.value, Channel.REFERRAL.label),
]


class NewCaseForm(forms.Form):
    """A community worker enters a request made at the office, a warning or a
    referral, with what the household declares."""

    household = forms.IntegerField(label=_("Household number"), min_value=1)
    scheme = forms.ChoiceField(label=_("Scheme"), choices=Scheme.choices)
    channel = forms.ChoiceField(
        label=_("How the request came"), choices=OPENING_CHANNELS
    )
    source_reference = forms.CharField(
        label=_("Warning number or referral reference"),
        required=False,
        max_length=64,
    )
    delegated = forms.BooleanField(
        label=_("Approval delegated to the street office (20 working days)"),
        required=False,
    )
    situation = forms.CharField(
        label=_("The members' situation, as the household describes it"),
        required=False,
        max_length=MAX_SITUATION_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in IncomeKind.choices:
            self.fields[f"income_{kind}"] = yuan_field(label)
        for kind, label in AssetKind.choices:
            self.fields[f"asset_{kind}"] = yuan_field(label)

    def request_fields(self) -> list[forms.BoundField]:
        names = ["household", "scheme", "channel", "source_reference"]
        return [self[name] for name in names]

    def income_fields(self) -> list[forms.BoundField]:
        return [self[f"income_{kind}"] for kind in IncomeKind.values]

    def asset_fields(self) -> list[forms.BoundField]:
        return [self[f"asset_{kind}"] for kind in AssetKind.values]

    def declaration(self) -> Declaration:
        data = self.cleaned_data
        incomes = tuple(
            DeclaredIncome(kind, to_fen(data[f"income_{kind}"]))
            for kind in IncomeKind.values
            if data.get(f"income_{kind}")
        )
        assets = tuple(
            DeclaredAsset(kind, to_fen(data[f"asset_{kind}"]))
            for kind in AssetKind.values
            if data.get(f"asset_{kind}")
        )
        return Declaration(incomes, assets, data.get("situation", "").strip())


class SurveyForm(VersionForm):
    """The visit form, laid out for a phone: one column, large targets."""

    visited_on = forms.DateField(label=_("Day of the visit"), widget=DateInput)
    investigators = forms.TypedMultipleChoiceField(
        label=_("Investigators (at least two)"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    members_present = forms.IntegerField(
        label=_("Members present"),
        min_value=0,
        max_value=50,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    housing = forms.ChoiceField(
        label=_("Housing situation"), choices=Housing.choices, widget=forms.RadioSelect
    )
    living_conditions = forms.ChoiceField(
        label=_("Living conditions"),
        choices=LivingConditions.choices,
        widget=forms.RadioSelect,
    )
    declaration_matches = forms.TypedChoiceField(
        label=_("Does what you saw match the declaration?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    opinion = forms.ChoiceField(
        label=_("Opinion"), choices=SurveyOpinion.choices, widget=forms.RadioSelect
    )
    findings = _note_field(_("Findings"), required=False)

    def __init__(
        self, *args: Any, investigators: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["investigators"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = investigators
