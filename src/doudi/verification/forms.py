"""The form on which a community worker records a signed authorisation."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doudi.exchange.kinds import FeedKind
from doudi.verification.authorisations import NEEDED_KINDS
from doudi.verification.figures import months_before
from doudi.verification.models import RequestPurpose
from doudi.verification.queries import MemberRow
from doudi.verification.services import MAX_VALIDITY_MONTHS


class DateInput(forms.DateInput):
    """A browser date picker, which accepts only ISO dates in any language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class AuthorisationForm(forms.Form):
    signed_by = forms.TypedChoiceField(label=_("Signed by"), coerce=int)
    members = forms.TypedMultipleChoiceField(
        label=_("Members covered"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    data_kinds = forms.MultipleChoiceField(
        label=_("Kinds of records the household allows"),
        choices=FeedKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Income, tax, property, vehicle, financial asset, business and housing "
            "fund records need this authorisation; they are preselected."
        ),
    )
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput)

    def __init__(
        self, *args: Any, members: list[MemberRow], today: date, **kwargs: Any
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "members": [member.person_id for member in members],
                "data_kinds": list(NEEDED_KINDS),
                "signed_on": today,
                "valid_until": months_before(today, -MAX_VALIDITY_MONTHS),
            },
        )
        super().__init__(*args, **kwargs)
        choices = [(member.person_id, member.name) for member in members]
        signed_by = self.fields["signed_by"]
        covered = self.fields["members"]
        assert isinstance(signed_by, forms.ChoiceField)
        assert isinstance(covered, forms.ChoiceField)
        signed_by.choices = choices
        covered.choices = choices
        self.fields["valid_until"].help_text = _(
            "At most %(months)d months after signing."
        ) % {"months": MAX_VALIDITY_MONTHS}


class VerifyForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), widget=DateInput)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=RequestPurpose.choices)
