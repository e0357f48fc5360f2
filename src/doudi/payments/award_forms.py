"""Forms of the award page, one per action.

Forms that change the award carry its `version`: the page rejects a form
sent from an older view of the award, so a second click changes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Final

from django import forms
from django.utils.translation import gettext_lazy as _

from doudi.payments.models import ChangeCategory, ReviewOutcome

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_YUAN: Final = Decimal("1000000")


class DateInput(forms.DateInput):
    input_type = "date"


def to_fen(yuan: Decimal) -> int:
    """Return whole fen; the field allows two decimal places only."""
    return int(yuan * 100)


def _yuan_field(label: StrOrPromise, *, required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_value=MAX_YUAN,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason, in writing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class StatusForm(VersionForm):
    """Suspend, resume, start the gradual exit or terminate."""

    on = forms.DateField(label=_("Effective on"), widget=DateInput)
    reason = _reason_field()


class AmountForm(VersionForm):
    amount_yuan = _yuan_field(_("New monthly amount (yuan)"), required=True)
    on = forms.DateField(label=_("Effective on"), widget=DateInput)
    reason = _reason_field()


class BankAccountForm(VersionForm):
    """The number is never shown back: the page redirects, it does not re-render."""

    holder = forms.CharField(label=_("Account holder"), max_length=100)
    account_number = forms.CharField(
        label=_("Account number"),
        max_length=40,
        help_text=_("8 to 30 digits. Only the last four are shown afterwards."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    bank_code = forms.CharField(label=_("Bank code"), max_length=12)


class ReportChangeForm(forms.Form):
    category = forms.ChoiceField(label=_("What changed"), choices=ChangeCategory)
    description = forms.CharField(
        label=_("What the household reported"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reported_on = forms.DateField(label=_("Reported on"), widget=DateInput)


class MemberDeathForm(forms.Form):
    """A member's death, which schedules the re-check of the award."""

    member = forms.TypedChoiceField(label=_("Member who died"), coerce=int)
    died_on = forms.DateField(label=_("Date of death"), widget=DateInput)

    def for_members(self, members: list[tuple[int, str]]) -> None:
        """Offer the household's members, as (person id, label) pairs."""
        self.fields["member"].choices = members  # type: ignore[attr-defined]


class CompleteReviewForm(VersionForm):
    review = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewOutcome)
    amount_yuan = _yuan_field(
        _("New monthly amount (yuan), when the amount changes"), required=False
    )
    on = forms.DateField(label=_("Completed on"), widget=DateInput)
    note = forms.CharField(
        label=_("Findings, in writing"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
