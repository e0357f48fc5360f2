"""The screener's questions and the menu's one-step application form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from doudi.assessments.models import Scheme
from doudi.portal.screener import MAX_COUNT, MAX_MEMBERS, MAX_YUAN, ScreenerAnswers
from doudi.registry.models import Region

YES_NO: Final = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]
MEMBER_COUNTS: Final = (
    "elderly",
    "children",
    "severe_disability",
    "serious_illness",
)


def _count(
    label: StrOrPromise, maximum: int, help_text: StrOrPromise = ""
) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=maximum,
        initial=0,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _yuan(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_value=MAX_YUAN,
        decimal_places=2,
        initial=0,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )


class ScreenerForm(forms.Form):
    district = forms.ChoiceField(label=gettext_lazy("District where you live"))
    household_size = forms.IntegerField(
        label=gettext_lazy("How many people live in your household?"),
        min_value=1,
        max_value=MAX_MEMBERS,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    registered_locally = forms.ChoiceField(
        label=gettext_lazy("Is your household registered (hukou) in this city?"),
        choices=YES_NO,
        initial="yes",
        widget=forms.RadioSelect,
    )
    monthly_income = _yuan(
        gettext_lazy("Your household's total income a month, in yuan"),
        gettext_lazy("Wages, pensions, business and other income of everyone."),
    )
    savings = _yuan(
        gettext_lazy("Savings and other money in banks or funds, in yuan"),
    )
    vehicles = _count(gettext_lazy("Cars or motorbikes you own"), MAX_COUNT)
    homes = _count(gettext_lazy("Homes you own"), MAX_COUNT)
    elderly = _count(gettext_lazy("People aged 60 or over"), MAX_MEMBERS)
    children = _count(gettext_lazy("Children under 16"), MAX_MEMBERS)
    severe_disability = _count(
        gettext_lazy("People with a severe disability (grade 1 or 2)"), MAX_MEMBERS
    )
    serious_illness = _count(gettext_lazy("People with a serious illness"), MAX_MEMBERS)
    medical_spending = _yuan(
        gettext_lazy(
            "Medical costs you paid yourselves in the last 12 months, in yuan"
        ),
    )
    sudden_hardship = forms.ChoiceField(
        label=gettext_lazy(
            "Has your household had a sudden crisis, such as a fire, an accident "
            "or the death of the main earner?"
        ),
        choices=YES_NO,
        initial="no",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        districts = Region.objects.filter(level="district").order_by("code")
        district = self.fields["district"]
        assert isinstance(district, forms.ChoiceField)
        district.choices = [(region.code, region.name) for region in districts]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        size = data.get("household_size")
        if size is None:
            return data
        for name in MEMBER_COUNTS:
            count = data.get(name)
            if count is not None and count > size:
                self.add_error(
                    name,
                    _("This is more than the %(size)d people in the household.")
                    % {"size": size},
                )
        elderly, children = data.get("elderly") or 0, data.get("children") or 0
        if elderly + children > size:
            self.add_error(
                "children",
                _(
                    "People aged 60 or over and children add up to more than the "
                    "%(size)d people in the household."
                )
                % {"size": size},
            )
        return data

    def answers(self) -> ScreenerAnswers:
        """Return the valid form's answers; call only after is_valid()."""
        data = self.cleaned_data
        return ScreenerAnswers(
            district_code=data["district"],
            household_size=data["household_size"],
            registered_locally=data["registered_locally"] == "yes",
            monthly_income_yuan=data["monthly_income"],
            savings_yuan=data["savings"],
            vehicles=data["vehicles"],
            homes=data["homes"],
            elderly=data["elderly"],
            children=data["children"],
            severe_disability=data["severe_disability"],
            serious_illness=data["serious_illness"],
            medical_spending_12m_yuan=data["medical_spending"],
            sudden_hardship=data["sudden_hardship"] == "yes",
        )


class ApplyForm(forms.Form):
    scheme = forms.ChoiceField(choices=Scheme.choices)
